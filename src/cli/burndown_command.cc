// phaseout burndown
#include <cstdio>

#include "cli/commands.h"
#include "report/burndown_report.h"
#include "service/burndown.h"

namespace phaseout::cli {
namespace {

constexpr const char* kBurndownFooter =
    R"(For every day from --from to --to: the devices in scope of the directive by verdict
(pending, overdue, exempt, unknown, compliant), exactly as 'status --at' that day would count
them; violating = pending + overdue. Defaults: --from the directive's first in-force day;
--to today (UTC), but no later than 7 days after the last milestone.

Forecast, for each milestone: due on or before the last observed day (--to, or today when
--to lies ahead), the count observed on its due date; due later, a least-squares linear trend
of the violating count over the last 14 observed days, extrapolated to the due date and clamped
at 0, with an 80% prediction interval (residual standard error, Student's t). With fewer than 5
observed days no forecast is made and the output says so. On track: the trend reaches zero
(expected below 0.5) by the due date.

Formats: text (a table and the forecast lines), json, svg (a chart; with -o write it to a file).

Exit codes:
  0  success
  1  usage or input error (bad date, unknown directive, range too long, directive not in force)
  2  internal error (database unavailable or corrupt))";

struct BurndownFlags {
  std::string directive;
  std::string from;
  std::string to;
  std::string format = "text";
  std::string output;
};

Result<std::string> render(const CommandContext& ctx, const BurndownFlags& flags) {
  service::BurndownRequest request;
  request.directive_id = flags.directive;
  PH_ASSIGN_OR_RETURN(request.from, parseDateFlag("--from", flags.from));
  PH_ASSIGN_OR_RETURN(request.to, parseDateFlag("--to", flags.to));
  request.now_ms = nowMs();
  PH_ASSIGN_OR_RETURN(auto ws, service::Workspace::open(ctx.db_path));
  PH_ASSIGN_OR_RETURN(auto outcome,
                      service::burndown(service::Caller::localOperator(ctx.actor), *ws, request));
  if (flags.format == "json") return report::burndownJson(outcome.burndown, outcome.forecast);
  if (flags.format == "svg") return report::burndownSvg(outcome.burndown, outcome.forecast);
  return report::burndownText(outcome.burndown, outcome.forecast);
}

int runBurndown(const CommandContext& ctx, const BurndownFlags& flags) {
  auto out = render(ctx, flags);
  if (!out.isOk()) return reportError(out.status());
  Status s = writeOutput(flags.output, *out);
  if (!s.isOk()) return reportError(s);
  if (!flags.output.empty() && flags.output != "-") {
    std::fprintf(stderr, "wrote %s burn-down to %s\n", flags.format.c_str(), flags.output.c_str());
  }
  return kExitOk;
}

}  // namespace

void registerBurndownCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<BurndownFlags>();
  auto* cmd = app.add_subcommand(
      "burndown", "Daily counts of a directive's devices by verdict, and a forecast per milestone");
  cmd->add_option("--directive", flags->directive,
                  "Directive id (default: the only stored directive)");
  cmd->add_option("--from", flags->from,
                  "First day, YYYY-MM-DD (default: the directive's first in-force day)");
  cmd->add_option("--to", flags->to,
                  "Last day, YYYY-MM-DD (default: today, at most 7 days after the last milestone)");
  cmd->add_option("--format", flags->format, "Output format (default: text)")
      ->check(CLI::IsMember({"text", "json", "svg"}));
  cmd->add_option("-o,--output", flags->output, "Output file (default: standard output)");
  cmd->footer(kBurndownFooter);
  cmd->callback([&ctx, flags] { ctx.exit_code = runBurndown(ctx, *flags); });
}

}  // namespace phaseout::cli
