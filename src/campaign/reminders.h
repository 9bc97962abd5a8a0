// Reminders: which messages a campaign owes on one day — to holders before each milestone's
// due date, and to their unit's officer once a due date has passed. A pure function of the
// History, the day and the notifications already sent; sending and recording are the service's
// job (service/remind.h).
//
// Rules (each applied as of the day asked, D):
// - Only open cases are chased: the device is still active, the case is neither waived nor
//   verified/closed, and its verdict on D is pending or overdue. A surrendered, exempt
//   (waived) or compliant device gets nothing, so reminders stop the day a case is resolved.
// - For each milestone of the directive version in force on D whose requirement the case does
//   not meet yet (banned_devices_surrendered: the device is still active; allowed_replacement_
//   held: the holder has no active allowed device; none given: the device is still banned):
//   * on or before the due date, the holder gets the *latest* scheduled step whose day has
//     come (step k is due on due-k days). Catch-up rule: a run on a later day sends that step
//     if it was never sent — a run on day -5 of a [14, 7, 3, 1] schedule sends "before-7" once
//     when it is missing, and never the older "before-14" as well (one message per milestone
//     per run, never a burst of stale ones). Before the first step's day nothing is due.
//   * after the due date, one escalation ("escalation") goes to the officers of the holder's
//     unit: the active people holding the schedule's escalate_to_role on D, other than the
//     holder. With none in the unit, the unit's parents are tried in turn ("pa/a/b", "pa/a",
//     "pa"); with none at all, the escalation is reported undeliverable. No escalation when
//     the directive's `reminders:` section gives no escalate_to_role.
// - The schedule is the directive's `reminders:` section, or kDefaultReminderDays with
//   kDefaultEscalationRole when it has none.
// - Each (case, milestone, step) is due once: a key in `sent` is never due again, whatever
//   the day. A step that could not be delivered (no e-mail address, no officer) is not sent,
//   so it is reported again on every run until it can be.
// Thread safety: pure functions over immutable inputs.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/history.h"
#include "core/date.h"
#include "core/status.h"
#include "policy/directive.h"

namespace phaseout::campaign {

inline constexpr std::array<int, 4> kDefaultReminderDays = {14, 7, 3, 1};
inline constexpr std::string_view kDefaultEscalationRole = "unit-officer";
inline constexpr std::string_view kEscalationStep = "escalation";

// The schedule a directive follows: its `reminders:` section or the defaults.
struct ReminderSchedule {
  std::vector<int> days_before;  // distinct, > 0, descending
  std::string escalate_to_role;  // "" means no escalation

  bool operator==(const ReminderSchedule&) const = default;
};
ReminderSchedule reminderSchedule(const policy::Directive& directive);

// "before-7": the step name of a reminder k days before a due date.
std::string reminderStepName(int days_before);

// A notification already sent, as stored: the case's device, the milestone and the step.
struct NotificationKey {
  std::string device_id;
  std::string milestone;
  std::string step;

  auto operator<=>(const NotificationKey&) const = default;
};
using SentNotifications = std::set<NotificationKey>;

enum class MessageKind { kReminder, kEscalation };
std::string_view name(MessageKind kind);  // "reminder", "escalation"

struct Recipient {
  std::string person_id;
  std::string name;
  std::string email;

  bool operator==(const Recipient&) const = default;
};

// One message due on the day, ready to send: plain-text subject and body (UTF-8, lines of at
// most 78 characters where the words allow, '\n' line ends).
struct ReminderMessage {
  MessageKind kind = MessageKind::kReminder;
  std::string case_id;  // "<directive>/<device>"
  std::string directive_id;
  std::string device_id;
  std::string milestone;
  std::string step;  // "before-7" or "escalation"
  Date due;
  std::int32_t days_left = 0;  // due - day; negative once overdue
  Date scheduled_on;           // the step's own day (due - k, or due + 1 for an escalation)
  std::string holder_id;
  std::string unit;           // the holder's unit on the day
  std::string officer_unit;   // escalation: the unit whose officers receive it
  std::vector<Recipient> to;  // never empty
  // True for the first reminder to the holder for this case (no "notified" step recorded yet
  // and no earlier message of this plan for the case): the service records the step.
  bool first_notice = false;
  // The catalog language the subject and body are written in: the holder's, for an
  // escalation the first officer's (by person id); "en" when they chose none.
  std::string language = "en";
  std::string subject;
  std::string body;
};

// A message that is due but cannot be delivered; nothing is sent or recorded for it.
struct UndeliverableMessage {
  MessageKind kind = MessageKind::kReminder;
  std::string case_id;
  std::string device_id;
  std::string milestone;
  std::string step;
  std::string person_id;  // the holder, or the officer without an address; "" when none found
  std::string problem;    // "holder P-3 (Sergei Volkov) has no e-mail address"
};

struct ReminderPlan {
  std::string directive_id;
  Date on;
  ReminderSchedule schedule;
  std::vector<ReminderMessage> messages;            // ordered by device id, then milestone order
  std::vector<UndeliverableMessage> undeliverable;  // same order
  std::vector<NotificationKey> already_sent;        // due on the day but sent before: skipped
};

// People's chosen languages by person id (service/language.h); absent means English.
using Languages = std::map<std::string, std::string, std::less<>>;

// The messages due on `on`, each written from the message catalog (web/i18n/, i18n/) in its
// recipient's language. FailedPrecondition when the directive is not yet in force on `on`.
// An escalation may go to several officers of one unit; officers without an e-mail address
// are listed as undeliverable and the others still receive it.
Result<ReminderPlan> planReminders(const History& history, Date on, const SentNotifications& sent,
                                   const Languages& languages = {});

// The active people holding `role` who are the escalation target for a holder in `unit`: those
// in `unit` itself, else in its nearest parent that has any (ordered by person id), never
// `holder_id`. `found_unit` receives the unit they belong to ("" when none).
std::vector<inventory::Person> escalationTargets(const std::vector<inventory::Person>& people,
                                                 std::string_view unit, std::string_view role,
                                                 std::string_view holder_id,
                                                 std::string* found_unit = nullptr);

// A plausible single mailbox for a To: or From: header: local@domain, printable ASCII or
// UTF-8, no spaces, angle brackets, commas or control characters.
bool plausibleEmail(std::string_view address);

}  // namespace phaseout::campaign
