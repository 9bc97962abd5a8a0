// phaseout audit verify | export
#include <cstdio>
#include <string_view>

#include "cli/commands.h"
#include "service/audit.h"

namespace phaseout::cli {
namespace {

// The trail is broken: a distinct exit code so scripts can tell it from bad usage.
constexpr int kExitTrailBroken = 3;

struct AuditFlags {
  std::string format = "text";
  std::string output;
};

int runVerify(const CommandContext& ctx, const AuditFlags& f) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto check = service::verifyAudit(service::Caller::localOperator(ctx.actor), **ws);
  if (!check.isOk()) return reportError(check.status());
  const std::string out =
      f.format == "json" ? service::auditCheckJson(*check) : service::auditCheckText(*check);
  std::fputs(out.c_str(), stdout);
  return check->ok() ? kExitOk : kExitTrailBroken;
}

int runExport(const CommandContext& ctx, const AuditFlags& f) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  const bool to_file = !f.output.empty() && f.output != "-";
  // The file is opened once the trail can be read (an unusable database leaves no file).
  std::FILE* out = to_file ? nullptr : stdout;
  auto open = [&]() -> Status {
    if (out) return Status::ok();
    out = std::fopen(f.output.c_str(), "wb");
    if (!out) return invalidArgument(f.output + ": cannot open for writing");
    return Status::ok();
  };
  auto exported = service::exportAudit(service::Caller::localOperator(ctx.actor), **ws,
                                       [&](std::string_view line) -> Status {
                                         PH_RETURN_IF_ERROR(open());
                                         std::fwrite(line.data(), 1, line.size(), out);
                                         return Status::ok();
                                       });
  Status opened = exported.isOk() ? open() : Status::ok();  // an empty trail: an empty file
  if (out && out != stdout) std::fclose(out);
  if (!exported.isOk()) return reportError(exported.status());
  if (!opened.isOk()) return reportError(opened);
  if (to_file)
    std::fprintf(stderr, "exported %zu audit entries to %s\n", *exported, f.output.c_str());
  return kExitOk;
}

}  // namespace

void registerAuditCommands(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<AuditFlags>();
  auto* audit = app.add_subcommand("audit", "Verify or export the tamper-evident audit trail");
  audit->require_subcommand(1);
  auto* verify =
      audit->add_subcommand("verify", "Walk the hash chain and recompute every entry's row digest");
  verify->add_option("--format", f->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  verify->footer(
      "Exit codes: 0 intact; 3 broken (the first broken entry is named); 1 usage or "
      "input error; 2 internal error.");
  verify->callback([&ctx, f] { ctx.exit_code = runVerify(ctx, *f); });
  auto* exp = audit->add_subcommand("export", "Write every audit entry as one JSON line");
  exp->add_option("-o,--output", f->output, "Output file (default: standard output)");
  exp->callback([&ctx, f] { ctx.exit_code = runExport(ctx, *f); });
}

}  // namespace phaseout::cli
