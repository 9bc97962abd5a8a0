// Directive: a phase-out order as a first-class record (scope, ban rules, allowed
// replacements, milestones), parsed strictly from YAML.
//
// Parsing never silently ignores anything: an unknown key (at any level), a misspelt platform,
// kind or channel, a due date that is not a real YYYY-MM-DD date, an empty scope, a missing
// required key, a ban rule with no fields, a value of the wrong type, a duplicate key, are all
// InvalidArgument errors. The message lists every problem found (at most kMaxReportedProblems),
// one per line, each as `file:line: key: what was expected` (lines 1-based; keys as paths such
// as `ban[2].platform` or `milestones[1].due`, list indices 1-based).
//
// The YAML schema (keys not listed here are errors):
//   id: pa-iphone-2023              required; letters, digits, '.', '_', '-'; at most 64 chars
//   title: ...                      required
//   issued: 2023-03-06              required; YYYY-MM-DD
//   issuer: / reason: / text:       optional free text
//   type: device-ban | usage-ban    optional; default device-ban
//   protects: [host or URL prefix]  required for usage-ban, rejected for device-ban
//   scope: {units: [glob], exclude_units: [glob], roles: [role]}   units required, non-empty
//   ban: [rule, ...]                required, non-empty; a rule maps any of platform, vendor,
//                                   kind, model, app to one value or a list of values
//   allow: {platforms: [...]}       optional
//   replacement: {channels: [official | parallel-import | personal]}            optional
//   waivers: {approver_role: r, max_days: n, unit_wide: bool}                  optional
//   reminders: {days_before: [n...], escalate_to_role: r}                      optional
//   milestones: [{name, due, requires}]   required, non-empty, listed in date order
//
// Unit globs: segments separated by '/', each a name or '*' (exactly one segment); a final
// '**' covers the path before it and everything under it ("pa/**" covers "pa" and "pa/x/y").
// Thread safety: plain values; the functions are reentrant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "platform/platform.h"

namespace phaseout::policy {

inline constexpr std::size_t kMaxReportedProblems = 50;
// loadDirectiveFile refuses larger files: a directive is a page of text, not a data set.
inline constexpr std::size_t kMaxDirectiveFileBytes = 1 << 20;

enum class DirectiveType {
  kDeviceBan,  // banned devices must be surrendered and replaced
  kUsageBan,   // banned devices may be kept but must not be used for the protected services
};
std::string_view name(DirectiveType t);  // "device-ban", "usage-ban"

struct Scope {
  std::vector<std::string> units;          // globs: "pa/**", "pa/*", "pa/press"
  std::vector<std::string> exclude_units;  // same syntax
  std::vector<std::string> roles;          // lower-case; empty: any role
};

// Every field given must match; each field takes one value or a list (any of them matches).
struct BanRule {
  std::vector<platform::Platform> platforms;  // never kUnknown
  std::vector<std::string> vendors;           // canonical vendor ids, lower-case, trimmed
  std::vector<platform::Kind> kinds;          // never kUnknown
  std::vector<std::string> model_patterns;    // case-insensitive globs ('*', '?')
  std::vector<std::string> apps;              // lower-case app ids; evidence comes from the
                                              // network, never from the inventory
  int line = 0;                               // 1-based line of the rule in the source

  bool operator==(const BanRule&) const = default;
};

// What must hold of a person by a milestone's due date (checked by the campaign component).
inline constexpr std::string_view kRequiresBannedDevicesSurrendered = "banned_devices_surrendered";
inline constexpr std::string_view kRequiresAllowedReplacementHeld = "allowed_replacement_held";
std::vector<std::string_view> milestoneRequirementNames();

struct Milestone {
  std::string name;
  Date due;
  std::string requires_what;  // "" or one of milestoneRequirementNames()

  bool operator==(const Milestone&) const = default;
};

struct ReplacementPolicy {
  std::vector<platform::Channel> channels;  // acceptable procurement channels; empty: any

  bool operator==(const ReplacementPolicy&) const = default;
};

struct WaiverPolicy {
  std::string approver_role;  // lower-case; required when `waivers:` is given
  int max_days = 0;           // > 0; required
  bool unit_wide = false;     // may one waiver cover a whole unit

  bool operator==(const WaiverPolicy&) const = default;
};

struct ReminderPolicy {
  std::vector<int> days_before;  // distinct, > 0, sorted descending ({14, 7, 3, 1})
  std::string escalate_to_role;  // lower-case; "" when no escalation

  bool operator==(const ReminderPolicy&) const = default;
};

struct Directive {
  std::string id;
  std::string title;
  Date issued;
  std::string issuer;
  std::string reason;
  std::string text;
  DirectiveType type = DirectiveType::kDeviceBan;
  std::vector<std::string> protects;  // usage-ban only: "mail.pa.example", "https://x/y/"
  Scope scope;
  std::vector<BanRule> ban;  // at least one
  std::vector<platform::Platform> allowed_platforms;
  std::optional<ReplacementPolicy> replacement;
  std::optional<WaiverPolicy> waivers;
  std::optional<ReminderPolicy> reminders;
  std::vector<Milestone> milestones;  // sorted by due date; at least one

  std::string source_name;  // the file name given to the parser
  std::string source_text;  // the YAML exactly as parsed (kept for versioning)

  // The final due date: a violating device is pending up to and including it, overdue after.
  // Precondition: milestones is non-empty (always true for a parsed directive).
  [[nodiscard]] Date finalDue() const { return milestones.back().due; }
};

// Parses a directive from YAML text. `source_name` is used in error messages and kept in
// Directive::source_name. Errors: InvalidArgument listing the problems (see top of file).
// Never throws.
Result<Directive> parseDirective(std::string_view yaml_text, std::string_view source_name);
// Reads and parses a file. Errors: NotFound when it cannot be read, InvalidArgument when it is
// larger than kMaxDirectiveFileBytes or does not parse. Never throws.
Result<Directive> loadDirectiveFile(const std::string& path);

// "platform ios or ipados, vendor apple, kind phone, model \"iPhone*\"": the rule's fields in
// schema order, used in verdict reasons and reports.
std::string describeRule(const BanRule& rule);

}  // namespace phaseout::policy
