// phaseout status | report
#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "report/burndown_report.h"
#include "report/status_report.h"
#include "service/burndown.h"
#include "service/sightings.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

struct StatusOptions {
  std::string directive;
  std::string at;
  std::string format;
  std::string output;
  bool devices = false;
};

// --at, or today (UTC) when it is not given.
Result<Date> asOfDate(const std::string& at) {
  PH_ASSIGN_OR_RETURN(auto d, parseDateFlag("--at", at));
  return d.value_or(Date::fromEpochMs(nowMs()));
}

// The directive to report on: the one named, or the only one stored.
Result<std::string> directiveId(service::Workspace& ws, const std::string& given) {
  if (!given.empty()) return given;
  PH_ASSIGN_OR_RETURN(auto list, ws.listDirectives());
  if (list.size() == 1) return list.front().directive_id;
  if (list.empty())
    return failedPrecondition(
        "no directives stored; add one with 'phaseout directive add FILE.yaml'");
  return invalidArgument(
      "several directives are stored; name one with --directive (see 'phaseout directive list')");
}

struct Evaluated {
  service::StatusResult status;
  report::NetworkSummary network;
};

Result<Evaluated> evaluate(const CommandContext& ctx, const StatusOptions& opt) {
  PH_ASSIGN_OR_RETURN(Date as_of, asOfDate(opt.at));
  PH_ASSIGN_OR_RETURN(auto ws, service::Workspace::open(ctx.db_path));
  PH_ASSIGN_OR_RETURN(std::string id, directiveId(*ws, opt.directive));
  Evaluated out;
  PH_ASSIGN_OR_RETURN(out.status, ws->status(id, as_of));
  // Network findings beside the inventory's verdicts (stored by `detect --store` or
  // `sightings import`).
  PH_ASSIGN_OR_RETURN(const auto counts, service::networkFindingCounts(*ws, id, as_of));
  out.network.sightings = counts.sightings;
  out.network.banned_platform = counts.banned_platform;
  out.network.unknown_phone = counts.unknown_phone;
  out.network.disposed_seen_again = counts.disposed_seen_again;
  out.network.usage_ban = counts.usage_ban;
  return out;
}

Status writeOutput(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    return Status::ok();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return invalidArgument(path + ": cannot open for writing");
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return internalError(path + ": write failed");
  return Status::ok();
}

int runStatus(const CommandContext& ctx, const StatusOptions& opt) {
  auto evaluated = evaluate(ctx, opt);
  if (!evaluated.isOk()) return reportError(evaluated.status());
  const service::StatusResult* result = &evaluated->status;
  const std::string out =
      opt.format == "json" ? report::statusJson(result->directive, result->evaluation, opt.devices,
                                                result->milestones, &evaluated->network)
                           : report::statusText(result->directive, result->evaluation, opt.devices,
                                                result->milestones, &evaluated->network);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int runReport(const CommandContext& ctx, const StatusOptions& opt) {
  auto evaluated = evaluate(ctx, opt);
  if (!evaluated.isOk()) return reportError(evaluated.status());
  const service::StatusResult* result = &evaluated->status;
  std::string out;
  if (opt.format == "html") {
    // The burn-down chart up to the report's day; a report still renders without it (e.g. on
    // the directive's first day, when there is no history to draw).
    std::string chart;
    auto ws = service::Workspace::open(ctx.db_path);
    if (ws.isOk()) {
      auto bd = service::burndown(**ws, {result->directive.id, std::nullopt,
                                         result->evaluation.as_of, result->evaluation.as_of});
      if (bd.isOk()) chart = report::burndownSvg(bd->burndown, bd->forecast);
    }
    out = report::statusHtml(result->directive, result->evaluation, result->milestones, chart,
                             &evaluated->network);
  } else if (opt.format == "csv") {
    out = report::statusCsv(result->evaluation);
  } else {
    out = report::statusJson(result->directive, result->evaluation, true, result->milestones,
                             &evaluated->network);
  }
  Status s = writeOutput(opt.output, out);
  if (!s.isOk()) return reportError(s);
  if (!opt.output.empty() && opt.output != "-") {
    std::fprintf(stderr, "wrote %s report to %s\n", opt.format.c_str(), opt.output.c_str());
  }
  return kExitOk;
}

void addCommonOptions(CLI::App* cmd, StatusOptions& opt) {
  cmd->add_option("--directive", opt.directive,
                  "Directive id (default: the only stored directive)");
  cmd->add_option("--at", opt.at, "Evaluate as of this date, YYYY-MM-DD (default: today, UTC)");
}

}  // namespace

void registerStatusCommands(CLI::App& app, CommandContext& ctx) {
  auto status_opt = std::make_shared<StatusOptions>();
  status_opt->format = "text";
  auto* status = app.add_subcommand(
      "status", "Who is covered, which devices are banned, how many are pending, per unit");
  addCommonOptions(status, *status_opt);
  status->add_option("--format", status_opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  status->add_flag("--devices", status_opt->devices,
                   "List devices too (json: every device in scope; text: those needing action)");
  status->footer(
      "Statuses: compliant, pending (banned, before the final due date; the due date itself "
      "is on time), overdue, exempt (waiver), unknown (needs review: a rule could apply). "
      "Network findings (devices seen by `detect --store` or `sightings import`) are counted "
      "beside them; `phaseout sightings findings` lists each with its evidence.");
  status->callback([&ctx, status_opt] { ctx.exit_code = runStatus(ctx, *status_opt); });

  auto report_opt = std::make_shared<StatusOptions>();
  report_opt->format = "html";
  auto* rep = app.add_subcommand(
      "report", "Write a status report: html (one self-contained page), csv or json");
  addCommonOptions(rep, *report_opt);
  rep->add_option("--format", report_opt->format, "Report format")
      ->check(CLI::IsMember({"html", "csv", "json"}));
  rep->add_option("-o,--output", report_opt->output, "Output file (default: standard output)");
  rep->callback([&ctx, report_opt] { ctx.exit_code = runReport(ctx, *report_opt); });
}

}  // namespace phaseout::cli
