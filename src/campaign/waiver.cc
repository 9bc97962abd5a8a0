#include "campaign/waiver.h"

#include <algorithm>

#include "core/strings.h"

namespace phaseout::campaign {

std::string Waiver::target() const {
  if (!device_id.empty()) return "device " + device_id;
  if (!person_id.empty()) return "person " + person_id;
  return "unit " + unit;
}

std::string_view name(WaiverState state) {
  switch (state) {
    case WaiverState::kActive:
      return "active";
    case WaiverState::kRevoked:
      return "revoked";
    case WaiverState::kUpcoming:
      return "upcoming";
    case WaiverState::kExpired:
      return "expired";
  }
  return "active";
}

WaiverState waiverState(const Waiver& w, Date day) {
  if (w.revoked_from && *w.revoked_from <= day) return WaiverState::kRevoked;
  if (day < w.from) return WaiverState::kUpcoming;
  if (w.until < day) return WaiverState::kExpired;
  return WaiverState::kActive;
}

namespace {

// The term's problems under the directive's waivers policy (which must exist).
void termProblems(Date from, Date until, const policy::Directive& d,
                  std::vector<std::string>& problems) {
  if (until < from) {
    problems.push_back("its last day (until) " + until.toString() + " is before its first (from) " +
                       from.toString());
    return;
  }
  const int days = from.daysUntil(until) + 1;
  if (days > d.waivers->max_days) {
    problems.push_back("the term is " + std::to_string(days) + " days; directive " + d.id +
                       " allows at most " + std::to_string(d.waivers->max_days));
  }
}

std::string noWaivers(const policy::Directive& d) {
  return "directive " + d.id + " allows no waivers (it has no 'waivers:' section)";
}

bool holdsRole(const inventory::Person& p, const std::string& role) {
  return std::any_of(p.roles.begin(), p.roles.end(),
                     [&](const std::string& r) { return iequals(r, role); });
}

}  // namespace

Status validateWaiver(const Waiver& w, const policy::Directive& d,
                      const std::vector<inventory::Person>& people) {
  std::vector<std::string> problems;
  const int targets =
      (w.device_id.empty() ? 0 : 1) + (w.person_id.empty() ? 0 : 1) + (w.unit.empty() ? 0 : 1);
  if (targets != 1) problems.push_back("name exactly one target: a device, a person or a unit");
  if (!d.waivers) {
    problems.push_back(noWaivers(d));
  } else {
    const auto& policy = *d.waivers;
    termProblems(w.from, w.until, d, problems);
    if (!w.unit.empty() && !policy.unit_wide) {
      problems.push_back("directive " + d.id + " does not allow whole-unit waivers");
    }
    auto approver = std::find_if(people.begin(), people.end(), [&](const inventory::Person& p) {
      return p.person_id == w.approver;
    });
    if (approver == people.end()) {
      problems.push_back("approver " + w.approver + " is not a known person on " +
                         w.from.toString());
    } else if (approver->status != inventory::EmploymentStatus::kActive ||
               !holdsRole(*approver, policy.approver_role)) {
      problems.push_back("approver " + w.approver + " does not hold the role '" +
                         policy.approver_role + "' that directive " + d.id + " requires");
    }
  }
  if (trim(w.reason).empty()) problems.push_back("a reason is required");
  if (problems.empty()) return Status::ok();
  return invalidArgument("waiver refused: " + join(problems, "; "));
}

std::string_view name(WaiverRequestState state) {
  switch (state) {
    case WaiverRequestState::kPending:
      return "pending";
    case WaiverRequestState::kApproved:
      return "approved";
    case WaiverRequestState::kRefused:
      return "refused";
  }
  return "pending";
}

std::optional<WaiverRequestState> parseWaiverRequestState(std::string_view text) {
  for (auto state : {WaiverRequestState::kPending, WaiverRequestState::kApproved,
                     WaiverRequestState::kRefused}) {
    if (text == name(state)) return state;
  }
  return std::nullopt;
}

Status validateWaiverRequest(const RequestedWaiver& r, const policy::Directive& d) {
  if (!d.waivers) return failedPrecondition(noWaivers(d));
  std::vector<std::string> term;
  termProblems(r.from, r.until, d, term);
  const bool no_reason = trim(r.reason).empty();
  if (term.empty() && !no_reason) return Status::ok();
  std::vector<std::string> problems = term;
  if (no_reason) problems.push_back("a reason is required");
  const std::string message = "waiver request refused: " + join(problems, "; ");
  if (term.empty()) return invalidField("reason", message);
  return no_reason ? invalidArgument(message) : invalidField("until", message);
}

Status checkApprover(const inventory::Person& person, const policy::Directive& d) {
  if (!d.waivers) return failedPrecondition(noWaivers(d));
  if (person.status == inventory::EmploymentStatus::kActive &&
      holdsRole(person, d.waivers->approver_role)) {
    return Status::ok();
  }
  return permissionDenied("only a person holding the role '" + d.waivers->approver_role +
                          "' decides waiver requests under directive " + d.id);
}

Waiver waiverFromRequest(const RequestedWaiver& r, const std::string& approver) {
  Waiver w;
  w.directive_id = r.directive_id;
  w.device_id = r.device_id;
  w.approver = approver;
  w.reason = r.reason;
  w.from = r.from;
  w.until = r.until;
  return w;
}

std::vector<const Waiver*> activeWaivers(const std::vector<Waiver>& waivers,
                                         std::string_view directive_id, Date day) {
  std::vector<const Waiver*> active;
  for (const Waiver& w : waivers) {
    if (w.directive_id == directive_id && w.activeOn(day)) active.push_back(&w);
  }
  return active;
}

const Waiver* coveringWaiver(const std::vector<const Waiver*>& active, std::string_view device_id,
                             const std::string* person_id, const std::string* unit) {
  for (const Waiver* w : active) {
    const bool covers = (!w->device_id.empty() && w->device_id == device_id) ||
                        (!w->person_id.empty() && person_id && w->person_id == *person_id) ||
                        (!w->unit.empty() && unit && policy::unitMatches(w->unit, *unit));
    if (covers) return w;
  }
  return nullptr;
}

void applyWaivers(policy::Evaluation& evaluation, const std::vector<Waiver>& waivers) {
  const std::vector<const Waiver*> active =
      activeWaivers(waivers, evaluation.directive_id, evaluation.as_of);
  if (active.empty()) return;
  for (policy::Verdict& v : evaluation.verdicts) {
    if (v.status == policy::VerdictStatus::kCompliant) continue;
    const Waiver* w =
        coveringWaiver(active, v.device->device_id, v.holder ? &v.holder->person_id : nullptr,
                       v.holder ? &v.holder->unit : nullptr);
    if (w == nullptr) continue;
    v.status = policy::VerdictStatus::kExempt;
    v.reason = policy::describeDevice(*v.device) + " held by " +
               (v.holder ? v.holder->person_id : std::string("nobody")) +
               " is exempt under waiver " + w->waiver_id + " (" + w->target() + ", approved by " +
               w->approver + ") until " + w->until.toString();
  }
}

}  // namespace phaseout::campaign
