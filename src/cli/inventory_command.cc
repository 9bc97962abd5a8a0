// phaseout init | import people FILE | import devices FILE
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/strings.h"
#include "service/import.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

struct ImportOptions {
  std::string file;
  std::string from;
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

int runImport(const CommandContext& ctx, service::ImportKind kind, const ImportOptions& opt) {
  auto on = parseDateFlag("--on", opt.on);
  if (!on.isOk()) return reportError(on.status());
  const service::ImportRequest request{kind, opt.file, opt.from,
                                       service::Recording{*on, nowMs()}};
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  const std::string what(service::name(kind));
  Progress progress("importing " + what);
  auto on_progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
    progress.update(stage, done, total);
  };
  auto summary = service::importInventory(service::Caller::localOperator(ctx.actor), **ws, request,
                                          on_progress);
  progress.finish();
  if (!summary.isOk()) {
    if (summary.status().code() == StatusCode::kInvalidArgument &&
        summary.status().field().empty()) {
      std::fprintf(stderr, "phaseout: import of %s refused, nothing was stored:\n%s\n",
                   opt.file.c_str(), summary.status().message().c_str());
      return kExitInput;
    }
    return reportError(summary.status());
  }
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
                summary->records, what.c_str(), summary->file.c_str(), summary->counts.added,
                summary->counts.updated, summary->counts.unchanged);
  }
  return kExitOk;
}

// The help footer's list of sources: "  csv   CSV: a header line ... (.csv)".
std::string sourcesHelp(const std::vector<service::ImportSourceInfo>& sources) {
  std::size_t width = 0;
  for (const service::ImportSourceInfo& source : sources) {
    width = std::max(width, source.name.size());
  }
  std::string out = "Sources (--from; by default the file's extension chooses):";
  for (const service::ImportSourceInfo& source : sources) {
    out += "\n  " + source.name + std::string(width + 2 - source.name.size(), ' ') +
           source.description + " (" + join(source.extensions, ", ") + ")";
  }
  return out;
}

}  // namespace

void registerInventoryCommands(CLI::App& app, CommandContext& ctx) {
  auto* init = app.add_subcommand("init", "Create or upgrade the database schema (safe to repeat)");
  init->callback([&ctx] { ctx.exit_code = runInit(ctx); });

  auto* import = app.add_subcommand(
      "import",
      "Import people or devices from CSV or JSON (all-or-nothing; re-import upserts by id)");
  import->require_subcommand(1);
  const std::vector<service::ImportSourceInfo> sources = service::importSources();
  std::vector<std::string> source_names;
  for (const service::ImportSourceInfo& source : sources) source_names.push_back(source.name);
  for (service::ImportKind kind : {service::ImportKind::kPeople, service::ImportKind::kDevices}) {
    const bool people = kind == service::ImportKind::kPeople;
    auto opt = std::make_shared<ImportOptions>();
    auto* sub = import->add_subcommand(
        std::string(service::name(kind)),
        people ? "Import people: person_id, name, email, unit, role, status"
               : "Import devices: device_id, holder, kind, vendor, model, platform, os_version, "
                 "ownership, channel, serial, imei, mac, hostname, state");
    sub->add_option("FILE", opt->file,
                    "The file to import (its extension chooses the source unless --from names "
                    "one)")
        ->required();
    sub->add_option("--from", opt->from,
                    "The file's source format (default: chosen by the file's extension)")
        ->check(CLI::IsMember(source_names));
    sub->add_option("--on", opt->on,
                    "Day the changes take effect, YYYY-MM-DD (default: today; records new to "
                    "phaseout then count as held since before any date)");
    sub->add_option("--format", opt->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}));
    sub->footer(std::string(people ? "Any invalid row imports nothing; every problem is listed as "
                                     "file:line: column: what was expected."
                                   : "Holders must already be imported. Empty kind/vendor/platform "
                                     "are inferred from model and os_version. Any invalid row "
                                     "imports nothing.") +
                "\n\n" + sourcesHelp(sources));
    sub->callback([&ctx, opt, kind] { ctx.exit_code = runImport(ctx, kind, *opt); });
  }
}

}  // namespace phaseout::cli
