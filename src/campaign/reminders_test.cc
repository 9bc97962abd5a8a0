#include "campaign/reminders.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace phaseout::campaign {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::int32_t kBaseline = -1'000'000;

Date day(const char* text) { return *Date::parse(text); }

// Handover due 2023-03-31, replacement due 2023-04-01 unless the test says otherwise.
std::string directiveYaml(const std::string& reminders =
                              "reminders: {days_before: [14, 7, 3, 1], "
                              "escalate_to_role: unit-officer}\n",
                          const std::string& milestones =
                              "  - {name: handover, due: 2023-03-31, requires: "
                              "banned_devices_surrendered}\n"
                              "  - {name: replace, due: 2023-04-01, requires: "
                              "allowed_replacement_held}\n") {
  return "id: pa-iphone\n"
         "title: Officials give up iPhones\n"
         "issued: 2023-03-01\n"
         "issuer: Head of Administration\n"
         "reason: Information security ahead of the election\n"
         "scope: {units: [\"pa/**\"], roles: [official]}\n"
         "ban:\n  - platform: ios\n"
         "allow: {platforms: [android, aurora]}\n"
         "replacement: {channels: [official]}\n"
         "waivers: {approver_role: security-officer, max_days: 30, unit_wide: false}\n" +
         reminders + "milestones:\n" + milestones;
}

inventory::Person person(std::string id, std::string name, std::string email, std::string unit,
                         std::vector<std::string> roles) {
  inventory::Person p;
  p.person_id = std::move(id);
  p.name = std::move(name);
  p.email = std::move(email);
  p.unit = std::move(unit);
  p.roles = std::move(roles);
  return p;
}

inventory::Device device(std::string id, std::string holder, platform::Platform pf,
                         std::string model) {
  inventory::Device d;
  d.device_id = std::move(id);
  d.holder = std::move(holder);
  d.kind = platform::Kind::kPhone;
  d.platform = pf;
  d.model = std::move(model);
  d.vendor = pf == platform::Platform::kIos ? "apple" : "samsung";
  d.os_version = pf == platform::Platform::kIos ? "16.4" : "13";
  d.channel = platform::Channel::kOfficial;
  return d;
}

class RemindersTest : public ::testing::Test {
 protected:
  void SetUp() override { setDirective(directiveYaml()); }

  void setDirective(const std::string& yaml) {
    auto parsed = policy::parseDirective(yaml, "test.yaml");
    ASSERT_TRUE(parsed.isOk()) << parsed.status().message();
    history_.directive_versions.clear();
    history_.directive_versions.push_back({kBaseline, 1, std::move(parsed).value()});
  }

  // Sorted by (id, valid_from, seq), as the History requires.
  void addPerson(inventory::Person p, std::int32_t from = kBaseline) {
    history_.people.push_back({from, ++seq_, std::move(p)});
    std::stable_sort(history_.people.begin(), history_.people.end(),
                     [](const auto& a, const auto& b) {
                       return std::tie(a.record.person_id, a.valid_from, a.seq) <
                              std::tie(b.record.person_id, b.valid_from, b.seq);
                     });
  }
  void addDevice(inventory::Device d, std::int32_t from = kBaseline) {
    history_.devices.push_back({from, ++seq_, std::move(d)});
    std::stable_sort(history_.devices.begin(), history_.devices.end(),
                     [](const auto& a, const auto& b) {
                       return std::tie(a.record.device_id, a.valid_from, a.seq) <
                              std::tie(b.record.device_id, b.valid_from, b.seq);
                     });
  }

  // P-1 holds an iPhone (D-1) in pa/a/b; the unit officer P-9 sits in pa/a.
  void standardOrg() {
    addPerson(person("P-1", "Ivan Petrov", "ivan@pa.example", "pa/a/b", {"official"}));
    addPerson(
        person("P-9", "Olga Officer", "olga@pa.example", "pa/a", {"official", "unit-officer"}));
    addDevice(device("D-1", "P-1", platform::Platform::kIos, "iPhone 13 Pro"));
  }

