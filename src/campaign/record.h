// What officers record during a campaign: the disposition of an old device and the
// replacement a person receives. Pure validation; storage and events are the service's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"
#include "inventory/model.h"
#include "policy/directive.h"

namespace phaseout::campaign {

// returned (handed in), destroyed, transferred (e.g. "given to the children"), lost.
enum class Disposition { kReturned, kDestroyed, kTransferred, kLost };
std::string_view name(Disposition d);
std::optional<Disposition> parseDisposition(std::string_view text);
platform::DeviceState stateFor(Disposition d);

// The device's next version after the disposition, valid from `on`. `current` is the device
// as it was on `on`; it must be active (FailedPrecondition otherwise, naming its state).
// A transfer names its recipient (`to`); other dispositions may.
Result<inventory::Device> dispose(const inventory::Device& current, Disposition disposition,
                                  std::string_view to, Date on);

// A replacement is allowed when its platform is on the directive's allow list (when it has
// one) and, when the directive names replacement channels, its channel is one of them.
// FailedPrecondition with the reason otherwise ("platform ios is not on the allow list of
// pa-iphone-2023: android, harmonyos, ...").
Status checkReplacement(const policy::Directive& directive, const inventory::Device& replacement);

}  // namespace phaseout::campaign
