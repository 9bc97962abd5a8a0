#include "service/self_service.h"

#include <nlohmann/json.hpp>

#include "inventory/importer.h"
#include "inventory/sources/registry.h"
#include "report/campaign_report.h"
#include "service/campaign.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"

namespace phaseout::service {
namespace {

using nlohmann::ordered_json;
using storage::Transaction;

// A pending hand-over of one device: the last "handover.report" not followed by a
// confirmation. Must run inside a transaction.
struct Pending {
  std::int64_t seq = 0;
  std::string to;
};

Result<std::optional<Pending>> pendingHandover(storage::Repository& repo,
                                               const std::string& device_id) {
  std::optional<Pending> pending;
  // The device's events only (indexed by subject), not the whole trail.
  PH_RETURN_IF_ERROR(repo.forEachEventAbout(device_id, [&](const audit::Event& e) -> Status {
    if (e.subject != device_id) return Status::ok();
    if (e.kind == "handover.report") {
      const auto payload = nlohmann::json::parse(e.payload, nullptr, false);
      std::string to;
      if (payload.is_object() && payload.contains("detail") && payload["detail"].is_object()) {
        to = payload["detail"].value("to", "");
      }
      pending = Pending{e.seq, to};
    } else if (e.kind == "handover.confirm" || e.kind == "disposition") {
      pending.reset();  // confirmed, or the device left in another way
    }
    return Status::ok();
  }));
  return pending;
}

// The device and its holder's unit on `day`; NotFound naming it when absent or out of view.
struct Held {
  inventory::Device device;
  std::string unit;
};

Result<Held> visibleDevice(const Caller& caller, storage::Repository& repo,
                           const std::string& device_id, Date day) {
  const Status hidden = notFound("device " + device_id + " not found");
  auto device = repo.loadDevice(device_id, day);
  if (!device.isOk()) {
    return device.status().code() == StatusCode::kNotFound ? hidden : device.status();
  }
  Held held{std::move(device).value(), ""};
  if (!held.device.holder.empty()) {
    auto holder = repo.loadPerson(held.device.holder, day);
    if (holder.isOk()) held.unit = holder->unit;
  }
  if (!caller.sees(held.unit, held.device.holder)) return hidden;
  if (!caller.scope.all_units && held.device.holder.empty()) return hidden;
  return held;
}

bool isOwn(const Caller& caller, const std::string& holder) {
  return !caller.person_id.empty() && caller.person_id == holder;
}

}  // namespace

Result<campaign::CaseStep> acknowledgeNotice(const Caller& caller, Workspace& ws,
                                             const AcknowledgeRequest& request,
                                             const Recording& recording) {
  const Date on = recording.day();
  PH_ASSIGN_OR_RETURN(auto view, showCase(caller, ws,
                                          CaseRequest{request.directive_id, request.device_id, on,
                                                      recording.now_ms}));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto held, visibleDevice(caller, repo, view.device_id, on));
  if (!isOwn(caller, held.device.holder)) {
    PH_RETURN_IF_ERROR(caller.mayAct(held.unit, held.device.holder, "case " + view.case_id));
  }
  campaign::CaseStep step;
  step.directive_id = view.directive_id;
  step.device_id = view.device_id;
  step.stage = campaign::CaseStage::kAcknowledged;
  step.on = on;
  step.actor = caller.actor;
  step.note = request.note;
  PH_ASSIGN_OR_RETURN(step.seq,
                      storage::CampaignStore(repo).recordCaseStep(
                          step, changeContext(caller, recording, "acknowledge notice", on)));
  PH_RETURN_IF_ERROR(tx->commit());
  return step;
}