  ReminderPlan plan(const char* on) {
    auto p = planReminders(history_, day(on), sent_);
    EXPECT_TRUE(p.isOk()) << p.status().message();
    return p.isOk() ? std::move(p).value() : ReminderPlan{};
  }

  // Marks every message of the plan as sent, as the service does after the server accepts.
  void markSent(const ReminderPlan& p) {
    for (const auto& m : p.messages) sent_.insert({m.device_id, m.milestone, m.step});
  }

  static std::vector<std::string> steps(const ReminderPlan& p) {
    std::vector<std::string> out;
    for (const auto& m : p.messages) out.push_back(m.device_id + " " + m.milestone + " " + m.step);
    return out;
  }

  History history_;
  SentNotifications sent_;
  std::int64_t seq_ = 0;
};

TEST(ReminderScheduleTest, DefaultsWithoutARemindersSection) {
  auto d = policy::parseDirective(directiveYaml(""), "t.yaml");
  ASSERT_TRUE(d.isOk()) << d.status().message();
  const auto s = reminderSchedule(*d);
  EXPECT_THAT(s.days_before, ElementsAre(14, 7, 3, 1));
  EXPECT_EQ(s.escalate_to_role, "unit-officer");
}

TEST(ReminderScheduleTest, TakesTheDirectivesSection) {
  auto d = policy::parseDirective(
      directiveYaml("reminders: {days_before: [2, 10], escalate_to_role: security-officer}\n"),
      "t.yaml");
  ASSERT_TRUE(d.isOk()) << d.status().message();
  const auto s = reminderSchedule(*d);
  EXPECT_THAT(s.days_before, ElementsAre(10, 2));
  EXPECT_EQ(s.escalate_to_role, "security-officer");
  EXPECT_EQ(reminderStepName(10), "before-10");
}

TEST_F(RemindersTest, NothingBeforeTheFirstStep) {
  standardOrg();
  EXPECT_THAT(plan("2023-03-16").messages, IsEmpty());  // handover is 15 days away
}

TEST_F(RemindersTest, EachStepOnItsDay) {
  standardOrg();
  // Handover is due 2023-03-31, replace 2023-04-01: each milestone follows its own schedule.
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"2023-03-17", "D-1 handover before-14"}, {"2023-03-18", "D-1 replace before-14"},
      {"2023-03-24", "D-1 handover before-7"},  {"2023-03-25", "D-1 replace before-7"},
      {"2023-03-28", "D-1 handover before-3"},  {"2023-03-29", "D-1 replace before-3"},
      {"2023-03-30", "D-1 handover before-1"},  {"2023-03-31", "D-1 replace before-1"},
  };
  for (const auto& [on, step] : expected) {
    auto p = plan(on);
    EXPECT_THAT(steps(p), ElementsAre(step)) << on;
    markSent(p);
  }
  sent_.clear();
  const auto m = plan("2023-03-24").messages.front();
  EXPECT_EQ(m.kind, MessageKind::kReminder);
  EXPECT_EQ(m.step, "before-7");
  EXPECT_EQ(m.due, day("2023-03-31"));
  EXPECT_EQ(m.days_left, 7);
  EXPECT_EQ(m.scheduled_on, day("2023-03-24"));
  EXPECT_EQ(m.case_id, "pa-iphone/D-1");
  EXPECT_THAT(m.to, ElementsAre(Recipient{"P-1", "Ivan Petrov", "ivan@pa.example"}));
}

