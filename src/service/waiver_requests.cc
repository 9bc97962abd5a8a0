#include "service/waiver_requests.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "service/directive.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"

namespace phaseout::service {
namespace {

using storage::Transaction;

// The directive version in force on `day`; before its start, its latest version (a waiver may
// be asked for ahead of the directive's start, as `waiver grant` allows).
Result<policy::Directive> directiveFor(storage::Repository& repo, const std::string& id, Date day) {
  auto record = repo.directiveInForce(id, day);
  if (!record.isOk() && record.status().code() == StatusCode::kFailedPrecondition) {
    record = repo.getDirective(id);
  }
  PH_RETURN_IF_ERROR(record.status());
  return parseStoredDirective(*record);
}

// The device as of `day` and its holder's unit ("" without a holder).
struct DeviceInView {
  inventory::Device device;
  std::string unit;
};

// NotFound (field "device") when the device does not exist on `day` or the caller does not
// see it: the two read the same.
Result<DeviceInView> deviceInView(const Caller& caller, storage::Repository& repo,
                                  const std::string& device_id, Date day) {
  const Status hidden = notFound("device " + device_id + " not found").withField("device");
  auto device = repo.loadDevice(device_id, day);
  if (!device.isOk()) {
    return device.status().code() == StatusCode::kNotFound ? hidden : device.status();
  }
  DeviceInView out{std::move(device).value(), ""};
  if (!out.device.holder.empty()) {
    auto holder = repo.loadPerson(out.device.holder, day);
    if (holder.isOk()) out.unit = holder->unit;
  }
  if (!caller.sees(out.unit, out.device.holder)) return hidden;
  return out;
}

std::string dayText(const std::optional<Date>& day) { return day ? day->toString() : ""; }

}  // namespace

Result<campaign::RequestedWaiver> requestWaiver(const Caller& caller, Workspace& ws,
                                                const WaiverAsk& ask, const Recording& recording) {
  if (ask.device_id.empty()) return invalidField("device", "name the device the waiver is for");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(std::string directive_id, resolveDirective(caller, ws, ask.directive_id));
  const Date today = recording.day();
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto in_view, deviceInView(caller, repo, ask.device_id, today));
  const bool own =
      !caller.scope.own_person.empty() && in_view.device.holder == caller.scope.own_person;
  if (!own) {
    PH_RETURN_IF_ERROR(
        caller.mayAct(in_view.unit, in_view.device.holder, "device " + ask.device_id));
  }
  if (!ask.until) return invalidField("until", "a waiver is never open-ended");
  campaign::RequestedWaiver r;
  r.directive_id = directive_id;
  r.device_id = ask.device_id;
  r.requested_by = caller.person_id.empty() ? caller.actor : caller.person_id;
  r.reason = ask.reason;
  r.from = ask.from.value_or(today);
  r.until = *ask.until;
  r.requested_on = today;
  PH_ASSIGN_OR_RETURN(auto directive, directiveFor(repo, directive_id, r.from));
  PH_RETURN_IF_ERROR(campaign::validateWaiverRequest(r, directive));
  storage::CampaignStore store(repo);
  PH_ASSIGN_OR_RETURN(auto existing, store.loadWaiverRequests(directive_id));
  for (const auto& e : existing) {
    if (e.device_id == r.device_id && e.state == campaign::WaiverRequestState::kPending) {
      return alreadyExists("device " + r.device_id + " has a pending waiver request (" +
                           e.request_id + ") under " + directive_id);
    }
  }
  PH_ASSIGN_OR_RETURN(auto stored, store.requestWaiver(r, changeContext(caller, recording,
                                                                        "waiver request", today)));
  PH_RETURN_IF_ERROR(tx->commit());
  return stored;
}

