// phaseout record disposition|replacement, waiver grant|list|revoke, case list|show|step
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "policy/evaluator.h"
#include "service/campaign.h"

namespace phaseout::cli {
namespace {

using nlohmann::ordered_json;

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
  // case
  std::string case_id;
  std::string stage;
  std::string milestone;
  bool overdue = false;
};

void addFormat(CLI::App* cmd, CampaignFlags& f) {
  cmd->add_option("--format", f.format, "Output format")->check(CLI::IsMember({"text", "json"}));
}

Result<service::Recording> recording(const CommandContext& ctx, const CampaignFlags& f) {
  PH_ASSIGN_OR_RETURN(auto on, parseDateFlag("--on", f.on));
  return service::Recording{on, ctx.actor, nowMs()};
}

Result<Date> atDate(const CampaignFlags& f) {
  PH_ASSIGN_OR_RETURN(auto at, parseDateFlag("--at", f.at));
  return at.value_or(Date::fromEpochMs(nowMs()));
}

template <typename Fn>
int withWorkspace(const CommandContext& ctx, Fn fn) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status s = fn(**ws);
  return s.isOk() ? kExitOk : reportError(s);
}

void print(const std::string& format, const ordered_json& json, const std::string& text) {
  if (format == "json") {
    std::printf("%s\n", json.dump().c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
}

ordered_json waiverJson(const campaign::Waiver& w, Date at) {
  std::string state = "active";
  if (w.revoked_from && *w.revoked_from <= at) {
    state = "revoked";
  } else if (at < w.from) {
    state = "upcoming";
  } else if (w.until < at) {
    state = "expired";
  }
  return {{"waiver_id", w.waiver_id}, {"directive", w.directive_id}, {"target", w.target()},
          {"approver", w.approver},   {"reason", w.reason},          {"from", w.from.toString()},
          {"until", w.until.toString()},
          {"revoked_from", w.revoked_from ? w.revoked_from->toString() : ""},
          {"state", state}};
}

ordered_json caseJson(const campaign::CaseView& c, bool with_steps) {
  ordered_json j{{"case", c.case_id},
                 {"device_id", c.device_id},
                 {"person_id", c.person_id},
                 {"unit", c.unit},
                 {"model", c.model},
                 {"first_failing_at", c.first_failing_at.toString()},
                 {"stage", campaign::name(c.stage)},
                 {"stage_since", c.stage_since.toString()},
                 {"verdict", policy::name(c.verdict)},
                 {"surrendered", c.surrendered},
                 {"replacement_held", c.replacement_held},
                 {"reason", c.reason}};
  if (with_steps) {
    auto steps = ordered_json::array();
    for (const auto& s : c.steps) {
      steps.push_back({{"stage", campaign::name(s.stage)},
                       {"on", s.on.toString()},
                       {"by", s.actor},
                       {"note", s.note}});
    }
    j["steps"] = steps;
  }
  return j;
}

int runDisposition(const CommandContext& ctx, const CampaignFlags& f) {
  auto as = campaign::parseDisposition(f.as);
  if (!as) {
    return reportError(invalidArgument("--as: expected returned, destroyed, transferred or lost; got \"" +
                                       f.as + "\""));
  }
  auto rec = recording(ctx, f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    service::DispositionRequest req{f.device, *as, f.by, f.to, f.evidence, f.note};
    PH_ASSIGN_OR_RETURN(auto out, service::recordDisposition(ws, req, *rec));
    ordered_json j{{"device_id", out.device.device_id},
                   {"state", platform::name(out.device.state)},
                   {"on", out.on.toString()},
                   {"event", out.event_seq}};
    std::string text = "recorded: " + out.device.device_id + " " +
                       std::string(campaign::name(*as)) + " on " + out.on.toString() + " by " +
                       f.by + (f.to.empty() ? "" : " to " + f.to);
    if (out.evidence) {
      j["evidence_sha256"] = out.evidence->sha256;
      text += "; evidence " + out.evidence->name + " (sha256 " + out.evidence->sha256 + ")";
    }
    print(f.format, j, text + "\n");
    return Status::ok();
  });
}

int runReplacement(const CommandContext& ctx, const CampaignFlags& f) {
  auto rec = recording(ctx, f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    service::ReplacementRequest req = f.replacement;
    req.person_id = f.person;
    req.directive_id = f.directive;
    PH_ASSIGN_OR_RETURN(auto out, service::recordReplacement(ws, req, *rec));
    ordered_json j{{"device_id", out.device.device_id},
                   {"person_id", out.device.holder},
                   {"platform", platform::name(out.device.platform)},
                   {"channel", platform::name(out.device.channel)},
                   {"on", out.on.toString()},
                   {"event", out.event_seq}};
    print(f.format, j,
          "recorded: replacement " + out.device.device_id + " (" + out.device.model + ", " +
              std::string(platform::name(out.device.platform)) + ", " +
              std::string(platform::name(out.device.channel)) + ") for " + out.device.holder +
              " on " + out.on.toString() + "\n");
    return Status::ok();
  });
}