TEST_F(RemindersTest, ALaterRunCatchesUpTheLatestMissedStepOnlyOnce) {
  standardOrg();
  setDirective(directiveYaml("",
                             "  - {name: handover, due: 2023-03-31, requires: "
                             "banned_devices_surrendered}\n"));
  // Day -5: the 14- and 7-day steps were missed; only the latest (7) is sent.
  auto p = plan("2023-03-26");
  ASSERT_THAT(steps(p), ElementsAre("D-1 handover before-7"));
  EXPECT_EQ(p.messages[0].days_left, 5);
  EXPECT_EQ(p.messages[0].scheduled_on, day("2023-03-24"));
  EXPECT_THAT(p.messages[0].subject, HasSubstr("5 days left"));
  markSent(p);
  // Run again the same day, and the next day: the step is not due again.
  p = plan("2023-03-26");
  EXPECT_THAT(p.messages, IsEmpty());
  ASSERT_EQ(p.already_sent.size(), 1u);
  EXPECT_EQ(p.already_sent[0].step, "before-7");
  EXPECT_THAT(plan("2023-03-27").messages, IsEmpty());
  // Day -3 brings the next step; the due day itself catches up the 1-day step.
  EXPECT_THAT(steps(plan("2023-03-28")), ElementsAre("D-1 handover before-3"));
  auto due_day = plan("2023-03-31");
  ASSERT_THAT(steps(due_day), ElementsAre("D-1 handover before-1"));
  EXPECT_THAT(due_day.messages[0].subject, HasSubstr("due today"));
}

TEST_F(RemindersTest, EachStepIsDueOnceEvenWhenRunAgain) {
  standardOrg();
  for (const char* d : {"2023-03-17", "2023-03-24", "2023-03-28", "2023-03-30", "2023-04-01",
                        "2023-04-02", "2023-04-03"}) {
    markSent(plan(d));
  }
  for (const char* d :
       {"2023-03-17", "2023-03-24", "2023-03-28", "2023-03-30", "2023-04-02", "2023-04-10"}) {
    EXPECT_THAT(plan(d).messages, IsEmpty()) << d;
  }
  // 4 reminders per milestone and one escalation each.
  EXPECT_EQ(sent_.size(), 10u);
}

TEST_F(RemindersTest, EscalatesAfterTheDueDateToTheNearestUnitOfficer) {
  standardOrg();
  // P-8 is an officer of a sibling unit whose name shares the prefix: not above pa/a/b.
  addPerson(person("P-8", "Other Officer", "other@pa.example", "pa/a/bc", {"unit-officer"}));
  auto p = plan("2023-04-01");  // handover was due yesterday; replace is due today
  ASSERT_THAT(steps(p), ElementsAre("D-1 handover escalation", "D-1 replace before-1"));
  const auto& e = p.messages[0];
  EXPECT_EQ(e.kind, MessageKind::kEscalation);
  EXPECT_EQ(e.days_left, -1);
  EXPECT_EQ(e.unit, "pa/a/b");
  EXPECT_EQ(e.officer_unit, "pa/a");
  EXPECT_THAT(e.to, ElementsAre(Recipient{"P-9", "Olga Officer", "olga@pa.example"}));
  EXPECT_THAT(e.subject, HasSubstr("Overdue"));
  EXPECT_THAT(e.body, HasSubstr("Ivan Petrov (P-1), ivan@pa.example, unit pa/a/b"));
  EXPECT_THAT(e.body, HasSubstr("1 day overdue"));
  EXPECT_FALSE(e.first_notice);  // the holder is not the one told
  EXPECT_EQ(e.body.rfind("Dear Olga Officer,\n", 0), 0u) << e.body;
  EXPECT_THAT(e.body, HasSubstr("has not been handed in"));
  EXPECT_THAT(e.body, HasSubstr("(pa/a/b has none of its own)"));
  // An officer in the holder's own unit takes precedence over the parent's.
  addPerson(person("P-5", "Near Officer", "near@pa.example", "pa/a/b", {"unit-officer"}));
  EXPECT_THAT(plan("2023-04-01").messages[0].to,
              ElementsAre(Recipient{"P-5", "Near Officer", "near@pa.example"}));
}