Result<WaiverDecided> decideWaiverRequest(const Caller& caller, Workspace& ws,
                                          const WaiverDecision& decision,
                                          const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date today = recording.day();
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  storage::CampaignStore store(repo);
  const Status hidden = notFound("waiver request " + decision.request_id + " not found");
  PH_ASSIGN_OR_RETURN(auto all, store.loadWaiverRequests());
  auto it = std::find_if(all.begin(), all.end(), [&](const campaign::RequestedWaiver& r) {
    return r.request_id == decision.request_id;
  });
  if (it == all.end()) return hidden;
  campaign::RequestedWaiver r = *it;
  auto in_view = deviceInView(caller, repo, r.device_id, today);
  if (!in_view.isOk()) {
    return in_view.status().code() == StatusCode::kNotFound ? hidden : in_view.status();
  }
  // Who decides: the person asking; only the operator at the terminal names them.
  std::string approver = caller.person_id;
  if (approver.empty()) {
    if (decision.approver.empty()) {
      return invalidField("approver", "name the person holding the directive's approver role");
    }
    approver = decision.approver;
  } else if (!decision.approver.empty() && decision.approver != approver) {
    return invalidField("approver", "a person decides as themself, not as " + decision.approver);
  }
  PH_ASSIGN_OR_RETURN(auto directive, directiveFor(repo, r.directive_id, today));
  auto person = repo.loadPerson(approver, today);
  if (!person.isOk()) {
    if (person.status().code() != StatusCode::kNotFound) return person.status();
    return notFound("no person '" + approver + "' on " + today.toString()).withField("approver");
  }
  if (Status may = campaign::checkApprover(*person, directive); !may.isOk()) {
    return caller.person_id.empty() ? invalidField("approver", may.message()) : may;
  }
  // Separation of duties: nobody decides a request for a device they hold.
  if (approver == in_view->device.holder) {
    const Status own = permissionDenied("waiver request " + r.request_id +
                                        " is decided by an approver other than " + approver +
                                        ", who holds the device");
    return caller.person_id.empty() ? invalidField("approver", own.message()) : own;
  }
  if (r.state != campaign::WaiverRequestState::kPending) {
    return failedPrecondition("waiver request " + r.request_id + " is already " +
                              std::string(campaign::name(r.state)));
  }
  WaiverDecided out;
  r.decided_by = approver;
  r.decided_on = today;
  if (decision.approve) {
    r.state = campaign::WaiverRequestState::kApproved;
    campaign::Waiver w = campaign::waiverFromRequest(r, approver);
    PH_ASSIGN_OR_RETURN(auto people, repo.loadPeople(w.from < today ? today : w.from));
    // The approver is judged as of the day they decide, whatever the waiver's first day.
    if (std::none_of(people.begin(), people.end(),
                     [&](const inventory::Person& p) { return p.person_id == approver; })) {
      people.push_back(*person);
    }
    PH_RETURN_IF_ERROR(campaign::validateWaiver(w, directive, people));
    out.waiver = std::move(w);
  } else {
    if (trim(decision.reason).empty()) {
      return invalidField("reason", "say why the waiver request is refused");
    }
    r.state = campaign::WaiverRequestState::kRefused;
    r.decision_reason = decision.reason;
  }
  PH_ASSIGN_OR_RETURN(
      out.request,
      store.decideWaiverRequest(
          r, out.waiver,
          changeContext(caller, recording, decision.approve ? "waiver approve" : "waiver refuse",
                        today)));
  if (out.waiver) out.waiver->waiver_id = out.request.waiver_id;
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

Result<std::vector<campaign::RequestedWaiver>> listWaiverRequests(
    const Caller& caller, Workspace& ws, const WaiverRequestListRequest& request) {
  std::optional<campaign::WaiverRequestState> state;
  if (!request.state.empty()) {
    state = campaign::parseWaiverRequestState(request.state);
    if (!state) {
      return invalidField("state",
                          "expected pending, approved or refused; got \"" + request.state + "\"");
    }
  }
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date today = Date::fromEpochMs(request.now_ms);
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(auto all,
                      storage::CampaignStore(repo).loadWaiverRequests(request.directive_id));
  std::vector<campaign::RequestedWaiver> out;
  for (auto& r : all) {
    if (state && r.state != *state) continue;
    if (!caller.scope.all_units) {
      auto in_view = deviceInView(caller, repo, r.device_id, today);
      if (!in_view.isOk()) {
        if (in_view.status().code() == StatusCode::kNotFound) continue;
        return in_view.status();
      }
    }
    out.push_back(std::move(r));
  }
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

namespace {

nlohmann::ordered_json requestObject(const campaign::RequestedWaiver& r) {
  return {{"request_id", r.request_id},
          {"directive", r.directive_id},
          {"device", r.device_id},
          {"requested_by", r.requested_by},
          {"reason", r.reason},
          {"from", r.from.toString()},
          {"until", r.until.toString()},
          {"requested_on", r.requested_on.toString()},
          {"state", campaign::name(r.state)},
          {"decided_by", r.decided_by},
          {"decided_on", dayText(r.decided_on)},
          {"decision_reason", r.decision_reason},
          {"waiver_id", r.waiver_id}};
}

}  // namespace

std::string waiverRequestJson(const campaign::RequestedWaiver& request) {
  return requestObject(request).dump(2) + "\n";
}

std::string waiverRequestListJson(const std::vector<campaign::RequestedWaiver>& requests) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& r : requests) list.push_back(requestObject(r));
  return nlohmann::ordered_json{{"requests", list}}.dump(2) + "\n";
}

std::string waiverRequestText(const campaign::RequestedWaiver& r) {
  std::string out = r.request_id + " " + std::string(campaign::name(r.state)) + "  device " +
                    r.device_id + " " + r.from.toString() + ".." + r.until.toString() + " by " +
                    r.requested_by + ": " + r.reason;
  if (r.state == campaign::WaiverRequestState::kApproved) {
    out += "\n  approved by " + r.decided_by + " on " + dayText(r.decided_on) + " as waiver " +
           r.waiver_id;
  } else if (r.state == campaign::WaiverRequestState::kRefused) {
    out += "\n  refused by " + r.decided_by + " on " + dayText(r.decided_on) + ": " +
           r.decision_reason;
  }
  return out + "\n";
}

std::string waiverRequestListText(const std::vector<campaign::RequestedWaiver>& requests) {
  std::string out;
  for (const auto& r : requests) out += waiverRequestText(r);
  out += std::to_string(requests.size()) + (requests.size() == 1 ? " request\n" : " requests\n");
  return out;
}

}  // namespace phaseout::service
