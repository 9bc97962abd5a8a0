// The status use case behind `status` and `report`: the directive's evaluation as of a day,
// the network findings counted beside it, and (for a report that draws it) the burn-down up
// to that day — assembled once, so every front door shows the same numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/status.h"
#include "policy/summary.h"
#include "report/status_report.h"
#include "service/burndown.h"
#include "service/caller.h"
#include "service/inventory_view.h"
#include "service/workspace.h"

namespace phaseout::service {

struct StatusRequest {
  std::string directive_id;  // "" = the only stored directive
  std::optional<Date> at;    // default today (the UTC day of now_ms)
  std::int64_t now_ms = 0;
  bool with_burndown = false;  // also the burn-down from the first in-force day to `at`
  // Counts only (StatusReport::summary, statusSummary below) instead of the evaluation of every
  // device (StatusReport::status left empty): what `status` without --devices needs.
  bool summary_only = false;
};

// The status of a directive as of a day in counts: per unit and in total, and each
// milestone's progress. The same numbers as the evaluation (Workspace::status) summarised.
struct StatusSummary {
  policy::Directive directive;
  std::int64_t directive_version = 0;
  policy::EvaluationSummary summary;
  std::vector<campaign::MilestoneCheck> milestones;
};

struct StatusReport {
  StatusResult status;  // narrowed to what the caller sees; empty with summary_only
  std::optional<StatusSummary> summary;  // with summary_only
  // The network findings (stored sightings reconciled as of the day), counted as far as the
  // caller sees them (networkFindingCounts in service/sightings.h).
  std::optional<report::NetworkSummary> network;
  // With with_burndown, unless there is no history to draw yet (the range is empty or the
  // directive was not in force on its first day); other errors fail the request.
  std::optional<BurndownOutcome> burndown;
  // What the merged inventory asks a person to review (holders matching nobody, sources that
  // disagree, devices missing from their source), over the devices the caller sees.
  InventoryReview review;
};

// Errors: the default-directive rule (service/directive.h), NotFound for an unknown directive,
// FailedPrecondition when it is not in force on the day, storage errors.
Result<StatusReport> statusReport(const Caller& caller, Workspace& ws,
                                  const StatusRequest& request);

// The StatusSummary of `directive_id` as of `as_of`, as the caller sees it, computed in one
// streaming pass over the people and then the devices of that day (storage hands them over one
// at a time; nothing holds them all): memory grows with the people in scope (their ids) and
// the units, never with the devices. Equals summaryOf(ws.status(...)). Errors as
// Workspace::status.
Result<StatusSummary> statusSummary(const Caller& caller, Workspace& ws,
                                    const std::string& directive_id, Date as_of);
// The summary of an evaluation already made.
StatusSummary summaryOf(const StatusResult& result);

// The network findings counted for the status of `directive_id` as of the day, as the caller
// sees them (networkFindingCounts in service/sightings.h).
Result<report::NetworkSummary> networkSummary(const Caller& caller, Workspace& ws,
                                              const std::string& directive_id, Date as_of);

// The burn-down up to `as_of` as the status report draws it: nullopt when there is no history
// to draw (campaign::computeBurndown refused the range), an error for anything else.
Result<std::optional<BurndownOutcome>> burndownUpTo(const Caller& caller, Workspace& ws,
                                                    const std::string& directive_id, Date as_of);

}  // namespace phaseout::service
