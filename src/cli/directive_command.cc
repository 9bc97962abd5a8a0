// phaseout directive add|check|list|show
#include <cstdio>

#include "cli/commands.h"
#include "service/directive.h"

namespace phaseout::cli {
namespace {

struct DirectiveOptions {
  std::string file;
  std::string on;
  std::string id;
  std::int64_t version = 0;
  std::string format = "text";
};

void print(const std::string& format, const std::string& json, const std::string& text) {
  std::fputs((format == "json" ? json : text).c_str(), stdout);
}

int runCheck(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto d = service::checkDirectiveFile(service::Caller::localOperator(ctx.actor), opt.file);
  if (!d.isOk()) return reportError(d.status());
  print(opt.format, service::directiveCheckJson(opt.file, *d),
        service::directiveCheckText(opt.file, *d));
  return kExitOk;
}

int runAdd(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto on = parseDateFlag("--on", opt.on);
  if (!on.isOk()) return reportError(on.status());
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto added = service::addDirectiveFile(service::Caller::localOperator(ctx.actor), **ws, opt.file,
                                         service::Recording{*on, nowMs()});
  if (!added.isOk()) return reportError(added.status());
  print(opt.format, service::directiveAddedJson(*added), service::directiveAddedText(*added));
  return kExitOk;
}

int runList(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto list = service::listDirectives(service::Caller::localOperator(ctx.actor), **ws);
  if (!list.isOk()) return reportError(list.status());
  print(opt.format, service::directiveListJson(*list), service::directiveListText(*list));
  return kExitOk;
}

int runShow(const CommandContext& ctx, const DirectiveOptions& opt) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto shown =
      service::showDirective(service::Caller::localOperator(ctx.actor), **ws, opt.id, opt.version);
  if (!shown.isOk()) return reportError(shown.status());
  print(opt.format, service::directiveShownJson(*shown), service::directiveShownText(*shown));
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
  add->add_option(
      "--on", opt->on,
      "Day this version takes effect, YYYY-MM-DD (default: the directive's issued date)");
  add->add_option("--format", opt->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  add->callback([&ctx, opt] { ctx.exit_code = runAdd(ctx, *opt); });

  auto* check = dir->add_subcommand("check", "Validate a directive YAML file; stores nothing");
  check->add_option("FILE", opt->file, "Directive YAML file")->required();
  check->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&ctx, opt] { ctx.exit_code = runCheck(ctx, *opt); });

  auto* list = dir->add_subcommand("list", "List stored directives (latest versions)");
  list->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  list->callback([&ctx, opt] { ctx.exit_code = runList(ctx, *opt); });

  auto* show = dir->add_subcommand("show", "Show a stored directive");
  show->add_option("ID", opt->id, "Directive id")->required();
  show->add_option("--version", opt->version, "Version to show (default: latest)");
  show->add_option("--format", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([&ctx, opt] { ctx.exit_code = runShow(ctx, *opt); });
}

}  // namespace phaseout::cli
