// phaseout: enforce a device phase-out directive across an organisation.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace {

constexpr const char* kFooter = R"(Exit codes:
  0  success
  1  usage or input error (bad flag, bad file, unknown id); nothing was changed
  2  internal error (database unavailable or corrupt, unexpected failure)

Database: --db PATH or URL (sqlite:///path), else $PHASEOUT_DB, else ./phaseout.db.
Run 'phaseout COMMAND --help' for the flags of a command.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace phaseout::cli;
  CLI::App app{"phaseout: find every device a phase-out directive bans, track each one to\n"
               "replacement and hand-over by the deadline, and prove it.",
               "phaseout"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", "phaseout 0.1.0");
  CommandContext ctx;
  const char* env_db = std::getenv("PHASEOUT_DB");
  ctx.db_path = env_db && *env_db ? env_db : "phaseout.db";
  app.add_option("--db", ctx.db_path,
                 "Database: a path or URL, e.g. sqlite:///path/to/phaseout.db (default: "
                 "$PHASEOUT_DB or ./phaseout.db)")
      ->envname("PHASEOUT_DB");
  const char* env_actor = std::getenv("PHASEOUT_ACTOR");
  const char* env_user = std::getenv("USER");
  ctx.actor = env_actor && *env_actor ? env_actor : (env_user && *env_user ? env_user : "unknown");
  app.add_option("--actor", ctx.actor,
                 "Who records changes, kept in the audit trail (default: $PHASEOUT_ACTOR or $USER)");

  registerInventoryCommands(app, ctx);
  registerDeviceCommands(app, ctx);
  registerExportCommands(app, ctx);
  registerDirectiveCommands(app, ctx);
  registerStatusCommands(app, ctx);
  registerDemoCommand(app, ctx);
  registerCampaignCommands(app, ctx);
  registerAuditCommands(app, ctx);
  registerAccountCommands(app, ctx);
  registerTokenCommands(app, ctx);
  registerDetectCommands(app, ctx);
#ifndef PH_WITHOUT_REMIND
  registerRemindCommand(app, ctx);
#endif
#ifndef PH_WITHOUT_BURNDOWN
  registerBurndownCommand(app, ctx);
#endif
#ifndef PH_WITHOUT_OBSERVE
  registerObserveCommands(app, ctx);
#endif
#ifndef PH_WITHOUT_SIGHTINGS
  registerSightingsCommands(app, ctx);
#endif
  registerMigrateCommand(app, ctx);
  registerIngestCommand(app, ctx);
  registerServeCommand(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "phaseout: internal error: %s\n", e.what());
    return kExitInternal;
  }
  std::fflush(stdout);
  if (std::ferror(stdout)) {
    std::fprintf(stderr, "phaseout: error writing output\n");
    return kExitInternal;
  }
  return ctx.exit_code;
}
