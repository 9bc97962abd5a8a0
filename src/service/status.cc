#include "service/status.h"

#include "service/directive.h"
#include "service/sightings.h"

namespace phaseout::service {

Result<std::optional<BurndownOutcome>> burndownUpTo(const Caller& caller, Workspace& ws,
                                                    const std::string& directive_id, Date as_of) {
  BurndownRequest request;
  request.directive_id = directive_id;
  request.to = as_of;
  request.now_ms = as_of.epochMs();  // the report's day is its today
  auto outcome = burndown(caller, ws, request);
  if (outcome.isOk()) return std::optional<BurndownOutcome>(std::move(outcome).value());
  const StatusCode code = outcome.status().code();
  // A refused range: nothing to draw yet. The report renders without its chart.
  if (code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition) {
    return std::optional<BurndownOutcome>();
  }
  return outcome.status();
}

Result<report::NetworkSummary> networkSummary(const Caller& caller, Workspace& ws,
                                              const std::string& directive_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(const auto counts, networkFindingCounts(caller, ws, directive_id, as_of));
  report::NetworkSummary network;
  network.sightings = counts.sightings;
  network.banned_platform = counts.banned_platform;
  network.unknown_phone = counts.unknown_phone;
  network.disposed_seen_again = counts.disposed_seen_again;
  network.usage_ban = counts.usage_ban;
  return network;
}

Result<StatusReport> statusReport(const Caller& caller, Workspace& ws,
                                  const StatusRequest& request) {
  PH_RETURN_IF_ERROR(ws.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  const Date as_of = dayOrToday(request.at, request.now_ms);
  StatusReport out;
  PH_ASSIGN_OR_RETURN(out.status, ws.status(caller, id, as_of));
  // Network findings beside the inventory's verdicts (stored sightings), narrowed to what the
  // caller sees.
  PH_ASSIGN_OR_RETURN(out.network, networkSummary(caller, ws, id, as_of));
  if (request.with_burndown) {
    PH_ASSIGN_OR_RETURN(out.burndown, burndownUpTo(caller, ws, id, as_of));
  }
  return out;
}

}  // namespace phaseout::service
