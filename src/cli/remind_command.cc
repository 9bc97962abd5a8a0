// phaseout remind
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "service/remind.h"

namespace phaseout::cli {
namespace {

struct RemindFlags {
  std::string directive;
  std::string at;
  bool dry_run = false;
  std::string smtp = std::string(service::kDefaultSmtpUrl);
  std::string from = std::string(service::kDefaultMailFrom);
  std::string format = "text";
};

constexpr const char* kRemindFooter =
    R"(Each open case (banned device still active, not waived, pending or overdue) gets, for
each milestone it does not meet yet:
  - a reminder to the holder on the directive's schedule (reminders.days_before, default
    14, 7, 3 and 1 days before the due date). A run on a later day sends the latest step
    whose day has come if it was never sent (run on day -5: the 7-day step, once), never
    older ones as well;
  - after the due date, one escalation to the officers of the holder's unit
    (reminders.escalate_to_role, default unit-officer), walking up the unit tree when the
    unit has none.
Each (case, milestone, step) is sent once: running again sends nothing new. Each message is
recorded right after the SMTP server accepts it; a crash between the two may send that one
message again on the next run. People without an e-mail address, and escalations with no
officer to receive them, are listed as undeliverable and retried on later runs.

SMTP: --smtp, else $PHASEOUT_SMTP, else smtp://localhost:25 (smtps:// for TLS; put
user:password@ in the URL to authenticate). Sender: --from, else $PHASEOUT_MAIL_FROM.

Exit codes:
  0  every due message was sent (or, with --dry-run, listed); undeliverable ones are listed
  1  usage or input error (bad flag or date, unknown directive, not in force on --at)
  2  the SMTP server could not be reached or refused a message (nothing unsent is
     recorded), or a database error)";

int runRemind(const CommandContext& ctx, const RemindFlags& f) {
  auto at = parseDateFlag("--at", f.at);
  if (!at.isOk()) return reportError(at.status());
  service::RemindRequest request;
  request.db_path = ctx.db_path;
  request.smtp_url = f.smtp;
  request.options.directive_id = f.directive;
  request.options.on = *at;
  request.options.now_ms = nowMs();
  request.options.dry_run = f.dry_run;
  request.options.from = f.from;
  auto result = service::remind(service::Caller::localOperator(ctx.actor), request);
  if (!result.isOk()) return reportError(result.status());

  const std::string out = f.format == "json" ? service::remindJson(*result) + "\n"
                                             : service::remindText(*result, f.smtp);
  std::fputs(out.c_str(), stdout);
  if (!result->stopped.isOk()) {
    std::fflush(stdout);
    return reportError(result->stopped);
  }
  if (result->count(service::DeliveryOutcome::kFailed) > 0) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "phaseout: the SMTP server refused %zu message(s); they were not "
                 "recorded and will be tried again on the next run\n",
                 result->count(service::DeliveryOutcome::kFailed));
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace

void registerRemindCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<RemindFlags>();
  if (const char* env = std::getenv("PHASEOUT_SMTP"); env && *env) f->smtp = env;
  if (const char* env = std::getenv("PHASEOUT_MAIL_FROM"); env && *env) f->from = env;
  auto* cmd = app.add_subcommand(
      "remind", "E-mail the reminders and escalations a directive's open cases are due on a day");
  cmd->add_option("--directive", f->directive, "Directive id")->required();
  cmd->add_option("--at", f->at, "The day to remind as of, YYYY-MM-DD (default: today, UTC)");
  cmd->add_flag("--dry-run", f->dry_run,
                "Print what would be sent (in full) without sending or recording anything");
  cmd->add_option("--smtp", f->smtp,
                  "SMTP server URL (default: $PHASEOUT_SMTP or smtp://localhost:25)");
  cmd->add_option("--from", f->from,
                  "Sender address (default: $PHASEOUT_MAIL_FROM or phaseout@localhost)");
  cmd->add_option("--format", f->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->footer(kRemindFooter);
  cmd->callback([&ctx, f] { ctx.exit_code = runRemind(ctx, *f); });
}

}  // namespace phaseout::cli
