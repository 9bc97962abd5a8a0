// Evaluation of a directive over people and devices as of a date: a pure function.
//
// It never reads the clock, the database or the network; the same inputs give the same
// verdicts in the same order. Thread-safe (no shared state).
//
// Semantics:
// - A person is in scope when employed (status active), their unit matches one of
//   scope.units and none of scope.exclude_units (unitMatches), and scope.roles is empty or
//   they hold one of its roles (ASCII case-insensitive).
// - A device is in scope when its state is active and its holder is a person in scope.
//   Devices with no holder, or a holder not among `people`, are out of scope and counted in
//   Evaluation::devices_without_known_holder. When person ids repeat, the first record wins.
// - A ban rule matches a device when every field it gives matches (matchRule). The first
//   matching rule decides: the device is pending while as_of <= directive.finalDue(), overdue
//   after. With no matching rule, a device is unknown when some rule could match had an unknown
//   field been known (the first such rule is reported), otherwise compliant.
// - App rules never match inventory devices (they carry no app list) and never make a device
//   unknown: evidence of banned apps comes from network sightings, outside this evaluator.
// - kExempt is never produced here; it is set by the campaign component for valid waivers.
// - For a usage-ban the statuses are the same; reasons say the device may not be used for the
//   protected services rather than that it is banned.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "inventory/model.h"
#include "policy/directive.h"

namespace phaseout::policy {

enum class VerdictStatus { kCompliant, kPending, kOverdue, kExempt, kUnknown };
std::string_view name(VerdictStatus s);  // "compliant", "pending", "overdue", "exempt", "unknown"
std::optional<VerdictStatus> parseVerdictStatus(std::string_view text);

struct Verdict {
  const inventory::Device* device = nullptr;  // points into the evaluated vector
  const inventory::Person* holder = nullptr;  // points into the evaluated vector
  std::string_view unit;  // the holder's unit; points into the evaluated people (one buffer
                          // per distinct unit, so equal units usually share their data)
  VerdictStatus status = VerdictStatus::kCompliant;
  int rule = 0;        // 1-based index of the deciding ban rule; 0 when none
  std::string reason;  // one sentence
};

struct UnitCount {
  std::string unit;
  std::size_t count = 0;

  bool operator==(const UnitCount&) const = default;
};

// Holds pointers into the people and devices passed to evaluate(): keep them alive and
// unchanged while the Evaluation is used.
struct Evaluation {
  std::string directive_id;
  Date as_of;
  std::size_t people_in_scope = 0;
  std::vector<UnitCount> people_in_scope_by_unit;  // exact units, sorted by unit
  std::size_t devices_without_known_holder = 0;    // active devices, holder "" or not in people
  std::vector<Verdict> verdicts;  // one per device in scope, ordered by device_id (stable)
};

// True when the unit path matches the scope glob. Segments are compared ASCII
// case-insensitively; '*' matches exactly one segment; a final '**' matches the path before it
// and everything below ("pa/**" matches "pa" and "pa/a/b", not "pa-press" nor "gov/pa");
// any other pattern matches exactly.
bool unitMatches(std::string_view pattern, std::string_view unit);
// The unit half of scope membership: matches one of scope.units and none of exclude_units.
bool unitInScope(const Scope& scope, std::string_view unit);
bool personInScope(const Directive& d, const inventory::Person& p);

enum class RuleMatch {
  kNo,     // some field given by the rule differs from the device's known value
  kYes,    // every field given by the rule matches
  kMaybe,  // no known field differs, but some field the rule tests is unknown on the device
};
// Unknown values: Platform::kUnknown, Kind::kUnknown, vendor "" and, for a model rule, model "".
// Platforms are exact (ios does not match ipados); vendors compare ASCII case-insensitively;
// models by case-insensitive glob. A rule with an app field is always kNo.
RuleMatch matchRule(const BanRule& rule, const inventory::Device& device);

// The device half of evaluate(), one device at a time: the deciding rule and the reason, for a
// caller that folds verdicts as records stream by instead of holding every device (the status
// summary). evaluate() judges each in-scope device through it. Keeps a reference to
// `directive`, which must outlive it.
class DeviceJudge {
 public:
  DeviceJudge(const Directive& directive, Date as_of);

  struct Decision {
    VerdictStatus status = VerdictStatus::kCompliant;
    int rule = 0;  // as Verdict::rule
  };
  // The status and rule of an active device whose holder is in scope (no reason built).
  Decision decide(const inventory::Device& device) const;
  // The verdict evaluate() gives that device, held by `holder` of `unit` (pointers to them).
  Verdict judge(const inventory::Device& device, const inventory::Person& holder,
                std::string_view unit) const;

 private:
  const Directive& directive_;
  std::vector<std::string> rule_text_;
  std::string deadline_;
  std::string_view banned_by_;
  bool overdue_ = false;
};

// Evaluates every device. O(people + devices) with hashing; sorts only when `devices` is not
// already ordered by device_id.
Evaluation evaluate(const Directive& directive, const std::vector<inventory::Person>& people,
                    const std::vector<inventory::Device>& devices, Date as_of);

// "iPhone 13 Pro (iOS 16.4)", "Galaxy S23 (Android 13)", "Device D-9": how reasons name a
// device (the model when known, else the device id; the platform's display name and OS version
// when known).
std::string describeDevice(const inventory::Device& device);
// "iOS", "iPadOS", "HarmonyOS NEXT", ...; "" for kUnknown.
std::string_view displayName(platform::Platform p);

}  // namespace phaseout::policy
