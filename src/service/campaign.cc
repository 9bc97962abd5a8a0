#include "service/campaign.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "inventory/importer.h"
#include "inventory/sources/registry.h"
#include "service/directive.h"
#include "service/evidence.h"
#include "service/scope.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"

namespace phaseout::service {
namespace {

using storage::Transaction;

template <typename T, typename IdOf>
const T* findById(const std::vector<T>& records, std::string_view id, IdOf id_of) {
  auto it = std::lower_bound(records.begin(), records.end(), id,
                             [&](const T& r, std::string_view key) { return id_of(r) < key; });
  return it != records.end() && id_of(*it) == id ? &*it : nullptr;
}

const inventory::Person* findPerson(const std::vector<inventory::Person>& people,
                                    std::string_view id) {
  return findById(people, id,
                  [](const inventory::Person& p) -> std::string_view { return p.person_id; });
}

Result<policy::Directive> directiveOn(storage::Repository& repo, const std::string& id, Date day) {
  auto record = repo.directiveInForce(id, day);
  if (!record.isOk() && record.status().code() == StatusCode::kFailedPrecondition) {
    return record.status();
  }
  PH_RETURN_IF_ERROR(record.status());
  auto parsed = policy::parseDirective(record->source_text, id);
  if (!parsed.isOk()) return dataLoss("stored directive " + id + " no longer parses");
  return parsed;
}

// "pa-iphone-2023/D-01" or "D-01".
std::string deviceOfCase(const std::string& directive_id, const std::string& case_or_device) {
  const std::string prefix = directive_id + "/";
  if (case_or_device.rfind(prefix, 0) == 0) return case_or_device.substr(prefix.size());
  return case_or_device;
}

// A thing the caller may not see is reported exactly as a thing that does not exist.
Status hidden(const Caller& caller, const Status& status, const std::string& what) {
  if (caller.scope.all_units || status.code() != StatusCode::kNotFound) return status;
  return notFound(what + " not found");
}

Result<campaign::History> loadHistory(storage::Repository& repo, const std::string& directive_id,
                                      const std::string& device_id = "") {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(auto history,
                      storage::CampaignStore(repo).loadHistory(directive_id, device_id));
  PH_RETURN_IF_ERROR(tx->commit());
  return history;
}

}  // namespace

Result<DispositionOutcome> recordDisposition(const Caller& caller, Workspace& ws,
                                             const DispositionRequest& req,
                                             const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date on = recording.day();
  std::string evidence_bytes;
  if (!req.evidence_path.empty()) {
    PH_ASSIGN_OR_RETURN(evidence_bytes, readFile(req.evidence_path));
  }
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  const std::string what = "device " + req.device_id;
  auto loaded = repo.loadDevice(req.device_id, on);
  if (!loaded.isOk()) return hidden(caller, loaded.status(), what);
  const inventory::Device current = std::move(loaded).value();
  std::string unit;  // the holder's; only a narrower caller needs it
  if (!caller.scope.all_units && !current.holder.empty()) {
    auto holder = repo.loadPerson(current.holder, on);
    if (holder.isOk()) unit = holder->unit;
  }
  PH_RETURN_IF_ERROR(caller.mayAct(unit, current.holder, what));
  if (!req.evidence_sha256.empty()) {
    if (!req.evidence_path.empty()) {
      return invalidField("evidence", "give an evidence file or an uploaded SHA-256, not both");
    }
    PH_RETURN_IF_ERROR(checkEvidence(ws, req.evidence_sha256, "evidence"));
  }
  if (req.by.empty()) return invalidField("by", "name the person who records the disposition");
  if (!repo.loadPerson(req.by, on).isOk()) {
    return notFound("no person '" + req.by + "' on " + on.toString()).withField("by");
  }
  PH_ASSIGN_OR_RETURN(inventory::Device next, campaign::dispose(current, req.as, req.to, on));

  DispositionOutcome outcome;
  outcome.on = on;
  nlohmann::ordered_json detail{
      {"device", req.device_id}, {"as", campaign::name(req.as)}, {"by", req.by}, {"to", req.to},
      {"note", req.note},        {"holder", current.holder}};
  if (!req.evidence_path.empty()) {
    storage::CampaignStore store(repo);
    PH_ASSIGN_OR_RETURN(
        auto file,
        store.storeEvidence(std::filesystem::path(req.evidence_path).filename(), evidence_bytes));
    detail["evidence"] = {
        {"name", file.name}, {"sha256", file.sha256}, {"size_bytes", file.size_bytes}};
    outcome.evidence = EvidenceFile{file.name, file.sha256, file.size_bytes};
  } else if (!req.evidence_sha256.empty()) {
    PH_ASSIGN_OR_RETURN(auto bytes, storage::CampaignStore(repo).loadEvidence(req.evidence_sha256));
    const auto size = static_cast<std::int64_t>(bytes.size());
    detail["evidence"] = {{"name", ""}, {"sha256", req.evidence_sha256}, {"size_bytes", size}};
    outcome.evidence = EvidenceFile{"", req.evidence_sha256, size};
  }
  PH_ASSIGN_OR_RETURN(
      outcome.event_seq,
      repo.recordDeviceVersion(next, changeContext(caller, recording, "record disposition", on),
                               "disposition", req.device_id, detail.dump()));
  PH_RETURN_IF_ERROR(tx->commit());
  outcome.device = std::move(next);
  return outcome;
}

Result<ReplacementOutcome> recordReplacement(const Caller& caller, Workspace& ws,
                                             const ReplacementRequest& req,
                                             const Recording& recording) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date on = recording.day();
  PH_ASSIGN_OR_RETURN(std::string directive_id, resolveDirective(caller, ws, req.directive_id));
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto directive, directiveOn(repo, directive_id, on));
  const std::string what = "person " + req.person_id;
  auto loaded = repo.loadPerson(req.person_id, on);
  if (!loaded.isOk()) return hidden(caller, loaded.status(), what);
  const inventory::Person person = std::move(loaded).value();
  PH_RETURN_IF_ERROR(caller.mayAct(person.unit, person.person_id, what));
  if (person.status != inventory::EmploymentStatus::kActive) {
    return failedPrecondition("person " + req.person_id + " has left; no replacement is recorded");
  }
  // The replacement goes through the same strict parser and normaliser as an import.
  std::string text;
  std::string source;
  const inventory::Source* format = inventory::findSource("json");
  if (!req.device_file.empty()) {
    PH_ASSIGN_OR_RETURN(text, readFile(req.device_file));
    PH_ASSIGN_OR_RETURN(format, inventory::sourceForPath(req.device_file));
    source = req.device_file;
  } else {
    if (req.model.empty() && req.platform.empty()) {
      return invalidField("model",
                          "describe the replacement: a device file, or a model and a platform");
    }
    std::string id = req.device_id;
    if (id.empty()) {
      int n = 1;
      while (true) {
        PH_ASSIGN_OR_RETURN(bool taken,
                            repo.deviceExists("R-" + req.person_id + "-" + std::to_string(n)));
        if (!taken) break;
        ++n;
      }
      id = "R-" + req.person_id + "-" + std::to_string(n);
    }
    nlohmann::ordered_json row{{"device_id", id},
                               {"holder", req.person_id},
                               {"kind", req.kind.empty() ? "phone" : req.kind},
                               {"vendor", req.vendor},
                               {"model", req.model},
                               {"platform", req.platform},
                               {"os_version", req.os_version},
                               {"ownership", "corporate"},
                               {"channel", req.channel},
                               {"serial", req.serial},
                               {"imei", req.imei}};
    text = nlohmann::ordered_json::array({row}).dump();
    source = "replacement.json";
  }
  PH_ASSIGN_OR_RETURN(auto parsed,
                      inventory::parseDevices(text, source, *format, [&](std::string_view id) {
                        return id == req.person_id;
                      }));
  if (parsed.size() != 1) {
    return invalidArgument(source + ": expected exactly one device, found " +
                           std::to_string(parsed.size()));
  }
  inventory::Device device = std::move(parsed.front());
  if (device.holder.empty()) device.holder = req.person_id;
  if (device.holder != req.person_id) {
    return invalidArgument(source + ": the device's holder " + device.holder + " is not " +
                           req.person_id);
  }
  PH_ASSIGN_OR_RETURN(bool exists, repo.deviceExists(device.device_id));
  if (exists) {
    return alreadyExists("device " + device.device_id +
                         " already exists; a replacement is a new device");
  }
  if (device.state != platform::DeviceState::kActive) {
    return invalidArgument(source + ": a replacement must be active");
  }
  PH_RETURN_IF_ERROR(campaign::checkReplacement(directive, device));

  nlohmann::ordered_json detail{{"directive", directive_id},
                                {"person", req.person_id},
                                {"device", device.device_id},
                                {"model", device.model},
                                {"platform", platform::name(device.platform)},
                                {"channel", platform::name(device.channel)}};
  ReplacementOutcome outcome;
  outcome.on = on;
  outcome.directive_id = directive_id;
  PH_ASSIGN_OR_RETURN(
      outcome.event_seq,
      repo.recordDeviceVersion(device, changeContext(caller, recording, "record replacement", on),
                               "replacement", req.person_id, detail.dump()));
  PH_RETURN_IF_ERROR(tx->commit());
  outcome.device = std::move(device);
  return outcome;
}

