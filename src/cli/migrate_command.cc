// phaseout migrate --from URL --to URL
#include <cstdio>

#include "cli/commands.h"
#include "service/migrate.h"

namespace phaseout::cli {
namespace {

struct MigrateFlags {
  service::MigrateRequest request;
  std::string format = "text";
};

int runMigrate(const CommandContext& ctx, const MigrateFlags& f) {
  auto result = service::migrateDatabase(service::Caller::localOperator(ctx.actor), f.request,
                                         service::Recording{std::nullopt, nowMs()});
  if (!result.isOk()) return reportError(result.status());
  const std::string out = f.format == "json" ? service::migrateResultJson(*result)
                                             : service::migrateResultText(*result);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void registerMigrateCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<MigrateFlags>();
  auto* migrate = app.add_subcommand(
      "migrate", "Copy a whole database, audit trail included, into a new, empty one");
  migrate->add_option("--from", f->request.from, "Source database: a path or URL")->required();
  migrate
      ->add_option("--to", f->request.to,
                   "Target database, e.g. postgresql://user@host:5432/phaseout (it must hold "
                   "no rows; its schema is created)")
      ->required();
  migrate->add_option("--format", f->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  migrate->footer(
      "The rows are copied all or none (the target's schema is created first), and `phaseout --db "
      "TARGET audit verify` passes on the copy.\n"
      "Exit codes: 0 copied; 1 usage or input error (e.g. target not empty); 2 internal error.");
  migrate->callback([&ctx, f] { ctx.exit_code = runMigrate(ctx, *f); });
}

}  // namespace phaseout::cli
