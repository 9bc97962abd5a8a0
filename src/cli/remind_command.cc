// phaseout remind
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "service/remind.h"

namespace phaseout::cli {
namespace {

using nlohmann::ordered_json;

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

ordered_json recipientsJson(const std::vector<campaign::Recipient>& to) {
  auto arr = ordered_json::array();
  for (const auto& r : to) {
    arr.push_back({{"person_id", r.person_id}, {"name", r.name}, {"email", r.email}});
  }
  return arr;
}

std::string recipientsText(const std::vector<campaign::Recipient>& to) {
  std::string out;
  for (const auto& r : to) {
    if (!out.empty()) out += ", ";
    out += r.email + " (" + r.person_id + ")";
  }
  return out;
}

std::size_t skippedCount(const service::RemindResult& r) {
  return r.already_sent.size() + r.count(service::DeliveryOutcome::kSentMeanwhile);
}

ordered_json resultJson(const service::RemindResult& r) {
  ordered_json j{{"directive", r.directive_id}, {"at", r.on.toString()}, {"dry_run", r.dry_run}};
  auto messages = ordered_json::array();
  for (const auto& d : r.deliveries) {
    const auto& m = d.message;
    ordered_json e{{"case", m.case_id},
                   {"device_id", m.device_id},
                   {"holder", m.holder_id},
                   {"unit", m.unit},
                   {"milestone", m.milestone},
                   {"step", m.step},
                   {"kind", campaign::name(m.kind)},
                   {"due", m.due.toString()},
                   {"days_left", m.days_left},
                   {"scheduled_on", m.scheduled_on.toString()},
                   {"to", recipientsJson(m.to)},
                   {"subject", m.subject},
                   {"message_id", d.mail.message_id},
                   {"outcome", service::name(d.outcome)}};
    if (m.kind == campaign::MessageKind::kEscalation) e["officer_unit"] = m.officer_unit;
    if (!d.error.empty()) e["error"] = d.error;
    e["body"] = m.body;
    messages.push_back(std::move(e));
  }
  j["messages"] = std::move(messages);
  auto undeliverable = ordered_json::array();
  for (const auto& u : r.undeliverable) {
    undeliverable.push_back({{"case", u.case_id},
                             {"device_id", u.device_id},
                             {"milestone", u.milestone},
                             {"step", u.step},
                             {"kind", campaign::name(u.kind)},
                             {"person_id", u.person_id},
                             {"problem", u.problem}});
  }
  j["undeliverable"] = std::move(undeliverable);
  auto skipped = ordered_json::array();
  for (const auto& k : r.already_sent) {
    skipped.push_back({{"device_id", k.device_id}, {"milestone", k.milestone}, {"step", k.step}});
  }
  j["already_sent"] = std::move(skipped);
  using service::DeliveryOutcome;
  j["summary"] = {{"sent", r.count(DeliveryOutcome::kSent)},
                  {"would_send", r.count(DeliveryOutcome::kWouldSend)},
                  {"skipped_already_sent", skippedCount(r)},
                  {"undeliverable", r.undeliverable.size()},
                  {"escalations", r.escalations()},
                  {"failed", r.count(DeliveryOutcome::kFailed)},
                  {"not_attempted", r.count(DeliveryOutcome::kNotAttempted)}};
  if (!r.stopped.isOk()) j["error"] = r.stopped.message();
  return j;
}

// "  sent           reminder   D-1          handover   before-7    ": fixed columns, then the
// recipients or the problem.
std::string row(std::string_view outcome, std::string_view kind, const std::string& device,
                const std::string& milestone, const std::string& step) {
  char line[256];
  std::snprintf(line, sizeof line, "  %-14s %-10s %-12s %-10s %-11s ", std::string(outcome).c_str(),
                std::string(kind).c_str(), device.c_str(), milestone.c_str(), step.c_str());
  return line;
}

std::string resultText(const service::RemindResult& r, const std::string& smtp) {
  using service::DeliveryOutcome;
  std::string out = "remind " + r.directive_id + " as of " + r.on.toString() +
                    (r.dry_run ? " (dry run: nothing is sent or recorded)\n"
                               : " through " + service::redactUrl(smtp) + "\n");
  for (const auto& d : r.deliveries) {
    const auto& m = d.message;
    if (r.dry_run) {
      out += "\n--- would send: " + std::string(campaign::name(m.kind)) + " " + m.case_id + " " +
             m.milestone + " " + m.step + "\n";
      out += "To: " + recipientsText(m.to) + "\n";
      out += "Subject: " + m.subject + "\n\n";
      out += m.body;
      continue;
    }
    out += row(service::name(d.outcome), campaign::name(m.kind), m.device_id, m.milestone, m.step);
    out += "to " + recipientsText(m.to) + "\n";
    if (!d.error.empty()) out += "    " + d.error + "\n";
  }
  if (r.dry_run && !r.deliveries.empty()) out += "\n";
  for (const auto& u : r.undeliverable) {
    out += row("undeliverable", campaign::name(u.kind), u.device_id, u.milestone, u.step);
    out += u.problem + "\n";
  }
  const std::size_t delivered =
      r.dry_run ? r.count(DeliveryOutcome::kWouldSend) : r.count(DeliveryOutcome::kSent);
  out += "summary: " + std::to_string(delivered) + (r.dry_run ? " would be sent, " : " sent, ") +
         std::to_string(skippedCount(r)) + " skipped (already sent), " +
         std::to_string(r.undeliverable.size()) + " undeliverable, " +
         std::to_string(r.escalations()) + (r.escalations() == 1 ? " escalation" : " escalations");
  const std::size_t failed = r.count(DeliveryOutcome::kFailed);
  const std::size_t not_attempted = r.count(DeliveryOutcome::kNotAttempted);
  if (failed) out += ", " + std::to_string(failed) + " failed";
  if (not_attempted) out += ", " + std::to_string(not_attempted) + " not attempted";
  out += "\n";
  return out;
}

int runRemind(const CommandContext& ctx, const RemindFlags& f) {
  auto at = parseDateFlag("--at", f.at);
  if (!at.isOk()) return reportError(at.status());
  if (f.directive.empty()) return reportError(invalidArgument("--directive: required"));
  Status url_ok = service::checkSmtpUrl(f.smtp);
  if (!url_ok.isOk()) return reportError(url_ok);

  service::RemindOptions options;
  options.directive_id = f.directive;
  options.now_ms = nowMs();
  options.on = at->value_or(Date::fromEpochMs(options.now_ms));
  options.dry_run = f.dry_run;
  options.from = f.from;
  options.actor = ctx.actor;

  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  auto transport = service::makeSmtpTransport(f.smtp);
  auto result = service::remind(**ws, options, *transport);
  if (!result.isOk()) return reportError(result.status());

  if (f.format == "json") {
    const std::string text =
        resultJson(*result).dump(2, ' ', false, ordered_json::error_handler_t::replace);
    std::printf("%s\n", text.c_str());
  } else {
    const std::string text = resultText(*result, f.smtp);
    std::fputs(text.c_str(), stdout);
  }
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
