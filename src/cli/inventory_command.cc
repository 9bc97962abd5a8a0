// phaseout init | import people FILE | import devices FILE
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/progress.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

struct ImportOptions {
  std::string file;
  std::string on;
  std::string format = "text";
};

int runInit(const CommandContext& ctx) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status s = (*ws)->init();
  if (!s.isOk()) return reportError(s);
  std::printf("initialised %s\n", ctx.db_path.c_str());
  return kExitOk;
}

int runImport(const CommandContext& ctx, bool people, const ImportOptions& opt) {
  auto on = parseDateFlag("--on", opt.on);
  if (!on.isOk()) return reportError(on.status());
  service::Recording recording{*on, ctx.actor, nowMs()};
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Progress progress(std::string("importing ") + (people ? "people" : "devices"));
  auto on_progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
    progress.update(stage, done, total);
  };
  auto summary = people ? (*ws)->importPeople(opt.file, recording, on_progress)
                        : (*ws)->importDevices(opt.file, recording, on_progress);
  progress.finish();
  if (!summary.isOk()) {
    if (summary.status().code() == StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "phaseout: import of %s refused, nothing was stored:\n%s\n",
                   opt.file.c_str(), summary.status().message().c_str());
      return kExitInput;
    }
    return reportError(summary.status());
  }
  const char* what = people ? "people" : "devices";
  if (opt.format == "json") {
    nlohmann::ordered_json j;
    j["file"] = summary->file;
    j["kind"] = what;
    j["records"] = summary->records;
    j["added"] = summary->counts.added;
    j["updated"] = summary->counts.updated;
    j["unchanged"] = summary->counts.unchanged;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("imported %zu %s from %s: %zu added, %zu updated, %zu unchanged\n",
                summary->records, what, summary->file.c_str(), summary->counts.added,
                summary->counts.updated, summary->counts.unchanged);
  }
  return kExitOk;
}

}  // namespace

void registerInventoryCommands(CLI::App& app, CommandContext& ctx) {
  auto* init = app.add_subcommand("init", "Create or upgrade the database schema (safe to repeat)");
  init->callback([&ctx] { ctx.exit_code = runInit(ctx); });

  auto* import = app.add_subcommand(
      "import", "Import people or devices from CSV or JSON (all-or-nothing; re-import upserts by id)");
  import->require_subcommand(1);
  for (bool people : {true, false}) {
    auto opt = std::make_shared<ImportOptions>();
    auto* sub = import->add_subcommand(
        people ? "people" : "devices",
        people ? "Import people: person_id, name, email, unit, role, status"
               : "Import devices: device_id, holder, kind, vendor, model, platform, os_version, "
                 "ownership, channel, serial, imei, mac, hostname, state");
    sub->add_option("FILE", opt->file, "A .csv or .json file")->required();
    sub->add_option("--on", opt->on,
                    "Day the changes take effect, YYYY-MM-DD (default: today; records new to "
                    "phaseout then count as held since before any date)");
    sub->add_option("--format", opt->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}));
    sub->footer(people ? "Any invalid row imports nothing; every problem is listed as "
                         "file:line: column: what was expected."
                       : "Holders must already be imported. Empty kind/vendor/platform are "
                         "inferred from model and os_version. Any invalid row imports nothing.");
    sub->callback([&ctx, opt, people] { ctx.exit_code = runImport(ctx, people, *opt); });
  }
}

}  // namespace phaseout::cli
