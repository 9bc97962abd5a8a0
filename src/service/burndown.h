// Burn-down use case: the daily counts of one directive's devices by verdict over a range of
// days and the forecast of each milestone, read from the stored history in one read
// transaction. Nothing here reads the clock: the front door passes its now_ms. A caller with a
// narrower scope gets the counts of what it sees (service/scope.h).
#pragma once

#include <optional>
#include <string>

#include "campaign/burndown.h"
#include "policy/directive.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

// After the last milestone the default range stops this many days later: a finished campaign
// shows its end, not months of flat lines.
inline constexpr std::int32_t kBurndownDaysAfterLastMilestone = 7;

struct BurndownRequest {
  std::string directive_id;  // "" = the only stored directive
  // First day; default (and never earlier than) the directive's first in-force day.
  std::optional<Date> from;
  // Last day; default today, but no later than kBurndownDaysAfterLastMilestone days after the
  // last milestone of the directive version in force today.
  std::optional<Date> to;
  // Now, in epoch ms; today is its UTC day. The forecast is made as of min(today, to): days
  // after today are not observations (they only show changes already recorded with future
  // dates).
  std::int64_t now_ms = 0;
};

struct BurndownOutcome {
  policy::Directive directive;  // the version whose milestones are forecast
  campaign::Burndown burndown;
  campaign::Forecast forecast;
};

// Errors: InvalidArgument on "to" when it is before `from`; NotFound for an unknown directive;
// InvalidArgument/FailedPrecondition from campaign::computeBurndown() for a bad range or a
// directive not yet in force; storage errors.
Result<BurndownOutcome> burndown(const Caller& caller, Workspace& ws,
                                 const BurndownRequest& request);

}  // namespace phaseout::service
