// Registration of command groups into the `phaseout` CLI11 app. Each group lives in its own
// *_command.cc; main.cc calls every register function once.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/status.h"

namespace phaseout::cli {

struct CommandContext {
  std::string db_path;  // --db, $PHASEOUT_DB, or ./phaseout.db
  std::string actor;    // --actor, $PHASEOUT_ACTOR, $USER, or "unknown"
  int exit_code = 0;    // set by the command that ran
};

// Exit codes (documented in --help and README): 0 ok, 1 usage or input error, 2 internal error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInput = 1;
inline constexpr int kExitInternal = 2;

// Maps a failed Status to an exit code: caller-side codes give 1, the rest 2.
int exitCodeFor(const Status& status);
// Prints "phaseout: <message>" on stderr and returns exitCodeFor(status).
int reportError(const Status& status);
// Milliseconds since the epoch, now. The CLI is the only layer that reads the clock.
std::int64_t nowMs();
// A --on/--at style date flag: empty gives nullopt; otherwise YYYY-MM-DD or InvalidArgument
// naming the flag.
Result<std::optional<Date>> parseDateFlag(std::string_view flag, const std::string& value);

// Writes `content` to `path`, or to standard output when the path is empty or "-".
Status writeOutput(const std::string& path, const std::string& content);

// True when stdout/stderr is a terminal (progress is shown only then).
bool stdoutIsTerminal();
bool stderrIsTerminal();

void registerInventoryCommands(CLI::App& app, CommandContext& ctx);  // init, import
void registerDeviceCommands(CLI::App& app, CommandContext& ctx);     // device list|show
void registerExportCommands(CLI::App& app, CommandContext& ctx);     // export nac|mdm
void registerDirectiveCommands(CLI::App& app,
                               CommandContext& ctx);                // directive add|check|list|show
void registerStatusCommands(CLI::App& app, CommandContext& ctx);    // status, report
void registerDemoCommand(CLI::App& app, CommandContext& ctx);       // demo
void registerObserveCommands(CLI::App& app, CommandContext& ctx);   // observe, sense
void registerCampaignCommands(CLI::App& app, CommandContext& ctx);  // record, waiver, case
void registerAuditCommands(CLI::App& app, CommandContext& ctx);     // audit verify|export
void registerRemindCommand(CLI::App& app, CommandContext& ctx);     // remind
void registerBurndownCommand(CLI::App& app, CommandContext& ctx);   // burndown
void registerDetectCommands(CLI::App& app, CommandContext& ctx);    // detect, ua
void registerSightingsCommands(CLI::App& app,
                               CommandContext& ctx);  // sightings list|findings|import
void registerServeCommand(CLI::App& app, CommandContext& ctx);  // serve (src/cli/serve_command.cc)
void registerAccountCommands(CLI::App& app, CommandContext& ctx);  // account password|lock|unlock
void registerTokenCommands(CLI::App& app, CommandContext& ctx);    // token create|list|revoke
void registerMigrateCommand(CLI::App& app, CommandContext& ctx);  // migrate --from --to
void registerIngestCommand(CLI::App& app, CommandContext& ctx);   // ingest --from nats://

}  // namespace phaseout::cli