TEST(EscalationTargetsTest, WalksUpAndSkipsTheHolderAndLeavers) {
  std::vector<inventory::Person> people = {
      person("P-1", "Holder", "h@x", "pa/a/b", {"official", "unit-officer"}),
      person("P-2", "Left", "l@x", "pa/a", {"unit-officer"}),
      person("P-3", "Top", "t@x", "pa", {"Unit-Officer"}),
      person("P-4", "Top too", "t2@x", "pa", {"unit-officer"}),
      person("P-5", "Press", "p@x", "pa-press", {"unit-officer"}),
  };
  people[1].status = inventory::EmploymentStatus::kLeft;
  std::string unit;
  auto found = escalationTargets(people, "pa/a/b", "unit-officer", "P-1", &unit);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].person_id, "P-3");
  EXPECT_EQ(found[1].person_id, "P-4");
  EXPECT_EQ(unit, "pa");
  // The holder's own role counts when someone else needs escalating.
  found = escalationTargets(people, "pa/a/b", "unit-officer", "P-9", &unit);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].person_id, "P-1");
  EXPECT_EQ(unit, "pa/a/b");
  EXPECT_THAT(escalationTargets(people, "gov/x", "unit-officer", "", &unit), IsEmpty());
  EXPECT_EQ(unit, "");
  EXPECT_THAT(escalationTargets(people, "pa/a/b", "", "", &unit), IsEmpty());
}

TEST_F(RemindersTest, NoOfficerAnywhereIsReportedNotDropped) {
  addPerson(person("P-1", "Ivan Petrov", "ivan@pa.example", "pa/a/b", {"official"}));
  addDevice(device("D-1", "P-1", platform::Platform::kIos, "iPhone 13 Pro"));
  auto p = plan("2023-04-02");
  EXPECT_THAT(p.messages, IsEmpty());
  ASSERT_EQ(p.undeliverable.size(), 2u);
  EXPECT_EQ(p.undeliverable[0].kind, MessageKind::kEscalation);
  EXPECT_EQ(p.undeliverable[0].milestone, "handover");
  EXPECT_THAT(p.undeliverable[0].problem,
              HasSubstr("holds the role unit-officer in unit pa/a/b or any unit above it"));
  // Once an officer is appointed (from 2023-04-05), the escalation goes out: it was never sent.
  addPerson(person("P-9", "Olga Officer", "olga@pa.example", "pa", {"unit-officer"}),
            day("2023-04-05").days());
  EXPECT_THAT(plan("2023-04-04").messages, IsEmpty());
  EXPECT_THAT(steps(plan("2023-04-05")),
              ElementsAre("D-1 handover escalation", "D-1 replace escalation"));
}

TEST_F(RemindersTest, OfficerWithoutEmailIsReportedAndOthersStillReceive) {
  standardOrg();
  addPerson(person("P-7", "No Mail", "", "pa/a", {"unit-officer"}));
  auto p = plan("2023-04-03");
  ASSERT_EQ(p.messages.size(), 2u);
  EXPECT_THAT(p.messages[0].to, ElementsAre(Recipient{"P-9", "Olga Officer", "olga@pa.example"}));
  ASSERT_EQ(p.undeliverable.size(), 2u);
  EXPECT_EQ(p.undeliverable[0].person_id, "P-7");
  EXPECT_THAT(p.undeliverable[0].problem, HasSubstr("P-7 (No Mail) has no e-mail address"));
}

TEST_F(RemindersTest, NoEscalationWhenTheScheduleNamesNoRole) {
  standardOrg();
  setDirective(directiveYaml("reminders: {days_before: [3]}\n"));
  EXPECT_THAT(steps(plan("2023-03-28")), ElementsAre("D-1 handover before-3"));
  EXPECT_THAT(plan("2023-04-05").messages, IsEmpty());
  EXPECT_THAT(plan("2023-04-05").undeliverable, IsEmpty());
}

TEST_F(RemindersTest, HolderWithoutEmailIsUndeliverable) {
  standardOrg();
  addPerson(person("P-2", "Anna Nomail", "", "pa/a/b", {"official"}));
  addPerson(person("P-3", "Bad Mail", "not an address", "pa/a/b", {"official"}));
  addDevice(device("D-2", "P-2", platform::Platform::kIos, "iPhone 12"));
  addDevice(device("D-3", "P-3", platform::Platform::kIos, "iPhone 11"));
  auto p = plan("2023-03-17");
  EXPECT_THAT(steps(p), ElementsAre("D-1 handover before-14"));
  ASSERT_EQ(p.undeliverable.size(), 2u);
  EXPECT_EQ(p.undeliverable[0].case_id, "pa-iphone/D-2");
  EXPECT_EQ(p.undeliverable[0].step, "before-14");
  EXPECT_EQ(p.undeliverable[0].person_id, "P-2");
  EXPECT_EQ(p.undeliverable[0].problem, "holder P-2 (Anna Nomail) has no e-mail address");
  EXPECT_THAT(p.undeliverable[1].problem, HasSubstr("unusable e-mail address \"not an address\""));
}

