#include "policy/evaluator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "core/strings.h"

namespace phaseout::policy {
namespace {

using inventory::Device;
using inventory::Person;
using platform::Kind;
using platform::Platform;

// How far ahead (in records) the people and device passes prefetch hash slots and people.
constexpr std::size_t kInsertAhead = 16;
constexpr std::size_t kSlotAhead = 16;
constexpr std::size_t kPersonAhead = 8;

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

// A sentence assembled from views and allocated once at its exact size: a million reasons
// would otherwise pay for growth and slack.
class Sentence {
 public:
  Sentence& operator<<(std::string_view part) {
    if (count_ < kMaxParts) {
      parts_[count_++] = part;
      size_ += part.size();
    }
    return *this;
  }
  [[nodiscard]] std::string str() const {
    std::string out;
    out.reserve(size_);
    for (std::size_t i = 0; i < count_; ++i) out.append(parts_[i]);
    return out;
  }

 private:
  static constexpr std::size_t kMaxParts = 24;
  std::array<std::string_view, kMaxParts> parts_;
  std::size_t count_ = 0;
  std::size_t size_ = 0;
};

void appendDevice(Sentence& out, const Device& device) {
  const std::string_view model = trim(device.model);
  if (model.empty()) {
    out << "Device " << device.device_id;
  } else {
    out << model;
  }
  const std::string_view platform_name = displayName(device.platform);
  if (!platform_name.empty()) {
    out << " (" << platform_name;
    const std::string_view version = trim(device.os_version);
    if (!version.empty()) out << " " << version;
    out << ")";
  }
}

// Names the device fields that make `rule` only a possible match: "platform and vendor".
std::string unknownFields(const BanRule& rule, const Device& device) {
  std::vector<std::string_view> names;
  if (!rule.platforms.empty() && device.platform == Platform::kUnknown)
    names.emplace_back("platform");
  if (!rule.vendors.empty() && trim(device.vendor).empty()) names.emplace_back("vendor");
  if (!rule.kinds.empty() && device.kind == Kind::kUnknown) names.emplace_back("kind");
  if (!rule.model_patterns.empty() && trim(device.model).empty()) names.emplace_back("model");
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

// A fast hash for short identifiers (person ids, unit paths): 8 bytes at a time through the
// splitmix64 finaliser. std::hash<string_view> was a tenth of the evaluation time.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t hashId(std::string_view s) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = mix(h ^ word);
  }
  std::uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail);
}

struct IdHash {
  std::size_t operator()(std::string_view s) const { return static_cast<std::size_t>(hashId(s)); }
};

// person_id -> index into `people`: open addressing with linear probing over a flat array,
// so a lookup touches one slot and one Person instead of chasing the nodes of an
// unordered_map (the evaluator's hot spot with a million devices).
class PersonIndex {
 public:
  explicit PersonIndex(const std::vector<Person>& people) : people_(people) {
    std::size_t capacity = 16;
    while (capacity < people.size() * 2) capacity <<= 1;
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{});
  }

  // Inserts people[index] unless its id is already present (the first record wins).
  bool insert(std::uint32_t index, std::uint64_t h) {
    const std::string_view id = people_[index].person_id;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.index == kEmpty) {
        slot = Slot{tag, index};
        return true;
      }
      if (slot.tag == tag && people_[slot.index].person_id == id) return false;
    }
  }

  // Prefetching lets the device pass overlap the cache misses of many lookups: the table and
  // the people are far larger than the cache, and a lookup is otherwise two misses in a row.
  void prefetchSlot(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  // Returns the index the first probe holds (usually the person sought), or kEmpty.
  [[nodiscard]] std::uint32_t prefetchPerson(std::uint64_t h) const {
    const Slot& slot = slots_[h & mask_];
    if (slot.index != kEmpty) __builtin_prefetch(&people_[slot.index].person_id);
    return slot.index;
  }

  // The index of the person with this id (whose hashId is h), or kEmpty.
  [[nodiscard]] std::uint32_t find(std::string_view id, std::uint64_t h) const {
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.index == kEmpty) return kEmpty;
      if (slot.tag == tag && people_[slot.index].person_id == id) return slot.index;
    }
  }

  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;

 private:
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t index = kEmpty;
  };
  const std::vector<Person>& people_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

