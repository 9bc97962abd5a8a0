#include "campaign/reminders.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "core/strings.h"
#include "i18n/catalog.h"
#include "i18n/language.h"
#include "policy/evaluator.h"

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::Person;

constexpr std::size_t kWrapColumns = 76;

// Code points, so that a line of Cyrillic wraps where a reader sees it end.
std::size_t displayWidth(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Appends `text` word-wrapped: the first line after `first`, the rest after `rest` (an
// indentation of the same width, usually). A single word longer than a line stays whole.
void appendWrapped(std::string& out, std::string_view first, std::string_view rest,
                   std::string_view text) {
  std::string line(first);
  std::size_t width = displayWidth(line);
  bool line_has_word = false;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view word = text.substr(i, j - i);
    const std::size_t w = displayWidth(word);
    if (line_has_word && width + 1 + w > kWrapColumns) {
      out += line;
      out += '\n';
      line.assign(rest);
      width = displayWidth(line);
      line_has_word = false;
    }
    if (line_has_word) {
      line += ' ';
      ++width;
    }
    line += word;
    width += w;
    line_has_word = true;
    i = j;
  }
  out += line;
  out += '\n';
}

// "Label:    value", wrapped under the value's column.
void appendField(std::string& out, std::string_view label, std::string_view value) {
  constexpr std::size_t kLabelColumns = 13;
  std::string first = "  ";
  first += label;
  first += ':';
  // A label as long as the column (a Russian one) still leaves a space before the value.
  std::size_t width = displayWidth(first);
  do {
    first += ' ';
  } while (++width < kLabelColumns);
  appendWrapped(out, first, std::string(std::max(width, kLabelColumns), ' '), value);
}

void appendBullet(std::string& out, std::string_view text) {
  appendWrapped(out, "  - ", "    ", text);
}

// Every sentence of a message comes from the message catalog (i18n/) in the language of the
// message; `Texts` is that catalog bound to the language.
struct Texts {
  const i18n::Catalog& catalog;
  std::string language;

  std::string operator()(std::string_view key, const i18n::Params& params = {}) const {
    return catalog.text(language, key, params);
  }
  std::string plural(std::string_view key, long long count, const i18n::Params& params = {}) const {
    return catalog.plural(language, key, count, params);
  }
  std::string date(Date d) const { return i18n::formatDate(language, d); }
};

std::string daysPhrase(const Texts& t, std::int32_t days_left) {
  if (days_left == 0) return t("mail.due_today");
  const std::int32_t n = days_left < 0 ? -days_left : days_left;
  return t.plural(days_left < 0 ? "mail.days_overdue" : "mail.days_left", n);
}

std::string sentence(std::string_view text) {
  std::string s(trim(text));
  if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
  return s;
}

std::string platformList(const std::vector<platform::Platform>& platforms) {
  std::vector<std::string> names;
  for (auto p : platforms) {
    const auto display = policy::displayName(p);
    names.emplace_back(display.empty() ? platform::name(p) : display);
  }
  return join(names, ", ");
}

std::string channelList(const std::vector<platform::Channel>& channels) {
  std::vector<std::string> names;
  for (auto c : channels) names.emplace_back(platform::name(c));
  return join(names, ", ");
}

// The catalog's word for what a milestone requires: "surrendered", "replacement", "not_in_use".
std::string_view requirementKey(const policy::Milestone& m) {
  if (m.requires_what == policy::kRequiresBannedDevicesSurrendered) return "surrendered";
  if (m.requires_what == policy::kRequiresAllowedReplacementHeld) return "replacement";
  return "not_in_use";
}

// What the milestone asks, as a short phrase for subjects ("hand in", "replace").
std::string verbFor(const Texts& t, const policy::Milestone& m, const policy::Directive& d) {
  if (m.requires_what == policy::kRequiresBannedDevicesSurrendered) return t("mail.verb.hand_in");
  if (m.requires_what == policy::kRequiresAllowedReplacementHeld) return t("mail.verb.replace");
  return t(d.type == policy::DirectiveType::kUsageBan ? "mail.verb.stop_using"
                                                      : "mail.verb.give_up");
}

std::string requirementPhrase(const Texts& t, const policy::Milestone& m) {
  return t("mail.requirement." + std::string(requirementKey(m)));
}

// What is still missing once the due date has passed, for escalations.
std::string missingPhrase(const Texts& t, const policy::Milestone& m) {
  return t("mail.missing." + std::string(requirementKey(m)));
}

bool requirementMet(const policy::Milestone& m, const CaseView& c) {
  if (m.requires_what == policy::kRequiresBannedDevicesSurrendered) return c.surrendered;
  if (m.requires_what == policy::kRequiresAllowedReplacementHeld) return c.replacement_held;
  return c.verdict == policy::VerdictStatus::kCompliant ||
         c.verdict == policy::VerdictStatus::kExempt;
}

bool caseOpen(const CaseView& c) {
  if (c.surrendered) return false;
  if (c.verdict != policy::VerdictStatus::kPending &&
      c.verdict != policy::VerdictStatus::kOverdue) {
    return false;
  }
  return c.stage != CaseStage::kWaived && c.stage != CaseStage::kVerified &&
         c.stage != CaseStage::kClosed;
}

// The concrete steps that bring the case to the milestone, for the "How to comply" section.
std::vector<std::string> complianceSteps(const Texts& t, const policy::Directive& d,
                                         const policy::Milestone& m, const std::string& device_id,
                                         const std::string& model) {
  std::vector<std::string> steps;
  const bool surrender = m.requires_what != policy::kRequiresAllowedReplacementHeld;
  const bool replace = m.requires_what != policy::kRequiresBannedDevicesSurrendered;
  const std::string due = t.date(m.due);
  if (d.type == policy::DirectiveType::kUsageBan && !d.protects.empty()) {
    steps.push_back(t("mail.step.stop_using", {{"model", model},
                                               {"device", device_id},
                                               {"protects", join(d.protects, ", ")},
                                               {"due", due}}));
  } else if (surrender) {
    steps.push_back(
        t("mail.step.hand_in", {{"model", model}, {"device", device_id}, {"due", due}}));
  }
  std::string replacement =
      d.allowed_platforms.empty()
          ? t("mail.step.replace.any_platform")
          : t("mail.step.replace.platforms", {{"platforms", platformList(d.allowed_platforms)}});
  if (d.replacement && !d.replacement->channels.empty()) {
    replacement +=
        t("mail.step.replace.channels", {{"channels", channelList(d.replacement->channels)}});
  }
  replacement += replace ? t("mail.step.replace.recorded_by", {{"due", due}})
                         : t("mail.step.replace.recorded");
  steps.push_back(std::move(replacement));
  if (d.waivers) {
    steps.push_back(
        t.plural("mail.step.waiver", d.waivers->max_days, {{"role", d.waivers->approver_role}}));
  }
  return steps;
}

std::string directiveLine(const Texts& t, const policy::Directive& d) {
  i18n::Params params{{"id", d.id}, {"title", d.title}, {"issued", t.date(d.issued)}};
  if (d.issuer.empty()) return t("mail.directive_line", params);
  params.emplace_back("issuer", d.issuer);
  return t("mail.directive_line_by", params);
}

struct CaseFacts {
  const policy::Directive& directive;
  const policy::Milestone& milestone;
  const CaseView& c;
  const Person& holder;
  std::string what;   // "iPhone 13 Pro (iOS 16.4)", or "device D-1" when unknown
  std::string model;  // "iPhone 13 Pro", or "device" when the model is unknown
  std::int32_t days_left = 0;
};

void appendFacts(std::string& body, const Texts& t, const CaseFacts& f) {
  appendField(body, t("mail.field.device"), f.c.device_id + ", " + f.what);
  appendField(body, t("mail.field.why"),
              sentence(f.directive.reason.empty() ? f.directive.title : f.directive.reason));
  appendField(body, t("mail.field.finding"), sentence(f.c.reason));
  appendField(body, t("mail.field.milestone"),
              t("mail.milestone_value", {{"milestone", f.milestone.name},
                                         {"requirement", requirementPhrase(t, f.milestone)}}));
  appendField(body, t("mail.field.due"),
              t("mail.due_value",
                {{"due", t.date(f.milestone.due)}, {"days", daysPhrase(t, f.days_left)}}));
}

void appendHowTo(std::string& body, const Texts& t, const CaseFacts& f) {
  for (const auto& step : complianceSteps(t, f.directive, f.milestone, f.c.device_id, f.model)) {
    appendBullet(body, step);
  }
}

void composeReminder(ReminderMessage& m, const Texts& t, const CaseFacts& f) {
  const std::string due = t.date(f.milestone.due);
  const std::string days = daysPhrase(t, f.days_left);
  m.subject = t("mail.reminder.subject", {{"directive", f.directive.id},
                                          {"verb", verbFor(t, f.milestone, f.directive)},
                                          {"model", f.model},
                                          {"device", f.c.device_id},
                                          {"due", due},
                                          {"days", days}});
  std::string& b = m.body;
  b = t("mail.reminder.greeting",
        {{"name", f.holder.name.empty() ? f.holder.person_id : f.holder.name}}) +
      "\n\n";
  appendWrapped(b, "", "",
                t("mail.reminder.intro", {{"directive_line", directiveLine(t, f.directive)},
                                          {"milestone", f.milestone.name},
                                          {"due", due},
                                          {"days", days}}));
  b += '\n';
  appendFacts(b, t, f);
  b += "\n" + t("mail.reminder.how_to") + "\n";
  appendHowTo(b, t, f);
  b += '\n';
  appendWrapped(b, "", "",
                t("mail.reminder.reference", {{"case", f.c.case_id},
                                              {"milestone", f.milestone.name},
                                              {"step", m.step},
                                              {"scheduled", t.date(m.scheduled_on)}}));
}

void composeEscalation(ReminderMessage& m, const Texts& t, const CaseFacts& f,
                       const std::string& role) {
  const std::string holder_name = f.holder.name.empty() ? f.holder.person_id : f.holder.name;
  const std::string due = t.date(f.milestone.due);
  m.subject = t("mail.escalation.subject", {{"directive", f.directive.id},
                                            {"milestone", f.milestone.name},
                                            {"holder", holder_name},
                                            {"person", f.holder.person_id},
                                            {"model", f.model},
                                            {"device", f.c.device_id},
                                            {"due", due}});
  std::vector<std::string> names;
  for (const auto& r : m.to) names.push_back(r.name.empty() ? r.person_id : r.name);
  std::string& b = m.body;
  b = t("mail.reminder.greeting", {{"name", join(names, ", ")}}) + "\n\n";
  appendWrapped(
      b, "", "",
      t(m.officer_unit == m.unit ? "mail.escalation.intro" : "mail.escalation.intro_parent",
        {{"milestone", f.milestone.name},
         {"directive", f.directive.id},
         {"title", f.directive.title},
         {"due", due},
         {"days", daysPhrase(t, f.days_left)},
         {"unit", m.unit},
         {"missing", missingPhrase(t, f.milestone)},
         {"role", role},
         {"officer_unit", m.officer_unit}}));
  b += '\n';
  i18n::Params holder{{"name", holder_name}, {"person", f.holder.person_id}, {"unit", m.unit}};
  if (!f.holder.email.empty()) holder.emplace_back("email", f.holder.email);
  appendField(b, t("mail.field.holder"),
              t(f.holder.email.empty() ? "mail.escalation.holder" : "mail.escalation.holder_email",
                holder));
  appendFacts(b, t, f);
  b += "\n" + t("mail.escalation.what_holder_must_do") + "\n";
  appendHowTo(b, t, f);
  b += '\n';
  appendWrapped(
      b, "", "",
      t("mail.escalation.closing", {{"case", f.c.case_id}, {"milestone", f.milestone.name}}));
}

template <typename T, typename IdOf>
std::unordered_map<std::string_view, const T*> indexBy(const std::vector<T>& records, IdOf id_of) {
  std::unordered_map<std::string_view, const T*> out;
  out.reserve(records.size());
  for (const auto& r : records) out.emplace(id_of(r), &r);
  return out;
}

std::string personLabel(const Person& p) {
  return p.name.empty() ? p.person_id : p.person_id + " (" + p.name + ")";
}

}  // namespace

