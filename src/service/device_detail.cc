#include "service/device_detail.h"

#include <nlohmann/json.hpp>

#include "campaign/waiver.h"
#include "report/campaign_report.h"
#include "report/sightings_report.h"
#include "service/campaign.h"
#include "service/sightings.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"

namespace phaseout::service {
namespace {

using nlohmann::ordered_json;

bool namesDevice(const audit::Event& e, const std::string& device_id) {
  if (e.subject == device_id) return true;
  // Case steps are about "<directive>/<device>".
  const auto slash = e.subject.rfind('/');
  return slash != std::string::npos &&
         e.subject.compare(slash + 1, std::string::npos, device_id) == 0 &&
         e.kind.rfind("case.", 0) == 0;
}

}  // namespace

Result<DeviceDetail> deviceDetail(const Caller& caller, Workspace& ws,
                                  const DeviceDetailRequest& request) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  DeviceDetail out;
  out.as_of = dayOrToday(request.at, request.now_ms);
  const Status hidden = notFound("device " + request.device_id + " not found");
  std::vector<storage::DirectiveRecord> directives;
  {
    PH_ASSIGN_OR_RETURN(
        auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kRead));
    auto device = repo.loadDevice(request.device_id, out.as_of);
    if (!device.isOk()) {
      return device.status().code() == StatusCode::kNotFound ? hidden : device.status();
    }
    out.device = std::move(device).value();
    if (!out.device.holder.empty()) {
      auto holder = repo.loadPerson(out.device.holder, out.as_of);
      if (holder.isOk()) out.holder = std::move(holder).value();
    }
    const std::string unit = out.holder ? out.holder->unit : std::string();
    if (!caller.sees(unit, out.device.holder) || (!caller.scope.all_units && !out.holder)) {
      return hidden;
    }
    PH_ASSIGN_OR_RETURN(directives, repo.listDirectives());
    storage::CampaignStore store(repo);
    for (const auto& listed : directives) {
      auto in_force = repo.directiveInForce(listed.directive_id, out.as_of);
      if (!in_force.isOk()) continue;  // not yet in force on the day
      PH_ASSIGN_OR_RETURN(auto directive, parseStoredDirective(*in_force));
      std::vector<inventory::Person> people;
      if (out.holder) people.push_back(*out.holder);
      const std::vector<inventory::Device> devices{out.device};
      auto evaluation = policy::evaluate(directive, people, devices, out.as_of);
      PH_ASSIGN_OR_RETURN(auto waivers, store.loadWaivers(listed.directive_id));
      campaign::applyWaivers(evaluation, waivers);
      DeviceVerdictView view;
      view.directive_id = listed.directive_id;
      if (!evaluation.verdicts.empty()) {
        const auto& v = evaluation.verdicts.front();
        view.in_scope = true;
        view.status = v.status;
        view.rule = v.rule;
        view.reason = v.reason;
      }
      out.verdicts.push_back(std::move(view));
    }
    // The device's own events and its cases' (indexed by subject), not the whole trail.
    PH_RETURN_IF_ERROR(
        repo.forEachEventAbout(request.device_id, [&](const audit::Event& e) -> Status {
          if (!namesDevice(e, request.device_id)) return Status::ok();
          out.events.push_back(
              {e.seq, Date::fromDays(e.effective_day), e.recorded_ms, e.actor, e.kind});
          const auto payload = nlohmann::json::parse(e.payload, nullptr, false);
          if (payload.is_object() && payload.contains("detail") && payload["detail"].is_object()) {
            const auto& detail = payload["detail"];
            if (detail.contains("evidence") && detail["evidence"].is_object()) {
              const auto& ev = detail["evidence"];
              out.evidence.push_back({e.seq, ev.value("name", ""), ev.value("sha256", ""),
                                      ev.value("size_bytes", std::int64_t{0})});
            }
          }
          return Status::ok();
        }));
    PH_RETURN_IF_ERROR(tx->commit());
  }
  for (const auto& listed : directives) {
    auto c = showCase(
        caller, ws, CaseRequest{listed.directive_id, request.device_id, out.as_of, request.now_ms});
    if (c.isOk()) {
      out.cases.push_back(std::move(c).value());
    } else if (c.status().code() != StatusCode::kNotFound &&
               c.status().code() != StatusCode::kFailedPrecondition) {
      return c.status();
    }
    if (out.versions.empty()) {
      PH_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(repo.connection(),
                                                               storage::Transaction::Mode::kRead));
      PH_ASSIGN_OR_RETURN(auto history, storage::CampaignStore(repo).loadHistory(
                                            listed.directive_id, request.device_id));
      PH_RETURN_IF_ERROR(tx->commit());
      for (const auto& v : history.devices) {
        if (v.record.device_id != request.device_id) continue;
        out.versions.push_back(
            {Date::fromDays(v.valid_from), v.seq, v.record.holder, v.record.state});
      }
    }
  }
  PH_ASSIGN_OR_RETURN(out.sightings,
                      listSightings(caller, ws, SightingFilter{request.device_id, {}, out.as_of}));
  return out;
}