Result<campaign::Waiver> grantWaiver(const Caller& caller, Workspace& ws, const WaiverRequest& req,
                                     const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("grant waivers"));
  if (!req.until) return invalidField("until", "a waiver is never open-ended");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(std::string directive_id, resolveDirective(caller, ws, req.directive_id));
  const Date from = req.from.value_or(recording.day());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  auto directive = directiveOn(repo, directive_id, from);
  if (!directive.isOk() && directive.status().code() == StatusCode::kFailedPrecondition) {
    // A waiver may be granted ahead of the directive's start: judge it by the latest version.
    PH_ASSIGN_OR_RETURN(auto latest, repo.getDirective(directive_id));
    directive = policy::parseDirective(latest.source_text, directive_id);
  }
  PH_RETURN_IF_ERROR(directive.status());
  PH_ASSIGN_OR_RETURN(auto people, repo.loadPeople(from));
  campaign::Waiver w;
  w.directive_id = directive_id;
  w.device_id = req.device_id;
  w.person_id = req.person_id;
  w.unit = req.unit;
  w.approver = req.approver;
  w.reason = req.reason;
  w.from = from;
  w.until = *req.until;
  PH_RETURN_IF_ERROR(campaign::validateWaiver(w, *directive, people));
  if (!w.device_id.empty()) {
    PH_ASSIGN_OR_RETURN(bool exists, repo.deviceExists(w.device_id));
    if (!exists) return notFound("no device '" + w.device_id + "'").withField("device");
  }
  if (!w.person_id.empty() && !findPerson(people, w.person_id)) {
    return notFound("no person '" + w.person_id + "' on " + w.from.toString()).withField("person");
  }
  storage::CampaignStore store(repo);
  PH_ASSIGN_OR_RETURN(
      auto stored, store.grantWaiver(w, changeContext(caller, recording, "waiver grant", w.from)));
  PH_RETURN_IF_ERROR(tx->commit());
  return stored;
}

