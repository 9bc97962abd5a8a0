// phaseout status | report
#include <cstdio>

#include "cli/commands.h"
#include "report/burndown_report.h"
#include "report/status_report.h"
#include "service/status.h"

namespace phaseout::cli {
namespace {

struct StatusOptions {
  std::string directive;
  std::string at;
  std::string format;
  std::string output;
  bool devices = false;
};

Result<service::StatusReport> evaluate(const CommandContext& ctx, const StatusOptions& opt,
                                       bool with_burndown, bool summary_only = false) {
  service::StatusRequest request;
  request.summary_only = summary_only;
  request.directive_id = opt.directive;
  PH_ASSIGN_OR_RETURN(request.at, parseDateFlag("--at", opt.at));
  request.now_ms = nowMs();
  request.with_burndown = with_burndown;
  PH_ASSIGN_OR_RETURN(auto ws, service::Workspace::open(ctx.db_path));
  return service::statusReport(service::Caller::localOperator(ctx.actor), *ws, request);
}

int runStatus(const CommandContext& ctx, const StatusOptions& opt) {
  // Without --devices only counts are printed: the service streams them (memory flat in the
  // number of devices) rather than evaluating every device into memory.
  auto evaluated = evaluate(ctx, opt, false, !opt.devices);
  if (!evaluated.isOk()) return reportError(evaluated.status());
  const report::NetworkSummary* network = evaluated->network ? &*evaluated->network : nullptr;
  std::string out;
  if (evaluated->summary) {
    const service::StatusSummary& s = *evaluated->summary;
    out = opt.format == "json" ? report::statusJson(s.directive, s.summary, s.milestones, network)
                               : report::statusText(s.directive, s.summary, s.milestones, network);
  } else {
    const service::StatusResult& result = evaluated->status;
    out = opt.format == "json" ? report::statusJson(result.directive, result.evaluation, true,
                                                    result.milestones, network)
                               : report::statusText(result.directive, result.evaluation, true,
                                                    result.milestones, network);
  }
  if (opt.format == "json") out = service::withReviewJson(std::move(out), evaluated->review);
  std::fwrite(out.data(), 1, out.size(), stdout);
  const service::InventoryReview& review = evaluated->review;
  if (opt.format != "json" && !review.empty()) {
    std::printf(
        "\nInventory to review: %zu devices whose holder matches no person (holder-unmatched), "
        "%zu whose sources disagree (source-conflict), %zu missing from their source; see "
        "phaseout device list\n",
        review.unmatched_holders, review.source_conflicts, review.missing_from_source);
  }
  return kExitOk;
}

int runReport(const CommandContext& ctx, const StatusOptions& opt) {
  // The burn-down chart up to the report's day; a report still renders without it (e.g. on
  // the directive's first day, when there is no history to draw).
  auto evaluated = evaluate(ctx, opt, opt.format == "html");
  if (!evaluated.isOk()) return reportError(evaluated.status());
  const service::StatusResult& result = evaluated->status;
  const report::NetworkSummary* network = evaluated->network ? &*evaluated->network : nullptr;
  std::string out;
  if (opt.format == "html") {
    const auto& bd = evaluated->burndown;
    const std::string chart = bd ? report::burndownSvg(bd->burndown, bd->forecast) : "";
    out =
        report::statusHtml(result.directive, result.evaluation, result.milestones, chart, network);
  } else if (opt.format == "csv") {
    out = report::statusCsv(result.evaluation);
  } else {
    out = report::statusJson(result.directive, result.evaluation, true, result.milestones, network);
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