TEST_F(RemindersTest, WaivedCasesGetNothingUntilTheWaiverEnds) {
  standardOrg();
  Waiver w;
  w.waiver_id = "W-000001";
  w.directive_id = "pa-iphone";
  w.device_id = "D-1";
  w.approver = "P-9";
  w.reason = "travelling";
  w.from = day("2023-03-10");
  w.until = day("2023-03-26");
  history_.waivers.push_back(w);
  EXPECT_THAT(plan("2023-03-17").messages, IsEmpty());
  EXPECT_THAT(plan("2023-03-24").messages, IsEmpty());
  // Pending again from 2023-03-27: the latest step is caught up.
  EXPECT_THAT(steps(plan("2023-03-27")),
              ElementsAre("D-1 handover before-7", "D-1 replace before-7"));
  // A revoked waiver stops applying the day it is revoked.
  history_.waivers[0].revoked_from = day("2023-03-20");
  EXPECT_THAT(steps(plan("2023-03-20")),
              ElementsAre("D-1 handover before-14", "D-1 replace before-14"));
}

TEST_F(RemindersTest, RemindersStopOnceTheDeviceIsSurrendered) {
  standardOrg();
  auto returned = device("D-1", "P-1", platform::Platform::kIos, "iPhone 13 Pro");
  returned.state = platform::DeviceState::kReturned;
  addDevice(returned, day("2023-03-25").days());
  // Without a run on 2023-03-18 the replace milestone's 14-day step is caught up.
  EXPECT_THAT(steps(plan("2023-03-24")),
              ElementsAre("D-1 handover before-7", "D-1 replace before-14"));
  EXPECT_THAT(plan("2023-03-25").messages, IsEmpty());
  EXPECT_THAT(plan("2023-03-30").messages, IsEmpty());
  EXPECT_THAT(plan("2023-04-05").messages, IsEmpty());  // no escalation either
  EXPECT_THAT(plan("2023-04-05").undeliverable, IsEmpty());
}

TEST_F(RemindersTest, AMetMilestoneIsNotChased) {
  standardOrg();
  // An allowed replacement from 2023-03-20 meets "replace"; "handover" is still open.
  addDevice(device("D-5", "P-1", platform::Platform::kAndroid, "Galaxy S23"),
            day("2023-03-20").days());
  EXPECT_THAT(steps(plan("2023-03-18")),
              ElementsAre("D-1 handover before-14", "D-1 replace before-14"));
  EXPECT_THAT(steps(plan("2023-03-24")), ElementsAre("D-1 handover before-7"));
  EXPECT_THAT(steps(plan("2023-04-03")), ElementsAre("D-1 handover escalation"));
}

TEST_F(RemindersTest, ClosedCasesAndOutOfScopeHoldersGetNothing) {
  standardOrg();
  history_.steps.push_back(
      {"pa-iphone", "D-1", CaseStage::kClosed, day("2023-03-20"), 99, "sec", ""});
  EXPECT_THAT(steps(plan("2023-03-18")),
              ElementsAre("D-1 handover before-14", "D-1 replace before-14"));
  EXPECT_THAT(plan("2023-03-24").messages, IsEmpty());
  history_.steps.clear();
  // The holder leaves the organisation: the device is out of scope, nothing is sent.
  auto left = person("P-1", "Ivan Petrov", "ivan@pa.example", "pa/a/b", {"official"});
  left.status = inventory::EmploymentStatus::kLeft;
  addPerson(left, day("2023-03-22").days());
  EXPECT_THAT(plan("2023-03-24").messages, IsEmpty());
}