int runWaiverGrant(const CommandContext& ctx, const CampaignFlags& f) {
  auto from = parseDateFlag("--from", f.from);
  auto until = parseDateFlag("--until", f.until);
  if (!from.isOk()) return reportError(from.status());
  if (!until.isOk()) return reportError(until.status());
  if (!*until) return reportError(invalidArgument("--until: a waiver is never open-ended"));
  auto rec = recording(ctx, f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    service::WaiverRequest req{f.directive, f.device, f.person, f.unit, f.approver, f.reason,
                               from->value_or(rec->today()), **until};
    PH_ASSIGN_OR_RETURN(auto w, service::grantWaiver(ws, req, *rec));
    print(f.format, waiverJson(w, w.from),
          "granted waiver " + w.waiver_id + " for " + w.target() + " under " + w.directive_id +
              " from " + w.from.toString() + " until " + w.until.toString() + "\n");
    return Status::ok();
  });
}

int runWaiverList(const CommandContext& ctx, const CampaignFlags& f) {
  auto at = atDate(f);
  if (!at.isOk()) return reportError(at.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto waivers, service::listWaivers(ws, f.directive));
    ordered_json arr = ordered_json::array();
    std::string text;
    char line[512];
    for (const auto& w : waivers) {
      auto j = waiverJson(w, *at);
      std::snprintf(line, sizeof line, "%-9s %-9s %-22s %s..%s  approved by %s: %s\n",
                    w.waiver_id.c_str(), j["state"].get<std::string>().c_str(),
                    w.target().c_str(), w.from.toString().c_str(), w.until.toString().c_str(),
                    w.approver.c_str(), w.reason.c_str());
      text += line;
      arr.push_back(std::move(j));
    }
    if (waivers.empty()) text = "no waivers\n";
    print(f.format, arr, text);
    return Status::ok();
  });
}

int runWaiverRevoke(const CommandContext& ctx, const CampaignFlags& f) {
  auto rec = recording(ctx, f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    PH_RETURN_IF_ERROR(service::revokeWaiver(ws, f.waiver_id, *rec));
    const std::string on = rec->on.value_or(rec->today()).toString();
    print(f.format, ordered_json{{"waiver_id", f.waiver_id}, {"revoked_from", on}},
          "revoked waiver " + f.waiver_id + " from " + on + "\n");
    return Status::ok();
  });
}

int runCaseList(const CommandContext& ctx, const CampaignFlags& f) {
  auto at = atDate(f);
  if (!at.isOk()) return reportError(at.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    service::CaseFilter filter{f.unit, f.stage, f.milestone, f.overdue};
    PH_ASSIGN_OR_RETURN(auto list, service::listCases(ws, f.directive, *at, filter));
    ordered_json cases = ordered_json::array();
    std::string text;
    char line[768];
    std::snprintf(line, sizeof line, "%-34s %-10s %-28s %-18s %-10s %s\n", "CASE", "HOLDER",
                  "UNIT", "STAGE", "VERDICT", "FIRST FAILING");
    text += line;
    for (const auto& c : list.cases) {
      std::snprintf(line, sizeof line, "%-34s %-10s %-28s %-18s %-10s %s\n", c.case_id.c_str(),
                    c.person_id.c_str(), c.unit.c_str(), std::string(campaign::name(c.stage)).c_str(),
                    std::string(policy::name(c.verdict)).c_str(),
                    c.first_failing_at.toString().c_str());
      text += line;
      cases.push_back(caseJson(c, false));
    }
    text += std::to_string(list.cases.size()) + " case(s) as of " + list.as_of.toString() + "\n";
    ordered_json milestones = ordered_json::array();
    for (const auto& m : list.milestones) {
      milestones.push_back({{"name", m.name}, {"due", m.due.toString()},
                            {"days_left", m.days_left}, {"requires", m.requires_what},
                            {"met", m.met}, {"total", m.total}});
      text += "  " + m.name + " due " + m.due.toString() + ": " + std::to_string(m.met) + " of " +
              std::to_string(m.total) + " met\n";
    }
    print(f.format,
          ordered_json{{"directive", list.directive_id}, {"as_of", list.as_of.toString()},
                       {"milestones", milestones}, {"cases", cases}},
          text);
    return Status::ok();
  });
}

