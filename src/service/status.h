// The status use case behind `status` and `report`: the directive's evaluation as of a day,
// the network findings counted beside it, and (for a report that draws it) the burn-down up
// to that day — assembled once, so every front door shows the same numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/status.h"
#include "report/status_report.h"
#include "service/burndown.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct StatusRequest {
  std::string directive_id;  // "" = the only stored directive
  std::optional<Date> at;    // default today (the UTC day of now_ms)
  std::int64_t now_ms = 0;
  bool with_burndown = false;  // also the burn-down from the first in-force day to `at`
};

struct StatusReport {
  StatusResult status;  // narrowed to what the caller sees
  // The network findings (stored sightings reconciled as of the day), counted as far as the
  // caller sees them (networkFindingCounts in service/sightings.h).
  std::optional<report::NetworkSummary> network;
  // With with_burndown, unless there is no history to draw yet (the range is empty or the
  // directive was not in force on its first day); other errors fail the request.
  std::optional<BurndownOutcome> burndown;
};

// Errors: the default-directive rule (service/directive.h), NotFound for an unknown directive,
// FailedPrecondition when it is not in force on the day, storage errors.
Result<StatusReport> statusReport(const Caller& caller, Workspace& ws,
                                  const StatusRequest& request);

// The network findings counted for the status of `directive_id` as of the day, as the caller
// sees them (networkFindingCounts in service/sightings.h).
Result<report::NetworkSummary> networkSummary(const Caller& caller, Workspace& ws,
                                              const std::string& directive_id, Date as_of);

// The burn-down up to `as_of` as the status report draws it: nullopt when there is no history
// to draw (campaign::computeBurndown refused the range), an error for anything else.
Result<std::optional<BurndownOutcome>> burndownUpTo(const Caller& caller, Workspace& ws,
                                                    const std::string& directive_id, Date as_of);

}  // namespace phaseout::service
