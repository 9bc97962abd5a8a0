// phaseout record disposition|replacement, waiver grant|list|revoke|request|approve|refuse,
// case list|show|step
#include <cstdio>

#include "cli/commands.h"
#include "report/campaign_report.h"
#include "service/campaign.h"
#include "service/waiver_requests.h"

namespace phaseout::cli {
namespace {

struct CampaignFlags {
  std::string directive;
  std::string on;
  std::string at;
  std::string format = "text";
  // record disposition
  std::string device;
  std::string as;
  std::string by;
  std::string to;
  std::string evidence;
  std::string note;
  // record replacement
  std::string person;
  service::ReplacementRequest replacement;
  // waiver
  std::string unit;
  std::string approver;
  std::string reason;
  std::string from;
  std::string until;
  std::string waiver_id;
  bool requests = false;      // waiver list --requests
  std::string request_state;  // waiver list --requests --state
  // case
  std::string case_id;
  std::string stage;
  std::string milestone;
  bool overdue = false;
};

void addFormat(CLI::App* cmd, CampaignFlags& f) {
  cmd->add_option("--format", f.format, "Output format")->check(CLI::IsMember({"text", "json"}));
}

Result<service::Recording> recording(const CampaignFlags& f) {
  PH_ASSIGN_OR_RETURN(auto on, parseDateFlag("--on", f.on));
  return service::Recording{on, nowMs()};
}

// Opens the workspace and runs `fn(caller, workspace)`: the Status it returns decides the exit.
template <typename Fn>
int withWorkspace(const CommandContext& ctx, Fn fn) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status s = fn(service::Caller::localOperator(ctx.actor), **ws);
  return s.isOk() ? kExitOk : reportError(s);
}

void print(const std::string& format, const std::string& json, const std::string& text) {
  std::fputs((format == "json" ? json : text).c_str(), stdout);
}

int runDisposition(const CommandContext& ctx, const CampaignFlags& f) {
  auto as = campaign::parseDisposition(f.as);
  if (!as) {
    return reportError(invalidField(
        "as", "expected returned, destroyed, transferred or lost; got \"" + f.as + "\""));
  }
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    service::DispositionRequest req{f.device, *as, f.by, f.to, f.evidence, f.note};
    PH_ASSIGN_OR_RETURN(auto out, service::recordDisposition(caller, ws, req, *rec));
    report::DispositionView view{&out.device, *as, out.on, f.by, f.to, "", "", out.event_seq};
    if (out.evidence) {
      view.evidence_name = out.evidence->name;
      view.evidence_sha256 = out.evidence->sha256;
    }
    print(f.format, report::dispositionJson(view), report::dispositionText(view));
    return Status::ok();
  });
}

int runReplacement(const CommandContext& ctx, const CampaignFlags& f) {
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    service::ReplacementRequest req = f.replacement;
    req.person_id = f.person;
    req.directive_id = f.directive;
    PH_ASSIGN_OR_RETURN(auto out, service::recordReplacement(caller, ws, req, *rec));
    print(f.format, report::replacementJson(out.device, out.on, out.event_seq),
          report::replacementText(out.device, out.on));
    return Status::ok();
  });
}

int runWaiverGrant(const CommandContext& ctx, const CampaignFlags& f) {
  auto from = parseDateFlag("--from", f.from);
  auto until = parseDateFlag("--until", f.until);
  if (!from.isOk()) return reportError(from.status());
  if (!until.isOk()) return reportError(until.status());
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    service::WaiverRequest req{f.directive, f.device, f.person, f.unit,
                               f.approver,  f.reason, *from,    *until};
    PH_ASSIGN_OR_RETURN(auto w, service::grantWaiver(caller, ws, req, *rec));
    print(f.format, report::waiverGrantedJson(w), report::waiverGrantedText(w));
    return Status::ok();
  });
}

