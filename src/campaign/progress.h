// Progress toward each milestone of a directive on one day, from that day's snapshot.
//
// The banned devices of a milestone are the devices, in any state, that match a ban rule and
// whose holder is in scope on the day: those still active are the work left. What "met" means
// follows the milestone's `requires`:
//   banned_devices_surrendered  the banned device is no longer active (returned, destroyed,
//                               transferred, lost, retired)
//   allowed_replacement_held    counted per holder: the holder has an active device on an
//                               allowed platform that no ban rule matches or may match
//   (none)                      the banned device is no longer active or is exempt
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "inventory/model.h"
#include "policy/directive.h"
#include "policy/evaluator.h"

namespace phaseout::campaign {

struct MilestoneCheck {
  std::string name;
  Date due;
  std::int32_t days_left = 0;  // 0 on the due date, negative once passed
  std::string requires_what;
  std::size_t met = 0;
  std::size_t total = 0;  // banned devices, or holders for allowed_replacement_held
  bool passed() const { return days_left < 0; }
  bool complete() const { return met == total; }
};

// What a directive's rules say of a device: the decision for it as an active device whose holder
// is in scope, whether a ban rule matches it, and whether it is an allowed replacement (when
// active). The rules read only a device's platform, kind, vendor and model (policy::matchRule).
struct DeviceClass {
  policy::DeviceJudge::Decision decision;
  bool banned = false;
  bool replacement = false;
};

// DeviceClass, remembered per distinct (platform, kind, vendor, model): the millions of devices
// of an organisation share a few thousand of these, so the rules run once for each. Keeps
// references to `directive` and `judge`; one per thread.
class DeviceClassifier {
 public:
  DeviceClassifier(const policy::Directive& directive, const policy::DeviceJudge& judge)
      : directive_(directive), judge_(judge) {}
  // The class of `device`, read as active.
  const DeviceClass& classify(const inventory::Device& device);

 private:
  const policy::Directive& directive_;
  const policy::DeviceJudge& judge_;
  std::string key_;  // reused: a lookup allocates nothing once it has grown
  std::unordered_map<std::string, DeviceClass> known_;
};

// The milestone progress folded one device at a time, as milestoneChecks counts it, for a caller
// that streams the devices instead of holding them. Holders are numbered by the caller (any
// dense numbering, e.g. their position in a list); it keeps two bits per number. Keeps a
// reference to `directive`.
class MilestoneTally {
 public:
  MilestoneTally(const policy::Directive& directive, Date as_of);
  // An active device whose holder (number `holder`) is in scope, with its status once waivers
  // are applied.
  // `device` is the device's class (DeviceClassifier).
  void addVerdict(std::size_t holder, policy::VerdictStatus status, const DeviceClass& device);
  // A device no longer active whose holder (number `holder`) is in scope.
  void addInactive(std::size_t holder, const DeviceClass& device);
  // Adds what `other` (of the same directive and day, with the same holder numbering) counted:
  // two parts of the devices counted apart make the tally of them all.
  void merge(const MilestoneTally& other);
  std::vector<MilestoneCheck> checks() const;

 private:
  static constexpr std::uint8_t kHoldsBanned = 1;
  static constexpr std::uint8_t kHasReplacement = 2;
  std::uint8_t& flagsOf(std::size_t holder);

  const policy::Directive& directive_;
  Date as_of_;
  std::vector<std::uint8_t> flags_;
  std::size_t banned_ = 0;
  std::size_t surrendered_ = 0;
  std::size_t done_or_exempt_ = 0;
};

// `devices` are all devices as of the evaluation's day, in every state; `evaluation` is that
// day's evaluation (with waivers applied) over the same people and devices.
std::vector<MilestoneCheck> milestoneChecks(const policy::Directive& directive,
                                            const std::vector<inventory::Person>& people,
                                            const std::vector<inventory::Device>& devices,
                                            const policy::Evaluation& evaluation);

// True when `device` is an acceptable replacement under `directive`: active, on the allow
// list (any known platform when the list is empty), and no ban rule matches or may match it.
bool isAllowedReplacement(const policy::Directive& directive, const inventory::Device& device);

}  // namespace phaseout::campaign