std::string deviceDetailJson(const DeviceDetail& d) {
  const auto& dev = d.device;
  ordered_json device{{"device_id", dev.device_id},
                      {"holder", dev.holder},
                      {"kind", platform::name(dev.kind)},
                      {"vendor", dev.vendor},
                      {"model", dev.model},
                      {"platform", platform::name(dev.platform)},
                      {"os_version", dev.os_version},
                      {"ownership", platform::name(dev.ownership)},
                      {"channel", platform::name(dev.channel)},
                      {"serial", dev.serial},
                      {"imei", dev.imei},
                      {"macs", dev.macs},
                      {"hostname", dev.hostname},
                      {"state", platform::name(dev.state)}};
  ordered_json holder = nullptr;
  if (d.holder) {
    holder = {{"person_id", d.holder->person_id},
              {"name", d.holder->name},
              {"unit", d.holder->unit},
              {"status", inventory::name(d.holder->status)}};
  }
  ordered_json verdicts = ordered_json::array();
  for (const auto& v : d.verdicts) {
    verdicts.push_back({{"directive", v.directive_id},
                        {"in_scope", v.in_scope},
                        {"status", policy::name(v.status)},
                        {"rule", v.rule},
                        {"reason", v.reason}});
  }
  ordered_json cases = ordered_json::array();
  for (const auto& c : d.cases) {
    // The same object `phaseout case show --format json` prints.
    cases.push_back(ordered_json::parse(report::caseJson(c), nullptr, false));
  }
  ordered_json versions = ordered_json::array();
  for (const auto& v : d.versions) {
    versions.push_back({{"valid_from", v.valid_from.toString()},
                        {"event", v.seq},
                        {"holder", v.holder},
                        {"state", platform::name(v.state)}});
  }
  ordered_json events = ordered_json::array();
  for (const auto& e : d.events) {
    events.push_back({{"seq", e.seq},
                      {"effective", e.effective.toString()},
                      {"recorded_ms", e.recorded_ms},
                      {"actor", e.actor},
                      {"kind", e.kind}});
  }
  ordered_json evidence = ordered_json::array();
  for (const auto& e : d.evidence) {
    evidence.push_back(
        {{"event", e.seq}, {"name", e.name}, {"sha256", e.sha256}, {"size_bytes", e.size_bytes}});
  }
  ordered_json out{{"as_of", d.as_of.toString()},
                   {"device", device},
                   {"holder", holder},
                   {"verdicts", verdicts},
                   {"cases", cases},
                   {"versions", versions},
                   {"events", events},
                   {"evidence", evidence}};
  // The same objects `phaseout sightings list --format json` prints.
  const auto sightings = ordered_json::parse(report::sightingListJson(d.sightings), nullptr, false);
  out["sightings"] = sightings.is_object() && sightings.contains("sightings")
                         ? sightings["sightings"]
                         : ordered_json::array();
  return out.dump() + "\n";
}

}  // namespace phaseout::service
