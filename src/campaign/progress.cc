#include "campaign/progress.h"

#include <algorithm>
#include <unordered_map>

namespace phaseout::campaign {

bool isAllowedReplacement(const policy::Directive& d, const inventory::Device& device) {
  if (device.state != platform::DeviceState::kActive) return false;
  const auto& allowed = d.allowed_platforms;
  if (allowed.empty()
          ? device.platform == platform::Platform::kUnknown
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
  // Holders of banned devices, flagged by their index in `people` (verdicts point into it), so
  // no pass below hashes a person id per device.
  std::vector<char> holds_banned(people.size(), 0);
  auto indexOf = [&](const inventory::Person* p) {
    return static_cast<std::size_t>(p - people.data());
  };
  // Active devices in scope were judged by the evaluation already.
  for (const auto& v : evaluation.verdicts) {
    const bool violating =
        v.status == policy::VerdictStatus::kPending || v.status == policy::VerdictStatus::kOverdue;
    const bool exempt_banned = v.status == policy::VerdictStatus::kExempt && isBanned(*v.device);
    if (!violating && !exempt_banned) continue;
    ++banned;
    if (exempt_banned) ++done_or_exempt;
    holds_banned[indexOf(v.holder)] = 1;
  }
  // Devices no longer active: banned ones of in-scope holders count as surrendered. They are
  // few, so only their holders are looked up (one pass over the people, no index of them all).
  std::unordered_map<std::string_view, const inventory::Person*> holder_of_inactive;
  for (const auto& dev : devices) {
    if (dev.state != platform::DeviceState::kActive && !dev.holder.empty()) {
      holder_of_inactive.emplace(dev.holder, nullptr);
    }
  }
  if (!holder_of_inactive.empty()) {
    for (const auto& p : people) {
      auto it = holder_of_inactive.find(p.person_id);
      if (it != holder_of_inactive.end() && it->second == nullptr) it->second = &p;  // first wins
    }
  }
  std::unordered_map<const inventory::Person*, bool> in_scope;
  for (const auto& dev : devices) {
    if (dev.state == platform::DeviceState::kActive || dev.holder.empty()) continue;
    const inventory::Person* holder = holder_of_inactive[dev.holder];
    if (holder == nullptr) continue;
    auto cached = in_scope.find(holder);
    if (cached == in_scope.end()) {
      cached = in_scope.emplace(holder, policy::personInScope(d, *holder)).first;
    }
    if (!cached->second || !isBanned(dev)) continue;
    ++banned;
    ++surrendered;
    ++done_or_exempt;
    holds_banned[indexOf(holder)] = 1;
  }
  // Every active device of an in-scope holder has a verdict, so replacements held by the
  // holders above are among the verdicts.
  std::vector<char> has_replacement(people.size(), 0);
  for (const auto& v : evaluation.verdicts) {
    const std::size_t h = indexOf(v.holder);
    if (holds_banned[h] && !has_replacement[h] && isAllowedReplacement(d, *v.device)) {
      has_replacement[h] = 1;
    }
  }
  const auto holder_count =
      static_cast<std::size_t>(std::count(holds_banned.begin(), holds_banned.end(), 1));
  const auto replaced_count =
      static_cast<std::size_t>(std::count(has_replacement.begin(), has_replacement.end(), 1));

  std::vector<MilestoneCheck> out;
  for (const auto& m : d.milestones) {
    MilestoneCheck c;
    c.name = m.name;
    c.due = m.due;
    c.days_left = evaluation.as_of.daysUntil(m.due);
    c.requires_what = m.requires_what;
    if (m.requires_what == policy::kRequiresAllowedReplacementHeld) {
      c.total = holder_count;
      c.met = replaced_count;
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