Result<WaiverRevoked> revokeWaiver(const Caller& caller, Workspace& ws,
                                   const std::string& waiver_id, const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("revoke waivers"));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date on = recording.day();
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  storage::CampaignStore store(repo);
  PH_RETURN_IF_ERROR(
      store.revokeWaiver(waiver_id, on, changeContext(caller, recording, "waiver revoke", on)));
  PH_RETURN_IF_ERROR(tx->commit());
  return WaiverRevoked{waiver_id, on};
}

Result<WaiverList> listWaivers(const Caller& caller, Workspace& ws,
                               const WaiverListRequest& request) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  WaiverList list;
  list.at = dayOrToday(request.at, request.now_ms);
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(list.waivers, storage::CampaignStore(repo).loadWaivers(request.directive_id));
  if (!caller.scope.all_units && !list.waivers.empty()) {
    PH_ASSIGN_OR_RETURN(auto people, repo.loadPeople(list.at));
    PH_ASSIGN_OR_RETURN(auto devices, repo.loadDevices(list.at));
    std::erase_if(list.waivers, [&](const campaign::Waiver& w) {
      return !seesWaiver(caller, w, people, devices);
    });
  }
  PH_RETURN_IF_ERROR(tx->commit());
  return list;
}

Result<CaseList> listCases(const Caller& caller, Workspace& ws, const CaseListRequest& request) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  const Date as_of = dayOrToday(request.at, request.now_ms);
  const CaseFilter& filter = request.filter;
  PH_ASSIGN_OR_RETURN(campaign::History history, loadHistory(repo, id));
  restrictToScope(caller, history);
  CaseList list;
  list.directive_id = id;
  list.as_of = as_of;
  auto snapshot = campaign::snapshotOn(history, as_of);
  if (!snapshot) {
    return failedPrecondition("directive '" + id + "' was not yet in force on " + as_of.toString());
  }
  list.milestones = campaign::milestoneChecks(snapshot->directive->directive, snapshot->people,
                                              snapshot->devices, snapshot->evaluation);
  const policy::Milestone* milestone = nullptr;
  if (!filter.milestone.empty()) {
    for (const auto& m : snapshot->directive->directive.milestones) {
      if (m.name == filter.milestone) milestone = &m;
    }
    if (!milestone) {
      return invalidField("milestone",
                          "directive " + id + " has no milestone '" + filter.milestone + "'");
    }
  }
  std::optional<campaign::CaseStage> stage;
  if (!filter.stage.empty()) {
    stage = campaign::parseCaseStage(filter.stage);
    if (!stage) {
      return invalidField("status",
                          "expected one of open, notified, acknowledged, replacement-issued, "
                          "surrendered, verified, closed, waived; got \"" +
                              filter.stage + "\"");
    }
  }
  for (auto& c : campaign::casesOn(history, as_of)) {
    if (!seesCase(caller, c)) continue;
    if (!filter.unit.empty() && !policy::unitMatches(filter.unit, c.unit)) continue;
    if (stage && c.stage != *stage) continue;
    if (filter.overdue && c.verdict != policy::VerdictStatus::kOverdue) continue;
    if (milestone) {
      bool met = false;
      if (milestone->requires_what == policy::kRequiresBannedDevicesSurrendered) {
        met = c.surrendered;
      } else if (milestone->requires_what == policy::kRequiresAllowedReplacementHeld) {
        met = c.replacement_held;
      } else {
        met = c.verdict == policy::VerdictStatus::kCompliant ||
              c.verdict == policy::VerdictStatus::kExempt;
      }
      if (met) continue;
    }
    list.cases.push_back(std::move(c));
  }
  return list;
}