TEST_F(RemindersTest, FirstNoticeOncePerCase) {
  standardOrg();
  auto p = plan("2023-03-18");
  ASSERT_EQ(p.messages.size(), 2u);
  EXPECT_TRUE(p.messages[0].first_notice);
  EXPECT_FALSE(p.messages[1].first_notice);  // same case, same run
  history_.steps.push_back(
      {"pa-iphone", "D-1", CaseStage::kNotified, day("2023-03-18"), 50, "remind", ""});
  markSent(p);
  p = plan("2023-03-25");
  ASSERT_EQ(p.messages.size(), 2u);
  EXPECT_FALSE(p.messages[0].first_notice);
  EXPECT_FALSE(p.messages[1].first_notice);
}

TEST_F(RemindersTest, ReminderSaysWhatWhyByWhenAndHow) {
  standardOrg();
  auto p = plan("2023-03-24");
  ASSERT_EQ(p.messages.size(), 2u);
  const auto& handover = p.messages[0];
  EXPECT_EQ(handover.subject, "pa-iphone: hand in iPhone 13 Pro (D-1) by 2023-03-31 - 7 days left");
  // Compare text across line wraps and column padding: every run of white space as one space.
  std::string b;
  for (char c : handover.body) {
    const bool space = c == ' ' || c == '\n';
    if (!space) {
      b += c;
    } else if (!b.empty() && b.back() != ' ') {
      b += ' ';
    }
  }
  EXPECT_THAT(b, HasSubstr("Dear Ivan Petrov,"));
  EXPECT_THAT(b, HasSubstr("D-1, iPhone 13 Pro (iOS 16.4)"));
  EXPECT_THAT(b, HasSubstr("Why: Information security ahead of the election."));
  EXPECT_THAT(b, HasSubstr("Finding: iPhone 13 Pro (iOS 16.4) held by P-1 in pa/a/b is banned"));
  EXPECT_THAT(b, HasSubstr("\"Officials give up iPhones\""));
  EXPECT_THAT(b, HasSubstr("2023-03-31, 7 days left"));
  EXPECT_THAT(
      b, HasSubstr("Hand in your iPhone 13 Pro (device D-1) to your unit's officer by 2023-03-31"));
  EXPECT_THAT(b, HasSubstr("Android, Aurora"));
  EXPECT_THAT(b, HasSubstr("official channel only"));
  EXPECT_THAT(b, HasSubstr("security-officer for a waiver (at most 30 days)"));
  EXPECT_THAT(b, HasSubstr("case pa-iphone/D-1, milestone handover, reminder before-7"));
  EXPECT_THAT(p.messages[1].subject,
              HasSubstr("replace iPhone 13 Pro (D-1) by 2023-04-01 - 8 days left"));
  // Lines stay short enough for any mail client; wrapped lines keep their indentation.
  const std::string& raw = handover.body;
  std::size_t start = 0;
  while (start < raw.size()) {
    auto end = raw.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "body ends with a newline";
    EXPECT_LE(end - start, 78u) << raw.substr(start, end - start);
    start = end + 1;
  }
}