int runWaiverList(const CommandContext& ctx, const CampaignFlags& f) {
  auto at = parseDateFlag("--at", f.at);
  if (!at.isOk()) return reportError(at.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto list, service::listWaivers(caller, ws, {f.directive, *at, nowMs()}));
    print(f.format, report::waiverListJson(list.waivers, list.at),
          report::waiverListText(list.waivers, list.at));
    return Status::ok();
  });
}

int runWaiverRequest(const CommandContext& ctx, const CampaignFlags& f) {
  auto from = parseDateFlag("--from", f.from);
  auto until = parseDateFlag("--until", f.until);
  if (!from.isOk()) return reportError(from.status());
  if (!until.isOk()) return reportError(until.status());
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    service::WaiverAsk ask{f.directive, f.device, f.reason, *from, *until};
    PH_ASSIGN_OR_RETURN(auto r, service::requestWaiver(caller, ws, ask, *rec));
    print(f.format, service::waiverRequestJson(r), service::waiverRequestText(r));
    return Status::ok();
  });
}

int runWaiverDecide(const CommandContext& ctx, const CampaignFlags& f, bool approve) {
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    service::WaiverDecision decision{f.waiver_id, approve, f.reason, f.approver};
    PH_ASSIGN_OR_RETURN(auto out, service::decideWaiverRequest(caller, ws, decision, *rec));
    print(f.format, service::waiverRequestJson(out.request),
          service::waiverRequestText(out.request));
    return Status::ok();
  });
}

int runWaiverRequestList(const CommandContext& ctx, const CampaignFlags& f) {
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto list, service::listWaiverRequests(
                                       caller, ws, {f.directive, f.request_state, nowMs()}));
    print(f.format, service::waiverRequestListJson(list), service::waiverRequestListText(list));
    return Status::ok();
  });
}

int runWaiverRevoke(const CommandContext& ctx, const CampaignFlags& f) {
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto revoked, service::revokeWaiver(caller, ws, f.waiver_id, *rec));
    print(f.format, report::waiverRevokedJson(revoked.waiver_id, revoked.revoked_from),
          report::waiverRevokedText(revoked.waiver_id, revoked.revoked_from));
    return Status::ok();
  });
}

int runCaseList(const CommandContext& ctx, const CampaignFlags& f) {
  auto at = parseDateFlag("--at", f.at);
  if (!at.isOk()) return reportError(at.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    service::CaseListRequest request{
        f.directive, *at, nowMs(), {f.unit, f.stage, f.milestone, f.overdue}};
    PH_ASSIGN_OR_RETURN(auto list, service::listCases(caller, ws, request));
    print(f.format,
          report::caseListJson(list.directive_id, list.as_of, list.cases, list.milestones),
          report::caseListText(list.as_of, list.cases, list.milestones));
    return Status::ok();
  });
}

int runCaseShow(const CommandContext& ctx, const CampaignFlags& f) {
  auto at = parseDateFlag("--at", f.at);
  if (!at.isOk()) return reportError(at.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto c,
                        service::showCase(caller, ws, {f.directive, f.case_id, *at, nowMs()}));
    print(f.format, report::caseJson(c), report::caseText(c));
    return Status::ok();
  });
}

int runCaseStep(const CommandContext& ctx, const CampaignFlags& f) {
  auto stage = campaign::parseCaseStage(f.stage);
  if (!stage) {
    return reportError(invalidField(
        "to", "expected notified, acknowledged, verified or closed; got \"" + f.stage + "\""));
  }
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto step, service::recordCaseStep(
                                       caller, ws, {f.directive, f.case_id, *stage, f.note}, *rec));
    print(f.format, report::caseStepJson(step), report::caseStepText(step));
    return Status::ok();
  });
}

}  // namespace

