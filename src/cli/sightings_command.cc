// phaseout sightings list | findings | import
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "report/sightings_report.h"
#include "service/caller.h"
#include "service/sightings.h"

namespace phaseout::cli {

std::string signaturesDir(const std::string& flag);  // detect_command.cc

namespace {

constexpr const char* kSightingsFooter =
    R"(Sightings are what the network showed about each device (platform, kind, level,
identifiers, users, services reached, evidence), stored with their day and sources.
Findings are computed from them against the inventory and every directive, as of a day:
  banned-platform      a confirmed/likely banned platform, for a device or person in scope
  unknown-phone        a confirmed/likely phone no inventory device matches
  disposed-seen-again  a device recorded returned/destroyed/transferred/lost, seen later
  usage-ban            a smartphone User-Agent reaching a service a usage ban protects

Exit codes:
  0  success
  1  usage or input error (bad flag, malformed file, unknown id); nothing was changed
  2  internal error (database unavailable or corrupt))";

struct ListOptions {
  std::string device;
  std::string since;
  std::string at;
  std::string format = "text";
};

struct FindingsOptions {
  std::string directive;
  std::string at;
  std::string kind;
  std::string format = "text";
};

struct ImportOptions {
  std::vector<std::string> files;
  std::string on;
  std::string signatures;
  bool keep_going = false;
  std::string format = "text";
};

// Service checks that the database is ready (migrated) before it reads or writes.
Result<std::unique_ptr<service::Workspace>> openReady(const CommandContext& ctx) {
  return service::Workspace::open(ctx.db_path);
}

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int runList(const CommandContext& ctx, const ListOptions& o) {
  auto since = parseDateFlag("--since", o.since);
  if (!since.isOk()) return reportError(since.status());
  auto at = parseDateFlag("--at", o.at);
  if (!at.isOk()) return reportError(at.status());
  auto ws = openReady(ctx);
  if (!ws.isOk()) return reportError(ws.status());
  service::SightingFilter filter;
  filter.device_id = o.device;
  filter.since = *since;
  filter.as_of = *at;
  auto sightings = service::listSightings(service::Caller::localOperator(ctx.actor), **ws, filter);
  if (!sightings.isOk()) return reportError(sightings.status());
  print(o.format == "json" ? report::sightingListJson(*sightings)
                           : report::sightingListText(*sightings));
  return kExitOk;
}

int runFindings(const CommandContext& ctx, const FindingsOptions& o) {
  auto at = parseDateFlag("--at", o.at);
  if (!at.isOk()) return reportError(at.status());
  service::FindingQuery query;
  query.directive_id = o.directive;
  query.as_of = *at;
  query.now_ms = nowMs();
  query.kind = o.kind;
  auto ws = openReady(ctx);
  if (!ws.isOk()) return reportError(ws.status());
  auto found = service::findings(service::Caller::localOperator(ctx.actor), **ws, query);
  if (!found.isOk()) return reportError(found.status());
  print(o.format == "json" ? report::findingListJson(found->as_of, found->findings)
                           : report::findingListText(found->as_of, found->findings));
  return kExitOk;
}

int runImport(const CommandContext& ctx, const ImportOptions& o) {
  auto on = parseDateFlag("--on", o.on);
  if (!on.isOk()) return reportError(on.status());
  auto ws = openReady(ctx);
  if (!ws.isOk()) return reportError(ws.status());
  service::SightingsImportRequest request;
  request.files = o.files;
  request.on = *on;
  request.signatures_dir = signaturesDir(o.signatures);
  request.keep_going = o.keep_going;
  request.now_ms = nowMs();
  auto imported =
      service::importSightings(service::Caller::localOperator(ctx.actor), **ws, request);
  if (!imported.isOk()) {
    const int rc = reportError(imported.status());
    if (o.files.size() > 1 && !o.keep_going) {
      std::fprintf(stderr, "phaseout: nothing stored; --keep-going stores the readable files\n");
    }
    return rc;
  }
  for (const auto& skipped : imported->skipped) {
    std::fprintf(stderr, "phaseout: warning: skipped %s (--keep-going)\n", skipped.reason.c_str());
  }
  const auto& recorded = imported->recorded;
  print(
      o.format == "json"
          ? report::sightingsImportedJson(imported->files, recorded.sightings, recorded.event_seq)
          : report::sightingsImportedText(imported->files, recorded.sightings, recorded.event_seq));
  return kExitOk;
}

}  // namespace

void registerSightingsCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* group = app.add_subcommand(
      "sightings", "Network sightings of devices and the findings reconciled from them");
  group->require_subcommand(1);
  group->footer(kSightingsFooter);

  auto list_opt = std::make_shared<ListOptions>();
  CLI::App* list = group->add_subcommand("list", "List stored sightings");
  list->add_option("--device", list_opt->device,
                   "Only sightings matching this inventory device (by MAC, serial or host name)");
  list->add_option("--since", list_opt->since, "Only sightings seen on or after YYYY-MM-DD");
  list->add_option("--at", list_opt->at, "Only sightings seen on or before YYYY-MM-DD");
  list->add_option("--format", list_opt->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  list->footer(kSightingsFooter);
  list->callback([list_opt, &ctx] { ctx.exit_code = runList(ctx, *list_opt); });

  auto find_opt = std::make_shared<FindingsOptions>();
  CLI::App* find = group->add_subcommand(
      "findings", "Findings from the sightings as of a day, each with its reason and evidence");
  find->add_option("--directive", find_opt->directive,
                   "Only findings of this directive (default: all, also those of none)");
  find->add_option("--at", find_opt->at, "Judge as of YYYY-MM-DD (default: today)");
  find->add_option("--kind", find_opt->kind,
                   "Only this kind: banned-platform, unknown-phone, disposed-seen-again, "
                   "usage-ban");
  find->add_option("--format", find_opt->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  find->footer(kSightingsFooter);
  find->callback([find_opt, &ctx] { ctx.exit_code = runFindings(ctx, *find_opt); });

  auto import_opt = std::make_shared<ImportOptions>();
  CLI::App* import_cmd = group->add_subcommand(
      "import",
      "Store the output of 'phaseout detect --format json' as sightings (all or nothing)");
  import_cmd
      ->add_option("files", import_opt->files,
                   "JSON files written by phaseout detect (stored together as one batch)")
      ->required();
  import_cmd->add_flag("--keep-going", import_opt->keep_going,
                       "Skip files that cannot be read (each named on stderr) instead of storing "
                       "nothing");
  import_cmd->add_option(
      "--on", import_opt->on,
      "The day the traffic was seen, YYYY-MM-DD (default: each device's last-seen "
      "time, else today); use it to replay an old capture");
  import_cmd->add_option("--signatures", import_opt->signatures,
                         "Directory of signature files for User-Agent rules (default: "
                         "$PHASEOUT_SIGNATURES, else built in)");
  import_cmd->add_option("--format", import_opt->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  import_cmd->footer(kSightingsFooter);
  import_cmd->callback([import_opt, &ctx] { ctx.exit_code = runImport(ctx, *import_opt); });
}

}  // namespace phaseout::cli