ReminderSchedule reminderSchedule(const policy::Directive& directive) {
  if (directive.reminders) {
    ReminderSchedule s{directive.reminders->days_before, directive.reminders->escalate_to_role};
    std::sort(s.days_before.begin(), s.days_before.end(), std::greater<>());
    s.days_before.erase(std::unique(s.days_before.begin(), s.days_before.end()),
                        s.days_before.end());
    return s;
  }
  return {{kDefaultReminderDays.begin(), kDefaultReminderDays.end()},
          std::string(kDefaultEscalationRole)};
}

std::string reminderStepName(int days_before) { return "before-" + std::to_string(days_before); }

std::string_view name(MessageKind kind) {
  return kind == MessageKind::kEscalation ? "escalation" : "reminder";
}

bool plausibleEmail(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
  if (address.size() > 254) return false;
  for (unsigned char c : address) {
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
        c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
      return false;
    }
  }
  const std::string_view domain = address.substr(at + 1);
  return domain.find('@') == std::string_view::npos && domain.front() != '.' &&
         domain.back() != '.' && isValidUtf8(address);
}

std::vector<Person> escalationTargets(const std::vector<Person>& people, std::string_view unit,
                                      std::string_view role, std::string_view holder_id,
                                      std::string* found_unit) {
  if (found_unit) found_unit->clear();
  std::vector<Person> out;
  if (role.empty()) return out;
  std::string current(trim(unit));
  while (!current.empty()) {
    for (const auto& p : people) {
      if (p.status != inventory::EmploymentStatus::kActive || p.person_id == holder_id) continue;
      if (!iequals(p.unit, current)) continue;
      if (std::any_of(p.roles.begin(), p.roles.end(),
                      [&](const std::string& r) { return iequals(r, role); })) {
        out.push_back(p);
      }
    }
    if (!out.empty()) {
      std::sort(out.begin(), out.end(),
                [](const Person& a, const Person& b) { return a.person_id < b.person_id; });
      if (found_unit) *found_unit = current;
      return out;
    }
    const auto slash = current.rfind('/');
    current = slash == std::string::npos ? std::string() : current.substr(0, slash);
  }
  return out;
}

