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
  std::string map;
  bool full = false;
  bool dry_run = false;
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
  const service::ImportRequest request{kind, opt.file, opt.from, service::Recording{*on, nowMs()}};
  service::ImportOptions options;
  options.full = opt.full;
  options.dry_run = opt.dry_run;
  options.map_path = opt.map;
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  const std::string what(service::name(kind));
  Progress progress("importing " + what);
  auto on_progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
    progress.update(stage, done, total);
  };
  auto summary = service::importInventory(service::Caller::localOperator(ctx.actor), **ws, request,
                                          options, on_progress);
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
  const service::ImportSummary& s = *summary;
  if (opt.format == "json") {
    nlohmann::ordered_json j;
    j["file"] = s.file;
    j["kind"] = what;
    j["source"] = s.source;
    j["recognised"] = s.recognised;
    j["dry_run"] = s.dry_run;
    j["records"] = s.records;
    j["added"] = s.counts.added;
    j["updated"] = s.counts.updated;
    j["unchanged"] = s.counts.unchanged;
    if (s.external) {
      j["merged"] = s.merge.merged;
      j["missing"] = s.merge.missing;
      j["unmatched_holders"] = s.merge.unmatched_holders;
      j["conflicting_devices"] = s.merge.conflicting_devices;
      j["missing_devices"] = s.missing;
    }
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  if (s.recognised) {
    std::printf("%s: read as %s (recognised from its contents)\n", s.file.c_str(),
                s.source.c_str());
  }
  const char* verb = s.dry_run ? "would import" : "imported";
  if (!s.external) {
    std::printf("%s %zu %s from %s: %zu added, %zu updated, %zu unchanged\n", verb, s.records,
                what.c_str(), s.file.c_str(), s.counts.added, s.counts.updated, s.counts.unchanged);
  } else {
    std::printf("%s %zu %s from %s (%s): %zu added, %zu updated, %zu unchanged, %zu merged\n", verb,
                s.records, what.c_str(), s.file.c_str(), s.source.c_str(), s.merge.added,
                s.merge.updated, s.merge.unchanged, s.merge.merged);
    if (s.merge.unmatched_holders != 0) {
      std::printf(
          "%zu holders match no person: imported without holder, to review "
          "(phaseout device list)\n",
          s.merge.unmatched_holders);
    }
    if (s.merge.conflicting_devices != 0) {
      std::printf(
          "%zu devices now have sources that disagree (source-conflict; phaseout device "
          "show ID)\n",
          s.merge.conflicting_devices);
    }
    if (opt.full) {
      std::printf("%zu devices missing from %s (marked missing-from-source, not deleted)%s\n",
                  s.merge.missing, s.source.c_str(), s.missing.empty() ? "" : ":");
      for (const std::string& id : s.missing) std::printf("  %s\n", id.c_str());
    }
  }
  if (s.dry_run) std::printf("dry run: nothing was stored\n");
  return kExitOk;
}

// The help footer's list of sources: "  csv   CSV: a header line ... (.csv)".
std::string sourcesHelp(const std::vector<service::ImportSourceInfo>& sources) {
  std::size_t width = 0;
  for (const service::ImportSourceInfo& source : sources) {
    width = std::max(width, source.name.size());
  }
  std::string out = "Sources (--from; by default the file's contents, else its extension, choose):";
  for (const service::ImportSourceInfo& source : sources) {
    out += "\n  " + source.name + std::string(width + 2 - source.name.size(), ' ') +
           source.description +
           (source.extensions.empty() ? "" : " (" + join(source.extensions, ", ") + ")");
  }
  return out;
}

}  // namespace

void registerInventoryCommands(CLI::App& app, CommandContext& ctx) {
  auto* init = app.add_subcommand("init", "Create or upgrade the database schema (safe to repeat)");
  init->callback([&ctx] { ctx.exit_code = runInit(ctx); });

  auto* import = app.add_subcommand(
      "import",
      "Import people or devices from phaseout's CSV/JSON, an MDM or asset-register export, or a "
      "directory (all-or-nothing; see docs/importers.md)");
  import->require_subcommand(1);
  const std::vector<service::ImportSourceInfo> sources = service::importSources();
  std::vector<std::string> source_names;
  for (const service::ImportSourceInfo& source : sources) source_names.push_back(source.name);
  for (service::ImportKind kind : {service::ImportKind::kPeople, service::ImportKind::kDevices}) {
    const bool people = kind == service::ImportKind::kPeople;
    auto opt = std::make_shared<ImportOptions>();
    auto* sub = import->add_subcommand(
        std::string(service::name(kind)),
        people ? "Import people: person_id, name, email, unit, role, status, upn"
               : "Import devices: device_id, holder, kind, vendor, model, platform, os_version, "
                 "ownership, channel, serial, imei, mac, hostname, state");
    sub->add_option("FILE", opt->file,
                    "The file to import (its contents, else its extension, choose the source "
                    "unless --from names one)")
        ->required();
    sub->add_option("--from", opt->from,
                    "The file's source (default: recognised from its contents, else by its "
                    "extension)")
        ->check(CLI::IsMember(source_names));
    sub->add_option("--on", opt->on,
                    "Day the changes take effect, YYYY-MM-DD (default: today; records new to "
                    "phaseout then count as held since before any date)");
    sub->add_option("--format", opt->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}));
    sub->add_flag("--dry-run", opt->dry_run,
                  "Check the file and print what the import would do, storing nothing");
    if (people) {
      sub->add_option("--map", opt->map,
                      "YAML file saying which attribute or group gives the unit and each role "
                      "(ldif, scim; see docs/importers.md)");
    } else {
      sub->add_flag("--full", opt->full,
                    "The file is its source's whole inventory: mark devices it no longer lists "
                    "as missing-from-source (never deleted) and list them");
    }
    sub->footer(std::string(people ? "Any invalid row imports nothing; every problem is listed as "
                                     "file:line: column: what was expected."
                                   : "csv/json: holders must already be imported. MDM and asset "
                                     "exports are matched to known devices (serial, IMEI, MAC) "
                                     "and merged; their holders are matched by e-mail. Empty "
                                     "kind/vendor/platform are inferred from model and "
                                     "os_version. Any invalid row imports nothing.") +
                "\n\n" + sourcesHelp(sources));
    sub->callback([&ctx, opt, kind] { ctx.exit_code = runImport(ctx, kind, *opt); });
  }
}

}  // namespace phaseout::cli
