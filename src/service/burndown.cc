#include "service/burndown.h"

#include <algorithm>

#include "service/directive.h"
#include "service/scope.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"

namespace phaseout::service {

Result<BurndownOutcome> burndown(const Caller& caller, Workspace& ws,
                                 const BurndownRequest& request) {
  if (request.from && request.to && *request.to < *request.from) {
    return invalidField("to", request.to->toString() + " is before the first day asked (" +
                                  request.from->toString() + ")");
  }
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  const Date today = Date::fromEpochMs(request.now_ms);
  campaign::History history;
  {
    // One read transaction: every table seen at the same commit.
    PH_ASSIGN_OR_RETURN(
        auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kRead));
    auto second =
        WorkspaceAccess::openReader(ws);  // half of the device versions are read on it meanwhile
    PH_ASSIGN_OR_RETURN(history, storage::CampaignStore(repo).loadHistory(id, "", second.get()));
    PH_RETURN_IF_ERROR(tx->commit());
  }
  restrictToScope(caller, history);
  const std::optional<Date> first_day = campaign::firstInForceDay(history);
  if (!first_day) return notFound("no directive '" + id + "'; see 'phaseout directive list'");

  Date to = today;
  if (request.to) {
    to = *request.to;
  } else {
    // The version in force today (or the first one, for a directive that is not yet in force)
    // decides where a finished campaign's default range ends.
    const campaign::DirectiveVersion* now = history.directiveOn(today);
    const policy::Directive& d =
        now ? now->directive : history.directive_versions.front().directive;
    if (!d.milestones.empty()) {
      to = std::min(to, d.finalDue().addDays(kBurndownDaysAfterLastMilestone));
    }
  }
  const Date from = request.from.value_or(*first_day);
  PH_ASSIGN_OR_RETURN(campaign::Burndown counts, campaign::computeBurndown(history, from, to));

  // The forecast is made as of the last day observed and judges the milestones of the
  // directive version in force that day.
  const Date as_of = std::min(today, to);
  const campaign::DirectiveVersion* version = history.directiveOn(std::max(as_of, counts.from));
  BurndownOutcome out;
  out.directive = version->directive;
  out.forecast = campaign::forecastMilestones(counts, out.directive.milestones, as_of);
  out.burndown = std::move(counts);
  return out;
}

}  // namespace phaseout::service