Result<ReminderPlan> planReminders(const History& history, Date on, const SentNotifications& sent,
                                   const Languages& languages) {
  const i18n::Catalog& catalog = i18n::Catalog::builtin();
  auto language_of = [&](const std::string& person_id) {
    const auto it = languages.find(person_id);
    const std::string lang = it == languages.end() ? "" : i18n::supportedLanguage(it->second);
    return lang.empty() ? std::string(i18n::kDefaultLanguage) : lang;
  };
  const DirectiveVersion* dv = history.directiveOn(on);
  if (!dv) {
    if (history.directive_versions.empty()) return failedPrecondition("no directive loaded");
    return failedPrecondition(
        "directive " + history.directive_versions.front().directive.id + " is not in force on " +
        on.toString() + " (first in force " +
        Date::fromDays(history.directive_versions.front().valid_from).toString() + ")");
  }
  const policy::Directive& directive = dv->directive;
  ReminderPlan plan;
  plan.directive_id = directive.id;
  plan.on = on;
  plan.schedule = reminderSchedule(directive);

  const auto cases = casesOn(history, on);
  const auto people = history.peopleOn(on);
  const auto devices = history.devicesOn(on);
  const auto person_of =
      indexBy(people, [](const Person& p) -> std::string_view { return p.person_id; });
  const auto device_of =
      indexBy(devices, [](const Device& d) -> std::string_view { return d.device_id; });
  std::unordered_set<std::string_view> notified;  // devices whose holder was told already
  for (const auto& step : history.steps) {
    if (step.stage == CaseStage::kNotified) notified.insert(step.device_id);
  }

  for (const auto& c : cases) {
    if (!caseOpen(c)) continue;
    const Device* device = nullptr;
    if (auto it = device_of.find(c.device_id); it != device_of.end()) device = it->second;
    // The holder on the day: who has the device now, which may differ from whoever held it
    // when it first failed.
    const std::string& holder_id = device && !device->holder.empty() ? device->holder : c.person_id;
    auto pit = person_of.find(holder_id);
    if (pit == person_of.end()) continue;  // an open case always has a holder in scope
    const Person& holder = *pit->second;
    const Texts holder_texts{catalog, language_of(holder.person_id)};
    const std::string what = device ? policy::describeDevice(*device) : std::string();

    for (const auto& milestone : directive.milestones) {
      if (requirementMet(milestone, c)) continue;
      const std::int32_t days_left = on.daysUntil(milestone.due);
      ReminderMessage m;
      m.case_id = c.case_id;
      m.directive_id = c.directive_id;
      m.device_id = c.device_id;
      m.milestone = milestone.name;
      m.due = milestone.due;
      m.days_left = days_left;
      m.holder_id = holder.person_id;
      m.unit = holder.unit;
      auto facts_in = [&](const Texts& t) {
        const std::string model =
            device && !device->model.empty() ? device->model : t("mail.device_fallback");
        const std::string described =
            device ? what : t("mail.device_with_id", {{"device", c.device_id}});
        return CaseFacts{directive, milestone, c, holder, described, model, days_left};
      };

      if (days_left >= 0) {
        // The latest step whose day has come: the smallest k with k >= days_left.
        const auto& days = plan.schedule.days_before;
        auto step = std::find_if(days.rbegin(), days.rend(), [&](int k) { return k >= days_left; });
        if (step == days.rend()) continue;
        m.kind = MessageKind::kReminder;
        m.step = reminderStepName(*step);
        m.scheduled_on = milestone.due.addDays(-*step);
      } else {
        if (plan.schedule.escalate_to_role.empty()) continue;
        m.kind = MessageKind::kEscalation;
        m.step = std::string(kEscalationStep);
        m.scheduled_on = milestone.due.addDays(1);
      }
      NotificationKey key{c.device_id, milestone.name, m.step};
      if (sent.count(key)) {
        plan.already_sent.push_back(std::move(key));
        continue;
      }
      auto undeliverable = [&](std::string person_id, std::string problem) {
        plan.undeliverable.push_back({m.kind, m.case_id, m.device_id, m.milestone, m.step,
                                      std::move(person_id), std::move(problem)});
      };

      if (m.kind == MessageKind::kReminder) {
        if (holder.email.empty()) {
          undeliverable(holder.person_id,
                        "holder " + personLabel(holder) + " has no e-mail address");
          continue;
        }
        if (!plausibleEmail(holder.email)) {
          undeliverable(holder.person_id, "holder " + personLabel(holder) +
                                              " has an unusable e-mail address \"" + holder.email +
                                              "\"");
          continue;
        }
        m.to.push_back({holder.person_id, holder.name, holder.email});
        m.first_notice = !notified.count(c.device_id);
        notified.insert(c.device_id);
        m.language = holder_texts.language;
        composeReminder(m, holder_texts, facts_in(holder_texts));
      } else {
        const std::string& role = plan.schedule.escalate_to_role;
        auto officers =
            escalationTargets(people, holder.unit, role, holder.person_id, &m.officer_unit);
        if (officers.empty()) {
          undeliverable("", "no active person other than the holder holds the role " + role +
                                " in unit " + holder.unit + " or any unit above it");
          continue;
        }
        for (const auto& o : officers) {
          if (plausibleEmail(o.email)) {
            m.to.push_back({o.person_id, o.name, o.email});
          } else {
            undeliverable(o.person_id, role + " " + personLabel(o) +
                                           (o.email.empty() ? " has no e-mail address"
                                                            : " has an unusable e-mail address \"" +
                                                                  o.email + "\""));
          }
        }
        if (m.to.empty()) continue;
        // One message to the unit's officers, in the first one's language (by person id).
        const Texts officer_texts{catalog, language_of(m.to.front().person_id)};
        m.language = officer_texts.language;
        composeEscalation(m, officer_texts, facts_in(officer_texts), role);
      }
      plan.messages.push_back(std::move(m));
    }
  }
  return plan;
}

}  // namespace phaseout::campaign