void registerCampaignCommands(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<CampaignFlags>();
  const char* on_help = "Day it took effect, YYYY-MM-DD (default: today; may lie in the past)";

  auto* record = app.add_subcommand("record", "Record what happened to a device or a person");
  record->require_subcommand(1);
  auto* disp = record->add_subcommand(
      "disposition", "Record the old device's fate: returned, destroyed, transferred or lost");
  disp->add_option("DEVICE", f->device, "Device id")->required();
  disp->add_option("--as", f->as, "returned | destroyed | transferred | lost")->required();
  disp->add_option("--on", f->on, on_help);
  disp->add_option("--by", f->by, "Person id of who records or witnessed it")->required();
  disp->add_option("--to", f->to, "Recipient of a transfer (e.g. \"family member\")");
  disp->add_option("--evidence", f->evidence, "A file (certificate, photo); hashed and stored");
  disp->add_option("--note", f->note, "Free text");
  addFormat(disp, *f);
  disp->callback([&ctx, f] { ctx.exit_code = runDisposition(ctx, *f); });

  auto* repl = record->add_subcommand(
      "replacement", "Record a replacement device; refused unless the directive allows it");
  repl->add_option("PERSON", f->person, "Person id of the holder")->required();
  repl->add_option("--directive", f->directive, "Directive id (default: the only one stored)");
  repl->add_option("--device-file", f->replacement.device_file,
                   "A .csv or .json file with exactly one device (import columns)");
  repl->add_option("--device-id", f->replacement.device_id,
                   "Id for the new device (default R-PERSON-N)");
  repl->add_option("--model", f->replacement.model, "Model, as the export says");
  repl->add_option("--vendor", f->replacement.vendor, "Vendor");
  repl->add_option("--platform", f->replacement.platform,
                   "Platform (android, aurora, ... or \"Aurora OS 4.0.2\")");
  repl->add_option("--os-version", f->replacement.os_version, "OS version");
  repl->add_option("--kind", f->replacement.kind, "Kind (default phone)");
  repl->add_option("--channel", f->replacement.channel, "official | parallel-import | personal");
  repl->add_option("--serial", f->replacement.serial, "Serial number");
  repl->add_option("--imei", f->replacement.imei, "IMEI");
  repl->add_option("--on", f->on, on_help);
  addFormat(repl, *f);
  repl->callback([&ctx, f] { ctx.exit_code = runReplacement(ctx, *f); });

  auto* waiver = app.add_subcommand(
      "waiver", "Grant, list and revoke waivers; request them and approve or refuse requests");
  waiver->require_subcommand(1);
  auto* grant = waiver->add_subcommand(
      "grant", "Exempt a device, a person or (where allowed) a unit for a bounded term");
  grant->add_option("--directive", f->directive, "Directive id (default: the only one stored)");
  auto* target = grant->add_option_group("target", "exactly one of");
  target->add_option("--device", f->device, "Device id");
  target->add_option("--person", f->person, "Person id (all of their devices)");
  target->add_option("--unit", f->unit, "Unit path or glob (only where the directive allows)");
  target->require_option(1);
  grant->add_option("--approver", f->approver, "Person id holding the directive's approver role")
      ->required();
  grant->add_option("--reason", f->reason, "Why")->required();
  grant->add_option("--from", f->from, "First day, YYYY-MM-DD (default today)");
  grant->add_option("--until", f->until, "Last day, YYYY-MM-DD (required: never open-ended)")
      ->required();
  addFormat(grant, *f);
  grant->callback([&ctx, f] { ctx.exit_code = runWaiverGrant(ctx, *f); });
  auto* wlist = waiver->add_subcommand("list", "List waivers with their state on a day");
  wlist->add_option("--directive", f->directive, "Only this directive's waivers");
  wlist->add_option("--at", f->at, "State as of this day (default today)");
  addFormat(wlist, *f);
  wlist->add_flag("--requests", f->requests, "List waiver requests with their state instead");
  wlist->add_option("--state", f->request_state, "With --requests: pending | approved | refused");
  wlist->callback([&ctx, f] {
    ctx.exit_code = f->requests ? runWaiverRequestList(ctx, *f) : runWaiverList(ctx, *f);
  });
  auto* revoke = waiver->add_subcommand("revoke", "Revoke a waiver from a day on");
  revoke->add_option("WAIVER", f->waiver_id, "Waiver id (W-000001)")->required();
  revoke->add_option("--on", f->on, "First day it no longer applies (default today)");
  addFormat(revoke, *f);
  revoke->callback([&ctx, f] { ctx.exit_code = runWaiverRevoke(ctx, *f); });

  auto* request = waiver->add_subcommand(
      "request", "Ask for a waiver of a device; it is pending until an approver decides");
  request->add_option("--directive", f->directive, "Directive id (default: the only one stored)");
  request->add_option("--device", f->device, "Device id")->required();
  request->add_option("--reason", f->reason, "Why")->required();
  request->add_option("--from", f->from, "First day, YYYY-MM-DD (default today)");
  request->add_option("--until", f->until, "Last day, YYYY-MM-DD (required: never open-ended)")
      ->required();
  request->add_option("--on", f->on, "Day it is asked (default today)");
  addFormat(request, *f);
  request->callback([&ctx, f] { ctx.exit_code = runWaiverRequest(ctx, *f); });
  auto* approve = waiver->add_subcommand(
      "approve", "Approve a pending request: it becomes a waiver, as 'waiver grant' makes one");
  approve->add_option("REQUEST", f->waiver_id, "Request id (WR-000001)")->required();
  approve->add_option("--approver", f->approver, "Person id holding the directive's approver role")
      ->required();
  approve->add_option("--on", f->on, "Day it is decided (default today)");
  addFormat(approve, *f);
  approve->callback([&ctx, f] { ctx.exit_code = runWaiverDecide(ctx, *f, true); });
  auto* refuse = waiver->add_subcommand("refuse", "Refuse a pending request, saying why");
  refuse->add_option("REQUEST", f->waiver_id, "Request id (WR-000001)")->required();
  refuse->add_option("--approver", f->approver, "Person id holding the directive's approver role")
      ->required();
  refuse->add_option("--reason", f->reason, "Why it is refused")->required();
  refuse->add_option("--on", f->on, "Day it is decided (default today)");
  addFormat(refuse, *f);
  refuse->callback([&ctx, f] { ctx.exit_code = runWaiverDecide(ctx, *f, false); });

  auto* cases = app.add_subcommand("case", "Cases: one per banned device, followed to its end");
  cases->require_subcommand(1);
  auto* clist = cases->add_subcommand("list", "List cases as of a day, with milestone progress");
  clist->add_option("--directive", f->directive, "Directive id (default: the only one stored)");
  clist->add_option("--at", f->at, "As of this day (default today)");
  clist->add_option("--unit", f->unit, "Only cases in this unit (glob: pa/press/**)");
  clist->add_option("--status", f->stage,
                    "Only cases at this stage: open, notified, acknowledged, replacement-issued, "
                    "surrendered, verified, closed, waived");
  clist->add_option("--milestone", f->milestone, "Only cases not meeting this milestone");
  clist->add_flag("--overdue", f->overdue, "Only cases whose device is overdue");
  addFormat(clist, *f);
  clist->callback([&ctx, f] { ctx.exit_code = runCaseList(ctx, *f); });
  auto* show = cases->add_subcommand("show", "Show one case with its history");
  show->add_option("CASE", f->case_id, "Case id (DIRECTIVE/DEVICE) or device id")->required();
  show->add_option("--directive", f->directive, "Directive id (default: from the case id)");
  show->add_option("--at", f->at, "As of this day (default today)");
  addFormat(show, *f);
  show->callback([&ctx, f] { ctx.exit_code = runCaseShow(ctx, *f); });
  auto* step = cases->add_subcommand("step", "Record a step of a case by hand");
  step->add_option("CASE", f->case_id, "Case id (DIRECTIVE/DEVICE) or device id")->required();
  step->add_option("--to", f->stage, "notified | acknowledged | verified | closed")->required();
  step->add_option("--directive", f->directive, "Directive id (default: from the case id)");
  step->add_option("--on", f->on, on_help);
  step->add_option("--note", f->note, "Free text");
  addFormat(step, *f);
  step->callback([&ctx, f] { ctx.exit_code = runCaseStep(ctx, *f); });
}

}  // namespace phaseout::cli