Result<DeclarationOutcome> declareDevice(const Caller& caller, Workspace& ws,
                                         const DeclarationRequest& request,
                                         const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date on = recording.day();
  const std::string person_id = request.person_id.empty() ? caller.person_id : request.person_id;
  if (person_id.empty()) return invalidField("person", "name the person who holds the device");
  if (request.model.empty() && request.platform.empty()) {
    return invalidField("model", "describe the device: a model or a platform");
  }
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  const std::string what = "person " + person_id;
  auto person = repo.loadPerson(person_id, on);
  if (!person.isOk()) {
    if (person.status().code() != StatusCode::kNotFound) return person.status();
    return notFound(what + " not found").withField("person");
  }
  if (!isOwn(caller, person_id)) {
    auto allowed = caller.mayAct(person->unit, person_id, what);
    if (!allowed.isOk()) return std::move(allowed).withField("person");
  }
  if (person->status != inventory::EmploymentStatus::kActive) {
    return failedPrecondition(what + " has left; no device is declared");
  }
  int n = 1;
  std::string id;
  while (true) {
    id = "DECL-" + person_id + "-" + std::to_string(n);
    PH_ASSIGN_OR_RETURN(bool taken, repo.deviceExists(id));
    if (!taken) break;
    ++n;
  }
  // Through the same strict parser and normaliser as an import.
  ordered_json row{{"device_id", id},
                   {"holder", person_id},
                   {"kind", request.kind.empty() ? "phone" : request.kind},
                   {"vendor", request.vendor},
                   {"model", request.model},
                   {"platform", request.platform},
                   {"os_version", request.os_version},
                   {"ownership", "personal"},
                   {"channel", request.channel},
                   {"serial", request.serial},
                   {"imei", request.imei}};
  const inventory::Source* format = inventory::findSource("json");
  PH_ASSIGN_OR_RETURN(auto parsed, inventory::parseDevices(
                                       ordered_json::array({row}).dump(), "declaration", *format,
                                       [&](std::string_view h) { return h == person_id; }));
  DeclarationOutcome out;
  out.device = std::move(parsed.front());
  ordered_json detail{{"device", id},
                      {"person", person_id},
                      {"model", out.device.model},
                      {"platform", platform::name(out.device.platform)},
                      {"note", request.note}};
  PH_ASSIGN_OR_RETURN(
      out.event_seq,
      repo.recordDeviceVersion(out.device, changeContext(caller, recording, "declare device", on),
                               "device.declare", id, detail.dump()));
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

Result<HandoverReported> reportHandover(const Caller& caller, Workspace& ws,
                                        const HandoverReport& request, const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date on = recording.day();
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto held, visibleDevice(caller, repo, request.device_id, on));
  if (!isOwn(caller, held.device.holder)) {
    return permissionDenied("only the holder reports handing over device " + request.device_id);
  }
  if (request.to.empty()) return invalidField("to", "name the person the device was handed to");
  if (request.to == held.device.holder) {
    return invalidField("to", "the device is already held by " + request.to);
  }
  auto recipient = repo.loadPerson(request.to, on);
  if (!recipient.isOk()) {
    if (recipient.status().code() != StatusCode::kNotFound) return recipient.status();
    return notFound("no person '" + request.to + "' on " + on.toString()).withField("to");
  }
  PH_ASSIGN_OR_RETURN(auto pending, pendingHandover(repo, request.device_id));
  if (pending) {
    return failedPrecondition("a hand-over of device " + request.device_id +
                              " is already reported (audit entry " + std::to_string(pending->seq) +
                              ") and awaits confirmation");
  }
  const storage::ChangeContext change = changeContext(caller, recording, "report hand-over", on);
  audit::Event event;
  event.effective_day = change.effective.days();
  event.recorded_ms = change.recorded_ms;
  event.actor = change.actor;
  event.kind = "handover.report";
  event.subject = request.device_id;
  event.payload = ordered_json{{"detail",
                                {{"device", request.device_id},
                                 {"from", held.device.holder},
                                 {"to", request.to},
                                 {"note", request.note}}}}
                      .dump();
  HandoverReported out{request.device_id, held.device.holder, request.to, 0};
  PH_ASSIGN_OR_RETURN(out.event_seq, repo.appendEvent(std::move(event)));
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

Result<HandoverConfirmed> confirmHandover(const Caller& caller, Workspace& ws,
                                          const std::string& device_id,
                                          const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date on = recording.day();
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto held, visibleDevice(caller, repo, device_id, on));
  PH_RETURN_IF_ERROR(caller.mayAct(held.unit, held.device.holder, "device " + device_id));
  PH_ASSIGN_OR_RETURN(auto pending, pendingHandover(repo, device_id));
  if (!pending) {
    return failedPrecondition("no hand-over of device " + device_id + " awaits confirmation");
  }
  auto recipient = repo.loadPerson(pending->to, on);
  if (!recipient.isOk()) {
    return failedPrecondition("the recipient " + pending->to + " is not a person on " +
                              on.toString());
  }
  HandoverConfirmed out;
  out.device = held.device;
  out.device.holder = pending->to;
  out.report_seq = pending->seq;
  ordered_json detail{{"device", device_id},
                      {"from", held.device.holder},
                      {"to", pending->to},
                      {"report", pending->seq}};
  PH_ASSIGN_OR_RETURN(out.event_seq,
                      repo.recordDeviceVersion(
                          out.device, changeContext(caller, recording, "confirm hand-over", on),
                          "handover.confirm", device_id, detail.dump()));
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

std::string caseStepJsonLine(const campaign::CaseStep& step) { return report::caseStepJson(step); }

std::string declarationJson(const DeclarationOutcome& o) {
  return ordered_json{{"device_id", o.device.device_id},
                      {"person_id", o.device.holder},
                      {"model", o.device.model},
                      {"platform", platform::name(o.device.platform)},
                      {"kind", platform::name(o.device.kind)},
                      {"event", o.event_seq}}
             .dump() +
         "\n";
}

std::string handoverReportedJson(const HandoverReported& r) {
  return ordered_json{
             {"device_id", r.device_id}, {"from", r.from}, {"to", r.to}, {"event", r.event_seq}}
             .dump() +
         "\n";
}

std::string handoverConfirmedJson(const HandoverConfirmed& c) {
  return ordered_json{{"device_id", c.device.device_id},
                      {"holder", c.device.holder},
                      {"report", c.report_seq},
                      {"event", c.event_seq}}
             .dump() +
         "\n";
}

}  // namespace phaseout::service