Result<campaign::CaseView> showCase(const Caller& caller, Workspace& ws,
                                    const CaseRequest& request) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  const Date as_of = dayOrToday(request.at, request.now_ms);
  const std::string& case_or_device = request.case_or_device;
  std::string id = request.directive_id;
  const auto slash = case_or_device.find('/');
  if (id.empty() && slash != std::string::npos) id = case_or_device.substr(0, slash);
  PH_ASSIGN_OR_RETURN(id, resolveDirective(caller, ws, id));
  const std::string device = deviceOfCase(id, case_or_device);
  // Only this device and its holders: judging one case stays fast on a big inventory.
  PH_ASSIGN_OR_RETURN(campaign::History history, loadHistory(repo, id, device));
  restrictToScope(caller, history);
  if (history.directiveOn(as_of) == nullptr) {
    return failedPrecondition("directive '" + id + "' was not yet in force on " + as_of.toString());
  }
  for (auto& c : campaign::casesOn(history, as_of)) {
    if (c.device_id == device && seesCase(caller, c)) return std::move(c);
  }
  return notFound("no case for device '" + device + "' under " + id + " on " + as_of.toString() +
                  "; see 'phaseout case list'");
}

Result<campaign::CaseStep> recordCaseStep(const Caller& caller, Workspace& ws,
                                          const CaseStepRequest& request,
                                          const Recording& recording) {
  const campaign::CaseStage stage = request.stage;
  if (stage == campaign::CaseStage::kOpen || stage == campaign::CaseStage::kWaived ||
      stage == campaign::CaseStage::kSurrendered ||
      stage == campaign::CaseStage::kReplacementIssued) {
    return invalidField("to", std::string("a case becomes '") + std::string(campaign::name(stage)) +
                                  "' from what is recorded (case opening, 'waiver grant', "
                                  "'record disposition', 'record replacement'), not by hand");
  }
  const Date on = recording.day();
  PH_ASSIGN_OR_RETURN(
      auto view,
      showCase(caller, ws, CaseRequest{request.directive_id, request.case_or_device, on, 0}));
  PH_RETURN_IF_ERROR(caller.mayAct(view.unit, view.person_id, "case " + view.case_id));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  campaign::CaseStep step;
  step.directive_id = view.directive_id;
  step.device_id = view.device_id;
  step.stage = stage;
  step.on = on;
  step.actor = caller.actor;
  step.note = request.note;
  PH_ASSIGN_OR_RETURN(step.seq, storage::CampaignStore(repo).recordCaseStep(
                                    step, changeContext(caller, recording, "case step", on)));
  PH_RETURN_IF_ERROR(tx->commit());
  return step;
}

}  // namespace phaseout::service
