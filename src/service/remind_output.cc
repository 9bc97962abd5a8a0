// Renders a remind run for the CLI: text and JSON.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "service/remind.h"

namespace phaseout::service {
namespace {

using nlohmann::ordered_json;

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

std::size_t skippedCount(const RemindResult& r) {
  return r.already_sent.size() + r.count(DeliveryOutcome::kSentMeanwhile);
}

ordered_json resultJson(const RemindResult& r) {
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
                   {"outcome", name(d.outcome)}};
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

std::string resultText(const RemindResult& r, std::string_view smtp) {
  std::string out = "remind " + r.directive_id + " as of " + r.on.toString() +
                    (r.dry_run ? " (dry run: nothing is sent or recorded)\n"
                               : " through " + redactUrl(smtp) + "\n");
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
    out += row(name(d.outcome), campaign::name(m.kind), m.device_id, m.milestone, m.step);
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

}  // namespace

std::string remindText(const RemindResult& result, std::string_view smtp_url) {
  return resultText(result, smtp_url);
}

std::string remindJson(const RemindResult& result) {
  return resultJson(result).dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace phaseout::service