// Every line of a message comes from the catalog in the recipient's language: a holder who chose
// Russian gets the reminder in Russian (with dates as Russian writes them, plural forms), while
// the escalation goes in its officer's English.
TEST_F(RemindersTest, EachMessageInItsRecipientsLanguage) {
  standardOrg();
  const Languages languages{{"P-1", "ru"}};
  auto p = planReminders(history_, day("2023-03-24"), sent_, languages);
  ASSERT_TRUE(p.isOk()) << p.status().message();
  ASSERT_EQ(p->messages.size(), 2u);
  const auto& m = p->messages[0];
  EXPECT_EQ(m.language, "ru");
  EXPECT_EQ(m.subject, "pa-iphone: сдать iPhone 13 Pro (D-1) до 31.03.2023 — осталось 7 дней");
  EXPECT_EQ(m.body.rfind("Уважаемый(ая) Ivan Petrov!\n", 0), 0u) << m.body;
  EXPECT_THAT(m.body, HasSubstr("Что нужно сделать:"));
  EXPECT_THAT(m.body, HasSubstr("Директива pa-iphone «Officials give up iPhones» от 01.03.2023"));
  EXPECT_THAT(m.body, HasSubstr("  Устройство: D-1, iPhone 13 Pro (iOS 16.4)"));
  // A label longer than the column still leaves a space before its value.
  EXPECT_THAT(m.body, HasSubstr("  Контрольный срок: handover"));
  EXPECT_THAT(m.body, HasSubstr("(не более 30 дней)"));
  EXPECT_THAT(p->messages[1].subject, HasSubstr("осталось 8 дней"));
  // Every sentence of the message is Russian; only the verdict's own reason (policy's, quoted
  // under "Оценка") and the directive's own words stay as they were written.
  for (const char* english : {"Dear", "How to comply", "Reference", "Hand in", "by 2023"}) {
    EXPECT_THAT(m.body, Not(HasSubstr(english)));
  }
  // Lines stay within 78 characters (counted as a reader sees them, not in bytes).
  std::size_t width = 0;
  for (unsigned char c : m.body) {
    if (c == '\n') {
      width = 0;
    } else if ((c & 0xC0) != 0x80) {
      EXPECT_LE(++width, 78u) << m.body;
    }
  }
  // After the due date the escalation goes to the officer P-9, who chose no language: English.
  markSent(*p);
  auto late = planReminders(history_, day("2023-04-01"), sent_, languages);
  ASSERT_TRUE(late.isOk());
  const auto escalation = std::find_if(late->messages.begin(), late->messages.end(),
                                       [](const auto& x) { return x.step == "escalation"; });
  ASSERT_NE(escalation, late->messages.end());
  EXPECT_EQ(escalation->language, "en");
  EXPECT_THAT(escalation->subject, HasSubstr("Overdue"));
  // In the officer's Russian once they chose it; a language the catalog lacks is English.
  auto in_russian = planReminders(history_, day("2023-04-01"), sent_, {{"P-9", "ru"}});
  ASSERT_TRUE(in_russian.isOk());
  for (const auto& x : in_russian->messages) {
    if (x.step == "escalation") {
      EXPECT_EQ(x.language, "ru");
      EXPECT_THAT(x.subject, HasSubstr("Просрочено"));
      EXPECT_THAT(x.body, HasSubstr("просрочено на 1 день"));
    }
  }
  auto unknown = planReminders(history_, day("2023-03-24"), SentNotifications{}, {{"P-1", "xx"}});
  ASSERT_TRUE(unknown.isOk());
  EXPECT_EQ(unknown->messages.at(0).language, "en");
}

TEST_F(RemindersTest, HolderOnTheDayIsTheOneReminded) {
  standardOrg();
  addPerson(person("P-2", "Anna Second", "anna@pa.example", "pa/a", {"official"}));
  addDevice(device("D-1", "P-2", platform::Platform::kIos, "iPhone 13 Pro"),
            day("2023-03-20").days());
  EXPECT_EQ(plan("2023-03-17").messages.at(0).to.at(0).person_id, "P-1");
  EXPECT_EQ(plan("2023-03-24").messages.at(0).to.at(0).person_id, "P-2");
}

TEST_F(RemindersTest, DirectiveNotYetInForce) {
  standardOrg();
  history_.directive_versions[0].valid_from = day("2023-03-01").days();
  auto p = planReminders(history_, day("2023-02-20"), sent_);
  ASSERT_FALSE(p.isOk());
  EXPECT_EQ(p.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(p.status().message(), HasSubstr("not in force on 2023-02-20"));
}

TEST(PlausibleEmailTest, AcceptsMailboxesRejectsHeaderTricks) {
  EXPECT_TRUE(plausibleEmail("ivan.petrov@pa.example"));
  EXPECT_TRUE(plausibleEmail("иван@пример.рф"));
  EXPECT_FALSE(plausibleEmail(""));
  EXPECT_FALSE(plausibleEmail("ivan"));
  EXPECT_FALSE(plausibleEmail("@pa.example"));
  EXPECT_FALSE(plausibleEmail("ivan@"));
  EXPECT_FALSE(plausibleEmail("ivan@pa.example\r\nBcc: x@y"));
  EXPECT_FALSE(plausibleEmail("a@b, c@d"));
  EXPECT_FALSE(plausibleEmail("<a@b>"));
}

}  // namespace
}  // namespace phaseout::campaign
