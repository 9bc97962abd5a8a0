// Waiver requests: a holder asks for a waiver of their own device, or an officer for a device
// in their units; a person holding the directive's approver role approves it (it becomes an
// active waiver exactly as `waiver grant` makes one) or refuses it with a reason.
//
// Each write is one write transaction bound to one audit event whose actor is the Caller
// ("waiver.request", "waiver.approve" covering the decision and the waiver it grants,
// "waiver.refuse"); a refused call changes nothing. A request or decision about a device the
// caller does not see is NotFound, exactly as for one that does not exist.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "campaign/waiver.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct WaiverAsk {
  std::string directive_id;  // "" = the only stored directive
  std::string device_id;
  std::string reason;
  std::optional<Date> from;   // default: the recording's day
  std::optional<Date> until;  // required: a waiver is never open-ended
};

// Stores a pending request. Allowed to the device's holder (Scope::own_person) and to a caller
// who may act in the holder's unit; PermissionDenied for others who see the device, NotFound
// (field "device") for a device that does not exist or is out of view. InvalidArgument on
// "until" when it is missing or the term exceeds the directive's waivers.max_days, on
// "reason" when none is given; FailedPrecondition when the directive allows no waivers;
// AlreadyExists when the device has a pending request under the directive already.
Result<campaign::RequestedWaiver> requestWaiver(const Caller& caller, Workspace& ws,
                                                const WaiverAsk& ask, const Recording& recording);

struct WaiverDecision {
  std::string request_id;  // "WR-000001"
  bool approve = false;
  std::string reason;  // why it is refused (required to refuse)
  // The approver: a Caller who is a person decides as themself (a different value here is
  // InvalidArgument); the local operator must name the person (field "approver").
  std::string approver;
};

struct WaiverDecided {
  campaign::RequestedWaiver request;       // with its decision
  std::optional<campaign::Waiver> waiver;  // the waiver an approval granted
};

// Decides a pending request on the recording's day. NotFound for a request that does not
// exist or whose device the caller does not see; PermissionDenied unless the approver is an
// active person holding the directive's approver role; FailedPrecondition when it is decided
// already; the rules of campaign::validateWaiver for the waiver an approval grants.
Result<WaiverDecided> decideWaiverRequest(const Caller& caller, Workspace& ws,
                                          const WaiverDecision& decision,
                                          const Recording& recording);

struct WaiverRequestListRequest {
  std::string directive_id;  // "" = every directive's requests
  std::string state;         // "" = every state, else pending | approved | refused
  std::int64_t now_ms = 0;
};

// The requests whose device the caller sees (its holder's unit as of today, or their own),
// ordered by id. InvalidArgument (field "state") for an unknown state.
Result<std::vector<campaign::RequestedWaiver>> listWaiverRequests(
    const Caller& caller, Workspace& ws, const WaiverRequestListRequest& request);

// {"request_id", "directive", "device", "requested_by", "reason", "from", "until",
//  "requested_on", "state", "decided_by", "decided_on", "decision_reason", "waiver_id"} and a
// newline; the list is {"requests": [...]}.
std::string waiverRequestJson(const campaign::RequestedWaiver& request);
std::string waiverRequestListJson(const std::vector<campaign::RequestedWaiver>& requests);
// One line per request: "WR-000001 pending  device D-1 2026-01-01..2026-01-14 by P-1: reason",
// with the decision after it; then "N request(s)".
std::string waiverRequestText(const campaign::RequestedWaiver& request);
std::string waiverRequestListText(const std::vector<campaign::RequestedWaiver>& requests);

}  // namespace phaseout::service
