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
