// phaseout demo
#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "report/burndown_report.h"
#include "report/status_report.h"
#include "service/demo.h"

namespace phaseout::cli {
namespace {

struct DemoFlags {
  std::size_t people = 2000;
  std::uint64_t seed = 1;
  std::string at = "2023-03-20";
  std::string report = "phaseout-report.html";
  std::string out_dir;
  std::string directive;
};

int runDemoCommand(const CommandContext& ctx, const DemoFlags& flags) {
  const auto as_of = Date::parse(flags.at);
  if (!as_of) {
    return reportError(invalidField("at", "expected a date YYYY-MM-DD, got \"" + flags.at + "\""));
  }
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  service::DemoOptions options;
  options.people = flags.people;
  options.seed = flags.seed;
  options.as_of = *as_of;
  options.directive_path = flags.directive;
  options.out_dir = flags.out_dir;  // "" = beside the database file (service/demo.h)
  Progress progress("demo");
  auto outcome = service::runDemo(service::Caller::localOperator(ctx.actor), **ws, options,
                                  service::Recording{std::nullopt, nowMs()},
                                  [&](std::string_view stage, std::size_t done, std::size_t total) {
                                    progress.update(stage, done, total);
                                  });
  progress.finish();
  if (!outcome.isOk()) return reportError(outcome.status());

  std::printf("phaseout demo: a sample organisation of %zu people and %zu devices (seed %llu)\n",
              outcome->people.records, outcome->devices.records,
              static_cast<unsigned long long>(flags.seed));
  std::printf("  exports written to %s and %s, imported into %s\n", outcome->people_csv.c_str(),
              outcome->devices_csv.c_str(), ctx.db_path.c_str());
  std::printf("  directive %s version %lld loaded\n", outcome->directive.directive.id.c_str(),
              static_cast<long long>(outcome->directive.version));
  const auto& c = outcome->campaign;
  if (c.notices > 0) {
    std::printf(
        "\ncampaign 6-20 March 2023: %zu notices, %zu acknowledged, %zu iPhones handed in, "
        "%zu replacements issued\n",
        c.notices, c.acknowledged, c.handed_in, c.replacements);
    if (!c.destroyed_device.empty()) {
      std::printf("  %s destroyed on 14 March, certificate %s\n", c.destroyed_device.c_str(),
                  c.certificate_path.c_str());
    }
    if (!c.transferred_device.empty()) {
      std::printf("  %s given to the official's children on 12 March\n",
                  c.transferred_device.c_str());
    }
    for (const auto& w : c.waivers) std::printf("  waiver %s granted\n", w.c_str());
    if (!c.refused_replacement.empty()) {
      std::printf("  refused: %s\n", c.refused_replacement.c_str());
    }
  }
  std::printf("\n");
  const std::string text = report::statusText(outcome->status.directive, outcome->status.evaluation,
                                              false, outcome->status.milestones);
  std::fwrite(text.data(), 1, text.size(), stdout);

  // A few reasons, so the first run shows what a verdict says.
  std::printf("\nexamples of verdicts:\n");
  for (const auto& example : outcome->examples) {
    std::printf("  %s  %s\n", std::string(policy::name(example.status)).c_str(),
                example.reason.c_str());
  }
  // The burn-down from the directive's issue to the demo's day, with the forecast.
  std::string chart;
  if (const auto& bd = outcome->burndown) {
    const std::string burndown_text = report::burndownText(bd->burndown, bd->forecast);
    std::printf("\nburn-down:\n%s", burndown_text.c_str());
    chart = report::burndownSvg(bd->burndown, bd->forecast);
  }
  if (!flags.report.empty()) {
    const std::string html = report::statusHtml(
        outcome->status.directive, outcome->status.evaluation, outcome->status.milestones, chart);
    std::ofstream out(flags.report, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out) return reportError(invalidArgument(flags.report + ": cannot write the report"));
    std::printf("\nHTML report: %s\n", flags.report.c_str());
  }
  std::printf(
      "next: phaseout --db %s status --at 2023-04-02   (after the deadline)\n"
      "      phaseout --db %s case list --at 2023-03-20 --overdue\n"
      "      phaseout --db %s audit verify\n",
      ctx.db_path.c_str(), ctx.db_path.c_str(), ctx.db_path.c_str());
  return kExitOk;
}

}  // namespace

void registerDemoCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DemoFlags>();
  auto* demo = app.add_subcommand(
      "demo",
      "Build a deterministic sample organisation, load the scenario's directive (Presidential "
      "Administration officials give up iPhones by 1 April 2023) and show its status");
  demo->add_option("--people", flags->people, "Number of officials to generate (default 2000)")
      ->check(CLI::Range(1, 10'000'000));
  demo->add_option("--seed", flags->seed, "Random seed; the same seed gives the same organisation");
  demo->add_option("--at", flags->at, "Status as of this date (default 2023-03-20)");
  demo->add_option("--report", flags->report,
                   "Write the HTML report here (default phaseout-report.html; '' to skip)");
  demo->add_option("--out-dir", flags->out_dir,
                   "Where to write people.csv and devices.csv (default: beside the database)");
  demo->add_option("--directive", flags->directive,
                   "Use this directive file instead of the scenario's");
  demo->callback([&ctx, flags] { ctx.exit_code = runDemoCommand(ctx, *flags); });
}

}  // namespace phaseout::cli
