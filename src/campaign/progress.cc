#include "campaign/progress.h"

#include <algorithm>
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
  auto isBanned = [&](const inventory::Device& dev) {
    return std::any_of(d.ban.begin(), d.ban.end(), [&](const policy::BanRule& r) {
      return policy::matchRule(r, dev) == policy::RuleMatch::kYes;
    });
  };
  std::size_t banned = 0;
  std::size_t surrendered = 0;
  std::size_t done_or_exempt = 0;
  std::unordered_set<std::string_view> holders;
  // Active devices in scope were judged by the evaluation already.
  for (const auto& v : evaluation.verdicts) {
    const bool violating = v.status == policy::VerdictStatus::kPending ||
                           v.status == policy::VerdictStatus::kOverdue;
    const bool exempt_banned = v.status == policy::VerdictStatus::kExempt && isBanned(*v.device);
    if (!violating && !exempt_banned) continue;
    ++banned;
    if (exempt_banned) ++done_or_exempt;
    holders.insert(v.device->holder);
  }
  // Devices no longer active: banned ones of in-scope holders count as surrendered.
  std::unordered_map<std::string_view, const inventory::Person*> person_by_id;
  std::unordered_map<std::string_view, bool> in_scope;
  for (const auto& dev : devices) {
    if (dev.state == platform::DeviceState::kActive || dev.holder.empty()) continue;
    if (person_by_id.empty()) {
      person_by_id.reserve(people.size());
      for (const auto& p : people) person_by_id.emplace(p.person_id, &p);
    }
    auto cached = in_scope.find(dev.holder);
    if (cached == in_scope.end()) {
      auto it = person_by_id.find(dev.holder);
      const bool scoped = it != person_by_id.end() && policy::personInScope(d, *it->second);
      cached = in_scope.emplace(dev.holder, scoped).first;
    }
    if (!cached->second || !isBanned(dev)) continue;
    ++banned;
    ++surrendered;
    ++done_or_exempt;
    holders.insert(dev.holder);
  }
  std::unordered_set<std::string_view> with_replacement;
  for (const auto& dev : devices) {
    if (dev.state == platform::DeviceState::kActive && holders.count(dev.holder) &&
        isAllowedReplacement(d, dev)) {
      with_replacement.insert(dev.holder);
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
      c.met = with_replacement.size();
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
