// Narrowing what a use case reads to what its Caller sees (service/caller.h): the people of
// the caller's units (and the caller), the devices those people hold, the cases of those
// devices. A caller with every unit in view is left untouched (and nothing is copied).
#pragma once

#include <vector>

#include "campaign/history.h"
#include "campaign/waiver.h"
#include "inventory/model.h"
#include "service/caller.h"

namespace phaseout::service {

// Keeps the people the caller sees and the devices held by one of them (in their order).
void restrictToScope(const Caller& caller, std::vector<inventory::Person>& people,
                     std::vector<inventory::Device>& devices);
// The same over every version: the people with a version the caller sees (its unit, or the
// caller's own record) are kept, their versions out of view turned into gaps (left, no
// details); the versions and case steps of devices held by a kept person at some time are
// kept, those held by anyone else then turned into gaps (no holder, no details).
void restrictToScope(const Caller& caller, campaign::History& history);
// True when the case's device is one the caller sees (its unit, or the caller holds it).
bool seesCase(const Caller& caller, const campaign::CaseView& c);
// True when the caller sees the waiver's target: a unit waiver by its unit (a glob's fixed
// part), a person waiver by that person, a device waiver by the device's holder — as found in
// `people` and `devices` (the day's records); a target not found there is not seen.
bool seesWaiver(const Caller& caller, const campaign::Waiver& waiver,
                const std::vector<inventory::Person>& people,
                const std::vector<inventory::Device>& devices);

}  // namespace phaseout::service
