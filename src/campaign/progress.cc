#include "campaign/progress.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace phaseout::campaign {

bool isAllowedReplacement(const policy::Directive& d, const inventory::Device& device) {
  if (device.state != platform::DeviceState::kActive) return false;
  const auto& allowed = d.allowed_platforms;
  if (allowed.empty() ? device.platform == platform::Platform::kUnknown
                      : std::find(allowed.begin(), allowed.end(), device.platform) == allowed.end()) {
    return false;
  }
  return std::all_of(d.ban.begin(), d.ban.end(), [&](const policy::BanRule& rule) {
    return policy::matchRule(rule, device) == policy::RuleMatch::kNo;
  });
}

std::vector<MilestoneCheck> milestoneChecks(const policy::Directive& d,
                                            const std::vector<inventory::Person>& people,
                                            const std::vector<inventory::Device>& devices,
                                            const policy::Evaluation& evaluation) {
  std::unordered_map<std::string_view, const inventory::Person*> person_by_id;
  person_by_id.reserve(people.size());
  for (const auto& p : people) person_by_id.emplace(p.person_id, &p);
  std::unordered_set<std::string_view> exempt;
  for (const auto& v : evaluation.verdicts) {
    if (v.status == policy::VerdictStatus::kExempt) exempt.insert(v.device->device_id);
  }
  std::unordered_map<std::string_view, bool> holder_has_replacement;

  std::size_t banned = 0;
  std::size_t surrendered = 0;
  std::size_t done_or_exempt = 0;
  std::set<std::string_view> holders;
  for (const auto& dev : devices) {
    auto it = person_by_id.find(dev.holder);
    if (it == person_by_id.end() || !policy::personInScope(d, *it->second)) continue;
    const bool is_banned = std::any_of(d.ban.begin(), d.ban.end(), [&](const policy::BanRule& r) {
      return policy::matchRule(r, dev) == policy::RuleMatch::kYes;
    });
    if (!is_banned) continue;
    ++banned;
    holders.insert(dev.holder);
    const bool gone = dev.state != platform::DeviceState::kActive;
    if (gone) ++surrendered;
    if (gone || exempt.count(dev.device_id)) ++done_or_exempt;
  }
  for (const auto& dev : devices) {
    if (holders.count(dev.holder) && isAllowedReplacement(d, dev)) {
      holder_has_replacement[dev.holder] = true;
    }
  }

  std::vector<MilestoneCheck> out;
  for (const auto& m : d.milestones) {
    MilestoneCheck c;
    c.name = m.name;
    c.due = m.due;
    c.days_left = evaluation.as_of.daysUntil(m.due);
    c.requires_what = m.requires_what;
    if (m.requires_what == policy::kRequiresAllowedReplacementHeld) {
      c.total = holders.size();
      c.met = holder_has_replacement.size();
    } else if (m.requires_what == policy::kRequiresBannedDevicesSurrendered) {
      c.total = banned;
      c.met = surrendered;
    } else {
      c.total = banned;
      c.met = done_or_exempt;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace phaseout::campaign