struct UnitEntry {
  bool in_scope = false;
  std::uint32_t id = 0;  // index into the interned unit names
  std::size_t people = 0;
};

struct InScope {
  const Device* device;
  const Person* holder;
  std::string_view unit;  // interned: reading it does not touch the holder's record again
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
    case Platform::kUnknown:
      return "";
    case Platform::kIos:
      return "iOS";
    case Platform::kIpados:
      return "iPadOS";
    case Platform::kMacos:
      return "macOS";
    case Platform::kWatchos:
      return "watchOS";
    case Platform::kAndroid:
      return "Android";
    case Platform::kHarmonyos:
      return "HarmonyOS";
    case Platform::kHarmonyosNext:
      return "HarmonyOS NEXT";
    case Platform::kAurora:
      return "Aurora";
    case Platform::kSailfish:
      return "Sailfish OS";
    case Platform::kKaios:
      return "KaiOS";
    case Platform::kWindows:
      return "Windows";
    case Platform::kLinux:
      return "Linux";
  }
  return "";
}

std::string describeDevice(const Device& device) {
  Sentence out;
  appendDevice(out, device);
  return out.str();
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

DeviceJudge::DeviceJudge(const Directive& directive, Date as_of) : directive_(directive) {
  // What every reason shares, built once: rule descriptions and the deadline clause.
  rule_text_.reserve(directive.ban.size());
  for (std::size_t i = 0; i < directive.ban.size(); ++i) {
    rule_text_.push_back("rule " + std::to_string(i + 1) + " (" + describeRule(directive.ban[i]) +
                         ")");
  }
  const bool has_deadline = !directive.milestones.empty();
  const Date due = has_deadline ? directive.finalDue() : as_of;
  overdue_ = has_deadline && as_of > due;
  if (!has_deadline) {
    deadline_ = "";
  } else if (overdue_) {
    deadline_ = "; overdue since " + due.addDays(1).toString() + " (";
    appendCount(deadline_, due.daysUntil(as_of), "day");
    deadline_ += ')';
  } else {
    const std::int32_t left = as_of.daysUntil(due);
    deadline_ = "; due " + due.toString() + ", ";
    if (left == 0) {
      deadline_ += "today is the last day";
    } else {
      appendCount(deadline_, left, "day");
      deadline_ += " left";
    }
  }
  banned_by_ = directive.type == DirectiveType::kUsageBan ? " is barred from official use by "
                                                          : " is banned by ";
}

DeviceJudge::Decision DeviceJudge::decide(const Device& device) const {
  int matched = 0;
  int maybe = 0;
  for (std::size_t i = 0; i < directive_.ban.size(); ++i) {
    const RuleMatch m = matchRule(directive_.ban[i], device);
    if (m == RuleMatch::kYes) {
      matched = static_cast<int>(i) + 1;
      break;
    }
    if (m == RuleMatch::kMaybe && maybe == 0) maybe = static_cast<int>(i) + 1;
  }
  if (matched != 0) {
    return {overdue_ ? VerdictStatus::kOverdue : VerdictStatus::kPending, matched};
  }
  if (maybe != 0) return {VerdictStatus::kUnknown, maybe};
  return {VerdictStatus::kCompliant, 0};
}

Verdict DeviceJudge::judge(const Device& device, const Person& holder,
                           std::string_view unit) const {
  Verdict v;
  v.device = &device;
  v.holder = &holder;
  v.unit = unit;
  const Decision d = decide(device);
  v.status = d.status;
  v.rule = d.rule;
  Sentence r;
  appendDevice(r, device);
  // device.holder equals the holder's person_id and is already in cache.
  r << " held by " << device.holder << " in " << unit;
  std::string unknown;  // outlives r.str(): the sentence keeps views of its parts
  if (d.status == VerdictStatus::kPending || d.status == VerdictStatus::kOverdue) {
    r << banned_by_ << rule_text_[static_cast<std::size_t>(d.rule - 1)] << deadline_;
  } else if (d.status == VerdictStatus::kUnknown) {
    unknown = unknownFields(directive_.ban[static_cast<std::size_t>(d.rule - 1)], device);
    r << " has unknown " << unknown << "; " << rule_text_[static_cast<std::size_t>(d.rule - 1)]
      << " may apply: needs review";
  } else {
    r << " matches no ban rule";
  }
  v.reason = r.str();
  return v;
}

Evaluation evaluate(const Directive& directive, const std::vector<Person>& people,
                    const std::vector<Device>& devices, Date as_of) {
  Evaluation ev;
  ev.directive_id = directive.id;
  ev.as_of = as_of;

  // People: one pass; the scope decision of a unit is computed once per distinct unit.
  // person_unit[i] is 0 when people[i] is out of scope, else 1 + the id of their unit: a
  // compact array, so the device pass reads neither the Person nor its unit string.
  PersonIndex by_id(people);
  std::vector<std::uint32_t> person_unit(people.size(), 0);
  std::unordered_map<std::string_view, UnitEntry, IdHash> units;
  std::vector<std::string_view> unit_names;
  std::vector<std::uint64_t> id_hash(people.size());
  for (std::size_t i = 0; i < people.size(); ++i) id_hash[i] = hashId(people[i].person_id);
  for (std::size_t i = 0; i < people.size(); ++i) {
    if (i + kInsertAhead < people.size()) by_id.prefetchSlot(id_hash[i + kInsertAhead]);
    const Person& p = people[i];
    // The first record of a person id wins.
    if (!by_id.insert(static_cast<std::uint32_t>(i), id_hash[i])) continue;
    if (p.status != inventory::EmploymentStatus::kActive) continue;
    auto unit_it = units.find(p.unit);
    if (unit_it == units.end()) {
      const auto id = static_cast<std::uint32_t>(unit_names.size());
      unit_names.push_back(p.unit);
      unit_it = units.emplace(p.unit, UnitEntry{unitInScope(directive.scope, p.unit), id, 0}).first;
    }
    if (!unit_it->second.in_scope || !rolesMatch(directive.scope, p)) continue;
    person_unit[i] = unit_it->second.id + 1;
    ++unit_it->second.people;
    ++ev.people_in_scope;
  }
  for (const auto& [unit, entry] : units) {
    if (entry.people > 0)
      ev.people_in_scope_by_unit.push_back(UnitCount{std::string(unit), entry.people});
  }
  std::sort(ev.people_in_scope_by_unit.begin(), ev.people_in_scope_by_unit.end(),
            [](const UnitCount& a, const UnitCount& b) { return a.unit < b.unit; });

  // Devices in scope, in device_id order (inputs from storage usually are; sort otherwise).
  std::vector<InScope> in_scope;
  bool ordered = true;
  std::vector<std::uint64_t> holder_hash(devices.size());
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (i > 0 && devices[i].device_id < devices[i - 1].device_id) ordered = false;
    holder_hash[i] = hashId(devices[i].holder);
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (i + kSlotAhead < devices.size()) by_id.prefetchSlot(holder_hash[i + kSlotAhead]);
    if (i + kPersonAhead < devices.size()) {
      const std::uint32_t guess = by_id.prefetchPerson(holder_hash[i + kPersonAhead]);
      if (guess != PersonIndex::kEmpty) __builtin_prefetch(&person_unit[guess]);
    }
    const Device& device = devices[i];
    if (device.state != platform::DeviceState::kActive) continue;
    const std::uint32_t holder =
        device.holder.empty() ? PersonIndex::kEmpty : by_id.find(device.holder, holder_hash[i]);
    if (holder == PersonIndex::kEmpty) {
      ++ev.devices_without_known_holder;
      continue;
    }
    if (const std::uint32_t unit = person_unit[holder]; unit != 0) {
      in_scope.push_back(InScope{&device, &people[holder], unit_names[unit - 1]});
    }
  }
  if (!ordered) {
    std::stable_sort(in_scope.begin(), in_scope.end(), [](const InScope& a, const InScope& b) {
      return a.device->device_id < b.device->device_id;
    });
  }

  const DeviceJudge judge(directive, as_of);
  ev.verdicts.reserve(in_scope.size());
  for (const InScope& item : in_scope) {
    ev.verdicts.push_back(judge.judge(*item.device, *item.holder, item.unit));
  }
  return ev;
}

}  // namespace phaseout::policy
