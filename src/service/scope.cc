#include "service/scope.h"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace phaseout::service {

void restrictToScope(const Caller& caller, std::vector<inventory::Person>& people,
                     std::vector<inventory::Device>& devices) {
  if (caller.scope.all_units) return;
  std::erase_if(people,
                [&](const inventory::Person& p) { return !caller.sees(p.unit, p.person_id); });
  std::unordered_set<std::string_view> seen;
  for (const auto& p : people) seen.insert(p.person_id);
  std::erase_if(devices, [&](const inventory::Device& d) { return !seen.contains(d.holder); });
}

void restrictToScope(const Caller& caller, campaign::History& history) {
  if (caller.scope.all_units) return;
  std::unordered_set<std::string> seen;  // people with a version in view
  for (const auto& p : history.people) {
    if (caller.sees(p.record.unit, p.record.person_id)) seen.insert(p.record.person_id);
  }
  std::erase_if(history.people, [&](const campaign::Versioned<inventory::Person>& p) {
    return !seen.contains(p.record.person_id);
  });
  // A version out of view of someone seen at another time (moved to another unit) stays as a
  // gap: out of every scope, its details withheld, so the earlier version does not run on.
  for (auto& p : history.people) {
    if (caller.sees(p.record.unit, p.record.person_id)) continue;
    inventory::Person gap;
    gap.person_id = p.record.person_id;
    gap.status = inventory::EmploymentStatus::kLeft;
    p.record = std::move(gap);
  }
  std::unordered_set<std::string> devices;  // devices held by a kept person at some time
  for (const auto& d : history.devices) {
    if (seen.contains(d.record.holder)) devices.insert(d.record.device_id);
  }
  std::erase_if(history.devices, [&](const campaign::Versioned<inventory::Device>& d) {
    return !devices.contains(d.record.device_id);
  });
  // Likewise a device handed to someone out of view: a gap with no holder and no details.
  for (auto& d : history.devices) {
    if (seen.contains(d.record.holder)) continue;
    inventory::Device gap;
    gap.device_id = d.record.device_id;
    gap.state = d.record.state;
    d.record = std::move(gap);
  }
  std::erase_if(history.steps,
                [&](const campaign::CaseStep& s) { return !devices.contains(s.device_id); });
}

bool seesCase(const Caller& caller, const campaign::CaseView& c) {
  return caller.sees(c.unit, c.person_id);
}

bool seesWaiver(const Caller& caller, const campaign::Waiver& w,
                const std::vector<inventory::Person>& people,
                const std::vector<inventory::Device>& devices) {
  if (caller.scope.all_units) return true;
  if (!w.unit.empty()) {
    // "pa/press/**" and "pa/press/*" are seen by whoever sees "pa/press".
    std::string_view fixed = w.unit;
    const auto star = fixed.find('*');
    if (star != std::string_view::npos) fixed = fixed.substr(0, star);
    while (!fixed.empty() && fixed.back() == '/') fixed.remove_suffix(1);
    return !fixed.empty() && caller.seesUnit(fixed);
  }
  std::string person_id = w.person_id;
  if (!w.device_id.empty()) {
    auto d = std::find_if(devices.begin(), devices.end(),
                          [&](const inventory::Device& x) { return x.device_id == w.device_id; });
    if (d == devices.end()) return false;
    person_id = d->holder;
  }
  auto p = std::find_if(people.begin(), people.end(),
                        [&](const inventory::Person& x) { return x.person_id == person_id; });
  if (p == people.end()) return !person_id.empty() && person_id == caller.scope.own_person;
  return caller.sees(p->unit, p->person_id);
}

}  // namespace phaseout::service
