#include "policy/evaluator.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/strings.h"

namespace phaseout::policy {
namespace {

using inventory::Device;
using inventory::Person;
using platform::Kind;
using platform::Platform;

constexpr std::string_view kStatusNames[] = {"compliant", "pending", "overdue", "exempt",
                                             "unknown"};

bool rolesMatch(const Scope& scope, const Person& p) {
  if (scope.roles.empty()) return true;
  for (const std::string& wanted : scope.roles) {
    for (const std::string& held : p.roles) {
      if (iequals(trim(held), wanted)) return true;
    }
  }
  return false;
}

void appendCount(std::string& out, std::int64_t n, std::string_view unit) {
  out += std::to_string(n);
  out += ' ';
  out += unit;
  if (n != 1) out += 's';
}

void appendDevice(std::string& out, const Device& device) {
  const std::string_view model = trim(device.model);
  if (model.empty()) {
    out += "Device ";
    out += device.device_id;
  } else {
    out += model;
  }
  const std::string_view platform_name = displayName(device.platform);
  if (!platform_name.empty()) {
    out += " (";
    out += platform_name;
    const std::string_view version = trim(device.os_version);
    if (!version.empty()) {
      out += ' ';
      out += version;
    }
    out += ')';
  }
}

// Names the device fields that make `rule` only a possible match: "platform and vendor".
std::string unknownFields(const BanRule& rule, const Device& device) {
  std::vector<std::string_view> names;
  if (!rule.platforms.empty() && device.platform == Platform::kUnknown) names.push_back("platform");
  if (!rule.vendors.empty() && trim(device.vendor).empty()) names.push_back("vendor");
  if (!rule.kinds.empty() && device.kind == Kind::kUnknown) names.push_back("kind");
  if (!rule.model_patterns.empty() && trim(device.model).empty()) names.push_back("model");
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

struct PersonEntry {
  const Person* person = nullptr;
  bool in_scope = false;
};

struct UnitEntry {
  bool in_scope = false;
  std::size_t people = 0;
};

struct InScope {
  const Device* device;
  const Person* holder;
};

}  // namespace

std::string_view name(VerdictStatus s) { return kStatusNames[static_cast<int>(s)]; }

std::optional<VerdictStatus> parseVerdictStatus(std::string_view text) {
  for (int i = 0; i < 5; ++i) {
    if (iequals(kStatusNames[i], text)) return static_cast<VerdictStatus>(i);
  }
  return std::nullopt;
}

std::string_view displayName(Platform p) {
  switch (p) {
    case Platform::kUnknown: return "";
    case Platform::kIos: return "iOS";
    case Platform::kIpados: return "iPadOS";
    case Platform::kMacos: return "macOS";
    case Platform::kWatchos: return "watchOS";
    case Platform::kAndroid: return "Android";
    case Platform::kHarmonyos: return "HarmonyOS";
    case Platform::kHarmonyosNext: return "HarmonyOS NEXT";
    case Platform::kAurora: return "Aurora";
    case Platform::kSailfish: return "Sailfish OS";
    case Platform::kKaios: return "KaiOS";
    case Platform::kWindows: return "Windows";
    case Platform::kLinux: return "Linux";
  }
  return "";
}

std::string describeDevice(const Device& device) {
  std::string out;
  appendDevice(out, device);
  return out;
}

bool unitMatches(std::string_view pattern, std::string_view unit) {
  // Walks both paths segment by segment; no allocation, no regex.
  std::size_t pp = 0;
  std::size_t up = 0;
  bool unit_done = false;
  for (;;) {
    std::size_t pe = pattern.find('/', pp);
    const bool pattern_last = pe == std::string_view::npos;
    if (pattern_last) pe = pattern.size();
    const std::string_view ps = pattern.substr(pp, pe - pp);
    if (pattern_last && ps == "**") return true;
    if (unit_done) return false;
    std::size_t ue = unit.find('/', up);
    const bool unit_last = ue == std::string_view::npos;
    if (unit_last) ue = unit.size();
    const std::string_view us = unit.substr(up, ue - up);
    if (ps == "*" ? us.empty() : !iequals(ps, us)) return false;
    if (pattern_last) return unit_last;
    unit_done = unit_last;
    pp = pe + 1;
    up = ue + 1;
  }
}

bool unitInScope(const Scope& scope, std::string_view unit) {
  bool included = false;
  for (const std::string& glob : scope.units) {
    if (unitMatches(glob, unit)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const std::string& glob : scope.exclude_units) {
    if (unitMatches(glob, unit)) return false;
  }
  return true;
}

bool personInScope(const Directive& d, const Person& p) {
  return p.status == inventory::EmploymentStatus::kActive && unitInScope(d.scope, p.unit) &&
         rolesMatch(d.scope, p);
}

RuleMatch matchRule(const BanRule& rule, const Device& device) {
  // Devices carry no app list: app evidence is the network's, never the inventory's.
  if (!rule.apps.empty()) return RuleMatch::kNo;
  bool maybe = false;
  if (!rule.platforms.empty()) {
    if (device.platform == Platform::kUnknown) {
      maybe = true;
    } else if (std::find(rule.platforms.begin(), rule.platforms.end(), device.platform) ==
               rule.platforms.end()) {
      return RuleMatch::kNo;
    }
  }
  if (!rule.kinds.empty()) {
    if (device.kind == Kind::kUnknown) {
      maybe = true;
    } else if (std::find(rule.kinds.begin(), rule.kinds.end(), device.kind) == rule.kinds.end()) {
      return RuleMatch::kNo;
    }
  }
  if (!rule.vendors.empty()) {
    const std::string_view vendor = trim(device.vendor);
    if (vendor.empty()) {
      maybe = true;
    } else if (std::none_of(rule.vendors.begin(), rule.vendors.end(),
                            [vendor](const std::string& v) { return iequals(v, vendor); })) {
      return RuleMatch::kNo;
    }
  }
  if (!rule.model_patterns.empty()) {
    const std::string_view model = trim(device.model);
    if (model.empty()) {
      maybe = true;
    } else if (std::none_of(rule.model_patterns.begin(), rule.model_patterns.end(),
                            [model](const std::string& p) { return globMatch(p, model); })) {
      return RuleMatch::kNo;
    }
  }
  return maybe ? RuleMatch::kMaybe : RuleMatch::kYes;
}

Evaluation evaluate(const Directive& directive, const std::vector<Person>& people,
                    const std::vector<Device>& devices, Date as_of) {
  Evaluation ev;
  ev.directive_id = directive.id;
  ev.as_of = as_of;

  // People: one pass; the scope decision of a unit is computed once per distinct unit.
  std::unordered_map<std::string_view, PersonEntry> by_id;
  by_id.reserve(people.size());
  std::unordered_map<std::string_view, UnitEntry> units;
  for (const Person& p : people) {
    auto [it, inserted] = by_id.try_emplace(p.person_id, PersonEntry{&p, false});
    if (!inserted) continue;  // the first record of a person id wins
    if (p.status != inventory::EmploymentStatus::kActive) continue;
    auto unit_it = units.find(p.unit);
    if (unit_it == units.end()) {
      unit_it = units.emplace(p.unit, UnitEntry{unitInScope(directive.scope, p.unit), 0}).first;
    }
    if (!unit_it->second.in_scope || !rolesMatch(directive.scope, p)) continue;
    it->second.in_scope = true;
    ++unit_it->second.people;
    ++ev.people_in_scope;
  }
  for (const auto& [unit, entry] : units) {
    if (entry.people > 0) ev.people_in_scope_by_unit.push_back(UnitCount{std::string(unit), entry.people});
  }
  std::sort(ev.people_in_scope_by_unit.begin(), ev.people_in_scope_by_unit.end(),
            [](const UnitCount& a, const UnitCount& b) { return a.unit < b.unit; });

  // Devices in scope, in device_id order (inputs from storage usually are; sort otherwise).
  std::vector<InScope> in_scope;
  bool ordered = true;
  const Device* previous = nullptr;
  for (const Device& device : devices) {
    if (previous && device.device_id < previous->device_id) ordered = false;
    previous = &device;
    if (device.state != platform::DeviceState::kActive) continue;
    const auto it = device.holder.empty() ? by_id.end() : by_id.find(device.holder);
    if (it == by_id.end()) {
      ++ev.devices_without_known_holder;
      continue;
    }
    if (it->second.in_scope) in_scope.push_back(InScope{&device, it->second.person});
  }
  if (!ordered) {
    std::stable_sort(in_scope.begin(), in_scope.end(), [](const InScope& a, const InScope& b) {
      return a.device->device_id < b.device->device_id;
    });
  }

  // What every reason shares, built once: rule descriptions and the deadline clause.
  std::vector<std::string> rule_text;
  rule_text.reserve(directive.ban.size());
  for (std::size_t i = 0; i < directive.ban.size(); ++i) {
    rule_text.push_back("rule " + std::to_string(i + 1) + " (" + describeRule(directive.ban[i]) +
                        ")");
  }
  const bool has_deadline = !directive.milestones.empty();
  const Date due = has_deadline ? directive.finalDue() : as_of;
  const bool overdue = has_deadline && as_of > due;
  std::string deadline;
  if (!has_deadline) {
    deadline = "";
  } else if (overdue) {
    deadline = "; overdue since " + due.addDays(1).toString() + " (";
    appendCount(deadline, due.daysUntil(as_of), "day");
    deadline += ')';
  } else {
    const std::int32_t left = as_of.daysUntil(due);
    deadline = "; due " + due.toString() + ", ";
    if (left == 0) {
      deadline += "today is the last day";
    } else {
      appendCount(deadline, left, "day");
      deadline += " left";
    }
  }
  const std::string_view banned_by = directive.type == DirectiveType::kUsageBan
                                         ? " is barred from official use by "
                                         : " is banned by ";

  ev.verdicts.reserve(in_scope.size());
  for (const InScope& item : in_scope) {
    const Device& device = *item.device;
    Verdict v;
    v.device = item.device;
    v.holder = item.holder;
    int matched = 0;
    int maybe = 0;
    for (std::size_t i = 0; i < directive.ban.size(); ++i) {
      const RuleMatch m = matchRule(directive.ban[i], device);
      if (m == RuleMatch::kYes) {
        matched = static_cast<int>(i) + 1;
        break;
      }
      if (m == RuleMatch::kMaybe && maybe == 0) maybe = static_cast<int>(i) + 1;
    }
    std::string& r = v.reason;
    r.reserve(160);
    appendDevice(r, device);
    r += " held by ";
    r += item.holder->person_id;
    r += " in ";
    r += item.holder->unit;
    if (matched != 0) {
      v.status = overdue ? VerdictStatus::kOverdue : VerdictStatus::kPending;
      v.rule = matched;
      r += banned_by;
      r += rule_text[static_cast<std::size_t>(matched - 1)];
      r += deadline;
    } else if (maybe != 0) {
      v.status = VerdictStatus::kUnknown;
      v.rule = maybe;
      r += " has unknown ";
      r += unknownFields(directive.ban[static_cast<std::size_t>(maybe - 1)], device);
      r += "; ";
      r += rule_text[static_cast<std::size_t>(maybe - 1)];
      r += " may apply: needs review";
    } else {
      v.status = VerdictStatus::kCompliant;
      r += " matches no ban rule";
    }
    ev.verdicts.push_back(std::move(v));
  }
  return ev;
}

}  // namespace phaseout::policy
