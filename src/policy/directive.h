// Directive: a phase-out order as a first-class record (scope, ban rules, allowed
// replacements, milestones), parsed strictly from YAML.
//
// Parsing never silently ignores anything: an unknown key, a misspelt platform, a due date
// that is not a date, an empty scope, are InvalidArgument errors naming file and line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "platform/platform.h"

namespace phaseout::policy {

struct Scope {
  std::vector<std::string> units;          // globs: "pa/**", "pa/*", "pa/press"
  std::vector<std::string> exclude_units;  // same syntax
  std::vector<std::string> roles;          // empty: any role
};

// Every field given must match; each field takes one value or a list (any of them matches).
struct BanRule {
  std::vector<platform::Platform> platforms;
  std::vector<std::string> vendors;         // canonical vendor ids, lower-case
  std::vector<platform::Kind> kinds;
  std::vector<std::string> model_patterns;  // case-insensitive globs
  std::vector<std::string> apps;            // app bans (matched by later issues' evidence)
};

struct Milestone {
  std::string name;
  Date due;
  std::string requires_what;  // "" or e.g. "banned_devices_surrendered"
};

struct Directive {
  std::string id;
  std::string title;
  Date issued;
  std::string issuer;
  std::string reason;
  std::string text;
  Scope scope;
  std::vector<BanRule> ban;
  std::vector<platform::Platform> allowed_platforms;
  std::vector<Milestone> milestones;  // sorted by due date; at least one

  // The final due date: a violating device is pending up to and including it, overdue after.
  Date finalDue() const { return milestones.back().due; }
};

// Parses a directive from YAML text. `source_name` is used in error messages.
Result<Directive> parseDirective(std::string_view yaml_text, std::string_view source_name);
// Reads and parses a file.
Result<Directive> loadDirectiveFile(const std::string& path);

}  // namespace phaseout::policy
