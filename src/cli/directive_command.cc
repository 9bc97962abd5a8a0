// phaseout directive add|check|list|show
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/date.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

struct DirectiveOptions {
  std::string file;
  std::string on;
  std::string id;
  std::int64_t version = 0;
  std::string format = "text";
};


std::string milestonesText(const policy::Directive& d) {
  std::string out;
  for (const auto& m : d.milestones) {
    if (!out.empty()) out += ", ";
    out += m.name + " by " + m.due.toString();
  }
  return out;
}

int runCheck(const DirectiveOptions& opt) {
  auto d = service::checkDirectiveFile(opt.file);
  if (!d.isOk()) return reportError(d.status());
  if (opt.format == "json") {
    nlohmann::ordered_json j{{"file", opt.file}, {"valid", true}, {"id", d->id}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s: valid directive %s (%zu ban rules; %s)\n", opt.file.c_str(), d->id.c_str(),
                d->ban.size(), milestonesText(*d).c_str());
  }
  return kExitOk;
}

int runAdd(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto on = parseDateFlag("--on", opt.on);
  if (!on.isOk()) return reportError(on.status());
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto added = (*ws)->addDirectiveFile(opt.file, service::Recording{*on, ctx.actor, nowMs()});
  if (!added.isOk()) return reportError(added.status());
  if (opt.format == "json") {
    nlohmann::ordered_json j{{"id", added->directive.id},
                             {"version", added->version},
                             {"created", added->created}};
    std::printf("%s\n", j.dump().c_str());
  } else if (added->created) {
    std::printf("added directive %s version %lld: %s\n", added->directive.id.c_str(),
                static_cast<long long>(added->version), added->directive.title.c_str());
  } else {
    std::printf("directive %s unchanged (version %lld)\n", added->directive.id.c_str(),
                static_cast<long long>(added->version));
  }
  return kExitOk;
}

int runList(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto list = (*ws)->listDirectives();
  if (!list.isOk()) return reportError(list.status());
  if (opt.format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : *list) {
      arr.push_back({{"id", r.directive_id},
                     {"version", r.version},
                     {"title", r.title},
                     {"in_force_from", r.valid_from.toString()},
                     {"added_at", formatUtcTimestamp(r.recorded_ms)},
                     {"added_by", r.actor}});
    }
    std::printf("%s\n", arr.dump().c_str());
    return kExitOk;
  }
  if (list->empty()) {
    std::printf("no directives; add one with 'phaseout directive add FILE.yaml'\n");
    return kExitOk;
  }
  std::printf("%-28s %7s  %s\n", "ID", "VERSION", "TITLE");
  for (const auto& r : *list) {
    std::printf("%-28s %7lld  %s\n", r.directive_id.c_str(), static_cast<long long>(r.version),
                r.title.c_str());
  }
  return kExitOk;
}

int runShow(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto found = (*ws)->directive(opt.id, opt.version);
  if (!found.isOk()) return reportError(found.status());
  const auto& [d, record] = *found;
  if (opt.format == "json") {
    nlohmann::ordered_json j{{"id", d.id},
                             {"version", record.version},
                             {"title", d.title},
                             {"issued", d.issued.toString()},
                             {"issuer", d.issuer},
                             {"in_force_from", record.valid_from.toString()},
                             {"added_at", formatUtcTimestamp(record.recorded_ms)},
                             {"added_by", record.actor},
                             {"source", record.source_text}};
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  std::printf("# %s version %lld, in force from %s, added %s by %s\n# issued %s by %s; "
              "milestones: %s\n%s",
              d.id.c_str(), static_cast<long long>(record.version),
              record.valid_from.toString().c_str(), formatUtcTimestamp(record.recorded_ms).c_str(),
              record.actor.c_str(), d.issued.toString().c_str(),
              d.issuer.c_str(), milestonesText(d).c_str(), record.source_text.c_str());
  if (!record.source_text.empty() && record.source_text.back() != '\n') std::printf("\n");
  return kExitOk;
}

}  // namespace

void registerDirectiveCommands(CLI::App& app, CommandContext& ctx) {
  auto* dir = app.add_subcommand("directive", "Add, validate, list and show directives");
  dir->require_subcommand(1);
  auto opt = std::make_shared<DirectiveOptions>();

  auto* add = dir->add_subcommand(
      "add", "Validate and store a directive YAML file (a changed re-add is a new version)");
  add->add_option("FILE", opt->file, "Directive YAML file")->required();
  add->add_option("--on", opt->on,
                  "Day this version takes effect, YYYY-MM-DD (default: the directive's issued date)");
  add->add_option("--format", opt->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  add->callback([&ctx, opt] { ctx.exit_code = runAdd(ctx, *opt); });

  auto* check = dir->add_subcommand("check", "Validate a directive YAML file; stores nothing");
  check->add_option("FILE", opt->file, "Directive YAML file")->required();
  check->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&ctx, opt] { ctx.exit_code = runCheck(*opt); });

  auto* list = dir->add_subcommand("list", "List stored directives (latest versions)");
  list->add_option("--format", opt->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  list->callback([&ctx, opt] { ctx.exit_code = runList(ctx, *opt); });

  auto* show = dir->add_subcommand("show", "Show a stored directive");
  show->add_option("ID", opt->id, "Directive id")->required();
  show->add_option("--version", opt->version, "Version to show (default: latest)");
  show->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([&ctx, opt] { ctx.exit_code = runShow(ctx, *opt); });
}

}  // namespace phaseout::cli
