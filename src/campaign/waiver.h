// Waivers: an approved, dated exemption of a device, a person's devices, or (where the
// directive allows it) a whole unit, from one directive.
//
// A waiver is never open-ended and never longer than the directive's waivers.max_days. A
// waived device is `exempt` from `from` to `until` inclusive, unless revoked earlier; after
// that it is pending or overdue again, as of that date. Pure values and functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "inventory/model.h"
#include "policy/directive.h"
#include "policy/evaluator.h"

namespace phaseout::campaign {

struct Waiver {
  std::string waiver_id;  // "W-000001"
  std::string directive_id;
  std::string device_id;  // exactly one of device_id, person_id, unit is set
  std::string person_id;
  std::string unit;      // a unit path or glob ("pa/press", "pa/press/**")
  std::string approver;  // a person_id
  std::string reason;
  Date from;
  Date until;                        // inclusive
  std::optional<Date> revoked_from;  // the waiver stops applying on this day

  bool activeOn(Date day) const {
    return from <= day && day <= until && !(revoked_from && *revoked_from <= day);
  }
  // "device D-1", "person P-2", "unit pa/press"
  std::string target() const;
};

// Where a waiver stands on a day. Revoked wins once its revocation day has come; before its
// first day it is upcoming; after its last day, expired; otherwise active.
enum class WaiverState { kActive, kRevoked, kUpcoming, kExpired };
std::string_view name(WaiverState state);  // "active", "revoked", "upcoming", "expired"
WaiverState waiverState(const Waiver& waiver, Date day);

// Checks a waiver against its directive and the people as of its start: a target is given
// (one kind only), the directive has a waivers policy, the approver exists and holds its
// approver role, until >= from, the term (inclusive) does not exceed max_days, a unit-wide
// waiver only where unit_wide is allowed, a reason is given. InvalidArgument naming each
// problem.
Status validateWaiver(const Waiver& waiver, const policy::Directive& directive,
                      const std::vector<inventory::Person>& people);

// A request for a waiver of one device, made by its holder or an officer, and decided by a
// person holding the directive's approver role: approved (it then becomes a Waiver, exactly as
// one granted directly) or refused with a reason. A request is decided once.
enum class WaiverRequestState { kPending, kApproved, kRefused };
std::string_view name(WaiverRequestState state);  // "pending", "approved", "refused"
std::optional<WaiverRequestState> parseWaiverRequestState(std::string_view text);

struct RequestedWaiver {
  std::string request_id;  // "WR-000001"
  std::string directive_id;
  std::string device_id;
  std::string requested_by;  // a person_id (or the operator's actor name)
  std::string reason;
  Date from;
  Date until;  // inclusive
  Date requested_on;
  WaiverRequestState state = WaiverRequestState::kPending;
  // Set once decided.
  std::string decided_by;  // the approver's person_id
  std::optional<Date> decided_on;
  std::string decision_reason;  // why it was refused (empty when approved)
  std::string waiver_id;        // the waiver an approval granted
};

// Checks a request against its directive: the directive has a waivers policy, until >= from,
// the term (inclusive) does not exceed max_days, a reason is given. InvalidArgument naming each
// problem (field "until" when only the term is wrong, "reason" when only the reason is).
Status validateWaiverRequest(const RequestedWaiver& request, const policy::Directive& directive);

// Ok when `person` may decide requests under `directive`: an active person holding the role
// its waivers policy names as approver. PermissionDenied naming the role otherwise.
Status checkApprover(const inventory::Person& person, const policy::Directive& directive);

// The waiver an approval by `approver` grants: the request's device, term and reason (its
// waiver_id is assigned when it is stored).
Waiver waiverFromRequest(const RequestedWaiver& request, const std::string& approver);
// The waivers of `directive_id` active on `day`, in their order (those applyWaivers applies).
std::vector<const Waiver*> activeWaivers(const std::vector<Waiver>& waivers,
                                         std::string_view directive_id, Date day);
// The first of `active` that covers the device `device_id` held by `person_id` of `unit`
// (nullptr for no holder); nullptr when none does. The rule applyWaivers applies.
const Waiver* coveringWaiver(const std::vector<const Waiver*>& active, std::string_view device_id,
                             const std::string* person_id, const std::string* unit);

// Turns every pending, overdue or unknown verdict covered by a waiver active on the
// evaluation's date into `exempt`, with a reason naming the waiver and its term.
void applyWaivers(policy::Evaluation& evaluation, const std::vector<Waiver>& waivers);

}  // namespace phaseout::campaign
