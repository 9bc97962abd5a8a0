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

namespace {

bool isBanned(const policy::Directive& d, const inventory::Device& device) {
  return std::any_of(d.ban.begin(), d.ban.end(), [&](const policy::BanRule& r) {
    return policy::matchRule(r, device) == policy::RuleMatch::kYes;
  });
}

}  // namespace

const DeviceClass& DeviceClassifier::classify(const inventory::Device& device) {
  key_.clear();
  key_ += static_cast<char>(device.platform);
  key_ += static_cast<char>(device.kind);
  key_ += device.vendor;
  key_ += '\0';
  key_ += device.model;
  auto found = known_.find(key_);
  if (found != known_.end()) return found->second;
  // Judged as a device with nothing but those fields, active: what the rules read.
  inventory::Device probe;
  probe.platform = device.platform;
  probe.kind = device.kind;
  probe.vendor = device.vendor;
  probe.model = device.model;
  DeviceClass c;
  c.decision = judge_.decide(probe);
  c.banned = isBanned(directive_, probe);
  c.replacement = isAllowedReplacement(directive_, probe);
  return known_.emplace(key_, c).first->second;
}

MilestoneTally::MilestoneTally(const policy::Directive& directive, Date as_of)
    : directive_(directive), as_of_(as_of) {}

std::uint8_t& MilestoneTally::flagsOf(std::size_t holder) {
  if (holder >= flags_.size()) flags_.resize(std::max(holder + 1, flags_.size() * 2), 0);
  return flags_[holder];
}

void MilestoneTally::addVerdict(std::size_t holder, policy::VerdictStatus status,
                                const DeviceClass& device) {
  const bool violating =
      status == policy::VerdictStatus::kPending || status == policy::VerdictStatus::kOverdue;
  const bool exempt_banned = status == policy::VerdictStatus::kExempt && device.banned;
  std::uint8_t& flags = flagsOf(holder);
  if (violating || exempt_banned) {
    ++banned_;
    if (exempt_banned) ++done_or_exempt_;
    flags |= kHoldsBanned;
  }
  // A replacement counts for its holder once they hold a banned device, whichever comes first.
  if (device.replacement) flags |= kHasReplacement;
}

void MilestoneTally::addInactive(std::size_t holder, const DeviceClass& device) {
  if (!device.banned) return;
  ++banned_;
  ++surrendered_;
  ++done_or_exempt_;
  flagsOf(holder) |= kHoldsBanned;
}

void MilestoneTally::merge(const MilestoneTally& other) {
  banned_ += other.banned_;
  surrendered_ += other.surrendered_;
  done_or_exempt_ += other.done_or_exempt_;
  if (other.flags_.size() > flags_.size()) flags_.resize(other.flags_.size(), 0);
  for (std::size_t i = 0; i < other.flags_.size(); ++i) flags_[i] |= other.flags_[i];
}

std::vector<MilestoneCheck> MilestoneTally::checks() const {
  std::size_t holder_count = 0;
  std::size_t replaced_count = 0;
  for (const std::uint8_t f : flags_) {
    if (!(f & kHoldsBanned)) continue;
    ++holder_count;
    if (f & kHasReplacement) ++replaced_count;
  }
  std::vector<MilestoneCheck> out;
  for (const auto& m : directive_.milestones) {
    MilestoneCheck c;
    c.name = m.name;
    c.due = m.due;
    c.days_left = as_of_.daysUntil(m.due);
    c.requires_what = m.requires_what;
    if (m.requires_what == policy::kRequiresAllowedReplacementHeld) {
      c.total = holder_count;
      c.met = replaced_count;
    } else if (m.requires_what == policy::kRequiresBannedDevicesSurrendered) {
      c.total = banned_;
      c.met = surrendered_;
    } else {
      c.total = banned_;
      c.met = done_or_exempt_;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<MilestoneCheck> milestoneChecks(const policy::Directive& d,
                                            const std::vector<inventory::Person>& people,
                                            const std::vector<inventory::Device>& devices,
                                            const policy::Evaluation& evaluation) {
  MilestoneTally tally(d, evaluation.as_of);
  const policy::DeviceJudge judge(d, evaluation.as_of);
  DeviceClassifier classes(d, judge);
  // Holders are numbered by their index in `people` (verdicts point into it), so no pass
  // below hashes a person id per device.
  auto indexOf = [&](const inventory::Person* p) {
    return static_cast<std::size_t>(p - people.data());
  };
  // Active devices in scope were judged by the evaluation already.
  for (const auto& v : evaluation.verdicts)
    tally.addVerdict(indexOf(v.holder), v.status, classes.classify(*v.device));
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
    if (cached->second) tally.addInactive(indexOf(holder), classes.classify(dev));
  }
  return tally.checks();
}

}  // namespace phaseout::campaign