int runCaseShow(const CommandContext& ctx, const CampaignFlags& f) {
  auto at = atDate(f);
  if (!at.isOk()) return reportError(at.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto c, service::showCase(ws, f.directive, f.case_id, *at));
    std::string text = "case " + c.case_id + "\n  device     " + c.device_id + " (" + c.model +
                       ")\n  holder     " + c.person_id + " in " + c.unit +
                       "\n  first failing " + c.first_failing_at.toString() + "\n  stage      " +
                       std::string(campaign::name(c.stage)) + " since " +
                       c.stage_since.toString() + "\n  verdict    " +
                       std::string(policy::name(c.verdict)) + ": " + c.reason + "\n";
    for (const auto& s : c.steps) {
      text += "  step       " + s.on.toString() + " " + std::string(campaign::name(s.stage)) +
              " by " + s.actor + (s.note.empty() ? "" : ": " + s.note) + "\n";
    }
    print(f.format, caseJson(c, true), text);
    return Status::ok();
  });
}

int runCaseStep(const CommandContext& ctx, const CampaignFlags& f) {
  auto stage = campaign::parseCaseStage(f.stage);
  if (!stage) {
    return reportError(invalidArgument("--to: expected notified, acknowledged, verified or closed; got \"" +
                                       f.stage + "\""));
  }
  auto rec = recording(ctx, f);
  if (!rec.isOk()) return reportError(rec.status());
  return withWorkspace(ctx, [&](service::Workspace& ws) -> Status {
    PH_ASSIGN_OR_RETURN(auto step,
                        service::recordCaseStep(ws, f.directive, f.case_id, *stage, f.note, *rec));
    print(f.format,
          ordered_json{{"case", step.directive_id + "/" + step.device_id},
                       {"stage", campaign::name(step.stage)},
                       {"on", step.on.toString()},
                       {"event", step.seq}},
          "recorded: case " + step.directive_id + "/" + step.device_id + " " +
              std::string(campaign::name(step.stage)) + " on " + step.on.toString() + "\n");
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
  repl->add_option("--device-id", f->replacement.device_id, "Id for the new device (default R-PERSON-N)");
  repl->add_option("--model", f->replacement.model, "Model, as the export says");
  repl->add_option("--vendor", f->replacement.vendor, "Vendor");
  repl->add_option("--platform", f->replacement.platform, "Platform (android, aurora, ... or \"Aurora OS 4.0.2\")");
  repl->add_option("--os-version", f->replacement.os_version, "OS version");
  repl->add_option("--kind", f->replacement.kind, "Kind (default phone)");
  repl->add_option("--channel", f->replacement.channel, "official | parallel-import | personal");
  repl->add_option("--serial", f->replacement.serial, "Serial number");
  repl->add_option("--imei", f->replacement.imei, "IMEI");
  repl->add_option("--on", f->on, on_help);
  addFormat(repl, *f);
  repl->callback([&ctx, f] { ctx.exit_code = runReplacement(ctx, *f); });

  auto* waiver = app.add_subcommand("waiver", "Grant, list and revoke waivers");
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
  wlist->callback([&ctx, f] { ctx.exit_code = runWaiverList(ctx, *f); });
  auto* revoke = waiver->add_subcommand("revoke", "Revoke a waiver from a day on");
  revoke->add_option("WAIVER", f->waiver_id, "Waiver id (W-000001)")->required();
  revoke->add_option("--on", f->on, "First day it no longer applies (default today)");
  addFormat(revoke, *f);
  revoke->callback([&ctx, f] { ctx.exit_code = runWaiverRevoke(ctx, *f); });

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
