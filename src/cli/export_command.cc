// phaseout export nac|mdm: verdicts out, for the systems that act on them.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "service/verdict_export.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

struct ExportOptions {
  std::string directive;
  std::string at;
  std::string format;
  std::string output;
};

int runExport(const CommandContext& ctx, const ExportOptions& opt, bool nac) {
  service::VerdictExportRequest request;
  request.directive_id = opt.directive;
  auto at = parseDateFlag("--at", opt.at);
  if (!at.isOk()) return reportError(at.status());
  request.at = *at;
  request.now_ms = nowMs();
  request.format = opt.format;
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  const service::Caller caller = service::Caller::localOperator(ctx.actor);
  auto out =
      nac ? service::exportNac(caller, **ws, request) : service::exportMdm(caller, **ws, request);
  if (!out.isOk()) return reportError(out.status());
  Status written = writeOutput(opt.output, out->text);
  if (!written.isOk()) return reportError(written);
  std::fprintf(stderr, "%zu banned devices in use: %zu %s written, %zu without %s\n", out->devices,
               out->entries, nac ? "MAC addresses" : "device ids", out->without_entry,
               nac ? "a MAC address" : ("a " + opt.format + " id").c_str());
  return kExitOk;
}

}  // namespace

void registerExportCommands(CLI::App& app, CommandContext& ctx) {
  auto* exp = app.add_subcommand(
      "export", "Banned devices still in use, for network access control or an MDM to act on");
  exp->require_subcommand(1);
  for (const bool nac : {true, false}) {
    auto opt = std::make_shared<ExportOptions>();
    auto* sub = exp->add_subcommand(
        nac ? "nac" : "mdm",
        nac ? "MAC addresses (and serials) of banned devices still in use, to quarantine"
            : "The MDM's own ids of the banned devices it manages, to act on");
    sub->add_option("--directive", opt->directive, "Directive id (default: the only one)");
    sub->add_option("--at", opt->at, "Day, YYYY-MM-DD (default: today)");
    if (nac) {
      sub->add_option("--format", opt->format, "freeradius, packetfence or csv")
          ->required()
          ->check(CLI::IsMember({"freeradius", "packetfence", "csv"}));
    } else {
      sub->add_option("--target", opt->format, "intune, jamf, google or fleet")
          ->required()
          ->check(CLI::IsMember({"intune", "jamf", "google", "fleet"}));
    }
    sub->add_option("-o,--output", opt->output, "File to write (default: standard output)");
    sub->callback([&ctx, opt, nac] { ctx.exit_code = runExport(ctx, *opt, nac); });
  }
}

}  // namespace phaseout::cli
