#include "service/remind.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "service/directive.h"
#include "service/import.h"
#include "service/test_support.h"
#include "storage/campaign_store.h"
#include "storage/open.h"
#include "storage/repository.h"

namespace phaseout::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::int64_t kNowMs = 1'679'043'900'000;  // 2023-03-17 09:05:00 UTC

using testing::day;

campaign::ReminderMessage sampleMessage() {
  campaign::ReminderMessage m;
  m.case_id = "pa-iphone/D-1";
  m.directive_id = "pa-iphone";
  m.device_id = "D-1";
  m.milestone = "handover";
  m.step = "before-7";
  m.to = {{"P-1", "Ivan Petrov", "ivan@pa.example"}};
  m.subject = "pa-iphone: hand in iPhone 13 Pro (D-1) by 2023-03-31 - 7 days left";
  m.body = "Dear Ivan Petrov,\n\n.A line that starts with a dot.\nLast line.\n";
  return m;
}

TEST(MailFormatTest, Rfc5322Date) {
  EXPECT_EQ(rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322Date(kNowMs), "Fri, 17 Mar 2023 09:05:00 +0000");
  EXPECT_EQ(rfc5322Date(951'782'400'000 + 86'399'000), "Tue, 29 Feb 2000 23:59:59 +0000");
}

TEST(MailFormatTest, EncodesNonAsciiHeaderTextAsRfc2047Words) {
  EXPECT_EQ(encodeHeaderText("Ivan Petrov"), "Ivan Petrov");
  EXPECT_EQ(encodeHeaderText("Иван"), "=?UTF-8?B?0JjQstCw0L0=?=");
  // A long value is split into words of at most 75 characters, never inside a character.
  const std::string long_name = "Александр Александрович Александров-Петропавловский";
  const std::string encoded = encodeHeaderText(long_name);
  std::size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    auto end = encoded.find("\r\n ", start);
    const std::string word = encoded.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_LE(word.size(), 75u) << word;
    EXPECT_EQ(word.rfind("=?UTF-8?B?", 0), 0u) << word;
    ++words;
    start = end == std::string::npos ? encoded.size() : end + 3;
  }
  EXPECT_GT(words, 1);
}

TEST(MailFormatTest, MessageHasTheRequiredHeadersAndCrlfBody) {
  const auto mail = formatMail(sampleMessage(), "phaseout@pa.example", kNowMs);
  EXPECT_EQ(mail.from, "phaseout@pa.example");
  EXPECT_THAT(mail.to, ElementsAre("ivan@pa.example"));
  EXPECT_EQ(mail.message_id, "<1679043900000.pa-iphone.D-1.handover.before-7@pa.example>");
  const std::string& d = mail.data;
  EXPECT_EQ(d.rfind("Date: Fri, 17 Mar 2023 09:05:00 +0000\r\n", 0), 0u);
  EXPECT_THAT(d, HasSubstr("\r\nFrom: phaseout@pa.example\r\n"));
  EXPECT_THAT(d, HasSubstr("\r\nTo: \"Ivan Petrov\" <ivan@pa.example>\r\n"));
  EXPECT_THAT(d, HasSubstr("\r\nSubject: pa-iphone: hand in iPhone 13 Pro (D-1) by 2023-03-31 -"));
  EXPECT_THAT(d, HasSubstr("\r\nMessage-ID: " + mail.message_id + "\r\n"));
  EXPECT_THAT(d, HasSubstr("\r\nMIME-Version: 1.0\r\n"));
  EXPECT_THAT(d, HasSubstr("\r\nContent-Type: text/plain; charset=utf-8\r\n"));
  EXPECT_THAT(d, HasSubstr("\r\nContent-Transfer-Encoding: 8bit\r\n"));
  EXPECT_THAT(d, HasSubstr("\r\n\r\nDear Ivan Petrov,\r\n\r\n.A line that starts"));
  EXPECT_EQ(d.substr(d.size() - 12), "Last line.\r\n");
  // No bare LF anywhere, no header line over 78 characters.
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i] == '\n') {
      ASSERT_EQ(d[i - 1], '\r') << "bare LF at " << i;
    }
  }
  const std::string head = d.substr(0, d.find("\r\n\r\n"));
  std::size_t start = 0;
  while (start < head.size()) {
    auto end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    EXPECT_LE(end - start, 78u) << head.substr(start, end - start);
    start = end + 2;
  }
}

TEST(MailFormatTest, HeaderValuesCannotInjectHeaders) {
  auto m = sampleMessage();
  m.to = {{"P-1", "Ivan\r\nBcc: victim@x", "ivan@pa.example"}, {"P-2", "Олег", "oleg@pa.example"}};
  m.subject = "Hello\r\nBcc: victim@x";
  const auto mail = formatMail(m, "phaseout@pa.example", kNowMs);
  EXPECT_THAT(mail.data, Not(HasSubstr("\r\nBcc:")));
  EXPECT_THAT(mail.data, HasSubstr("To: \"Ivan  Bcc: victim@x\" <ivan@pa.example>,\r\n "
                                   "=?UTF-8?B?0J7Qu9C10LM=?= <oleg@pa.example>\r\n"));
  EXPECT_THAT(mail.to, ElementsAre("ivan@pa.example", "oleg@pa.example"));
}

TEST(MailFormatTest, LongAsciiSubjectIsFolded) {
  auto m = sampleMessage();
  m.subject = std::string(60, 'a') + " " + std::string(30, 'b') + " end";
  const auto d = formatMail(m, "phaseout@pa.example", kNowMs).data;
  EXPECT_THAT(d, HasSubstr("Subject: " + std::string(60, 'a') + "\r\n " + std::string(30, 'b') +
                           " end\r\n"));
}

TEST(SmtpUrlTest, Checks) {
  EXPECT_TRUE(checkSmtpUrl("smtp://localhost:25").isOk());
  EXPECT_TRUE(checkSmtpUrl("smtps://user:secret@mail.example:465").isOk());
  EXPECT_FALSE(checkSmtpUrl("http://localhost").isOk());
  EXPECT_FALSE(checkSmtpUrl("smtp://").isOk());
  EXPECT_FALSE(checkSmtpUrl("smtp://:25").isOk());
  const Status s = checkSmtpUrl("imap://user:secret@host");
  EXPECT_THAT(s.message(), Not(HasSubstr("secret")));
  EXPECT_EQ(s.field(), "smtp");
  EXPECT_THAT(s.message(), Not(HasSubstr("--")));
  EXPECT_EQ(redactUrl("smtp://user:secret@mail.example:587"), "smtp://***@mail.example:587");
  EXPECT_EQ(redactUrl("smtp://mail.example:25/helo@x"), "smtp://mail.example:25/helo@x");
}

// Records what it is given; answers with the statuses queued, then Ok.
class FakeTransport : public MailTransport {
 public:
  Status send(const MailMessage& message) override {
    sent.push_back(message);
    if (answers.empty()) return Status::ok();
    Status s = answers.front();
    answers.erase(answers.begin());
    return s;
  }
  std::vector<MailMessage> sent;
  std::vector<Status> answers;
};

class RemindServiceTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    write("people.csv",
          "person_id,name,email,unit,role,status\n"
          "P-1,Ivan Petrov,ivan@pa.example,pa/press,official,active\n"
          "P-2,Anna Nomail,,pa/press,official,active\n"
          "P-9,Olga Officer,olga@pa.example,pa,official;unit-officer,active\n");
    write("devices.csv",
          "device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,"
          "mac,hostname,state\n"
          "D-1,P-1,phone,Apple,iPhone 13 Pro,ios,16.4,corporate,official,,,,,active\n"
          "D-2,P-2,phone,Apple,iPhone 12,ios,16.1,corporate,official,,,,,active\n");
    Recording r;
    r.now_ms = kNowMs;
    const Caller op = Caller::localOperator("test");
    ASSERT_TRUE(
        importInventory(op, *ws_, {ImportKind::kPeople, (dir_ / "people.csv").string(), "", r})
            .isOk());
    ASSERT_TRUE(
        importInventory(op, *ws_, {ImportKind::kDevices, (dir_ / "devices.csv").string(), "", r})
            .isOk());
    auto added = addDirectiveText(
        op, *ws_,
        "id: pa-iphone\ntitle: Officials give up iPhones\nissued: 2023-03-01\n"
        "reason: Information security\nscope: {units: [\"pa/**\"], roles: [official]}\n"
        "ban:\n  - platform: ios\nallow: {platforms: [android]}\n"
        "reminders: {days_before: [7, 1], escalate_to_role: unit-officer}\n"
        "milestones:\n  - {name: handover, due: 2023-03-31, requires: "
        "banned_devices_surrendered}\n",
        "d.yaml", r);
    ASSERT_TRUE(added.isOk()) << added.status().message();
  }

  RemindResult run(const char* on, bool dry_run = false) {
    RemindOptions o;
    o.directive_id = "pa-iphone";
    o.on = day(on);
    o.dry_run = dry_run;
    o.from = "phaseout@pa.example";
    o.now_ms = kNowMs;
    auto r = remind(Caller::localOperator("test"), *ws_, o, transport_);
    EXPECT_TRUE(r.isOk()) << r.status().message();
    return r.isOk() ? std::move(r).value() : RemindResult{};
  }

  // What was recorded, read back on a connection of the test's own.
  std::vector<storage::Notification> notifications() {
    auto conn = storage::open((dir_ / "t.db").string());
    EXPECT_TRUE(conn.isOk());
    storage::Repository repo(**conn);
    storage::CampaignStore store(repo);
    auto n = store.loadNotifications("pa-iphone");
    EXPECT_TRUE(n.isOk());
    return n.isOk() ? *n : std::vector<storage::Notification>{};
  }
  std::vector<campaign::CaseStep> caseSteps() {
    auto conn = storage::open((dir_ / "t.db").string());
    EXPECT_TRUE(conn.isOk());
    storage::Repository repo(**conn);
    storage::CampaignStore store(repo);
    auto s = store.loadCaseSteps("pa-iphone");
    EXPECT_TRUE(s.isOk());
    return s.isOk() ? *s : std::vector<campaign::CaseStep>{};
  }

  FakeTransport transport_;
};

TEST_F(RemindServiceTest, SendsRecordsAndNeverRepeats) {
  auto r = run("2023-03-24");
  ASSERT_EQ(r.deliveries.size(), 1u);
  EXPECT_EQ(r.deliveries[0].outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(r.count(DeliveryOutcome::kSent), 1u);
  ASSERT_EQ(r.undeliverable.size(), 1u);  // Anna has no e-mail address
  EXPECT_EQ(r.undeliverable[0].person_id, "P-2");
  EXPECT_TRUE(r.stopped.isOk());
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_THAT(transport_.sent[0].to, ElementsAre("ivan@pa.example"));
  EXPECT_THAT(transport_.sent[0].data, HasSubstr("Subject: pa-iphone: hand in iPhone 13 Pro"));

  const auto n = notifications();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].device_id, "D-1");
  EXPECT_EQ(n[0].milestone, "handover");
  EXPECT_EQ(n[0].step, "before-7");
  EXPECT_EQ(n[0].recipient, "ivan@pa.example");
  EXPECT_EQ(n[0].sent_on, day("2023-03-24"));
  const auto steps = caseSteps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].device_id, "D-1");
  EXPECT_EQ(steps[0].stage, campaign::CaseStage::kNotified);
  EXPECT_EQ(steps[0].on, day("2023-03-24"));

  // Again, the same day and the next: nothing more.
  r = run("2023-03-24");
  EXPECT_THAT(r.deliveries, IsEmpty());
  ASSERT_EQ(r.already_sent.size(), 1u);
  EXPECT_THAT(run("2023-03-25").deliveries, IsEmpty());
  EXPECT_EQ(transport_.sent.size(), 1u);

  // The next step: sent, but the case step "notified" is not recorded twice.
  r = run("2023-03-30");
  ASSERT_EQ(r.count(DeliveryOutcome::kSent), 1u);
  EXPECT_EQ(caseSteps().size(), 1u);
  EXPECT_EQ(notifications().size(), 2u);

  // After the due date: one escalation to the unit officer above pa/press.
  r = run("2023-04-01");
  ASSERT_EQ(r.deliveries.size(), 2u);  // D-1 and D-2 (Anna's officer can be told)
  EXPECT_EQ(r.escalations(), 2u);
  EXPECT_THAT(transport_.sent.back().to, ElementsAre("olga@pa.example"));
  EXPECT_THAT(run("2023-04-02").deliveries, IsEmpty());
}

TEST_F(RemindServiceTest, DryRunSendsAndRecordsNothing) {
  auto r = run("2023-03-24", /*dry_run=*/true);
  ASSERT_EQ(r.deliveries.size(), 1u);
  EXPECT_EQ(r.deliveries[0].outcome, DeliveryOutcome::kWouldSend);
  EXPECT_THAT(r.deliveries[0].mail.data, HasSubstr("Content-Type: text/plain; charset=utf-8"));
  EXPECT_THAT(transport_.sent, IsEmpty());
  EXPECT_THAT(notifications(), IsEmpty());
  EXPECT_THAT(caseSteps(), IsEmpty());
}

TEST_F(RemindServiceTest, UnreachableServerStopsAndRecordsNothing) {
  transport_.answers = {unavailable("cannot send mail through smtp://127.0.0.1:1: refused")};
  auto r = run("2023-04-01");
  ASSERT_EQ(r.deliveries.size(), 2u);
  EXPECT_EQ(r.deliveries[0].outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.deliveries[1].outcome, DeliveryOutcome::kNotAttempted);
  EXPECT_EQ(r.stopped.code(), StatusCode::kUnavailable);
  EXPECT_EQ(transport_.sent.size(), 1u);  // stopped after the first attempt
  EXPECT_THAT(notifications(), IsEmpty());
  EXPECT_THAT(caseSteps(), IsEmpty());
  // The next run, with the server back, sends both.
  r = run("2023-04-01");
  EXPECT_EQ(r.count(DeliveryOutcome::kSent), 2u);
  EXPECT_EQ(notifications().size(), 2u);
}

TEST_F(RemindServiceTest, ARefusedMessageIsNotRecordedAndTheRunGoesOn) {
  transport_.answers = {failedPrecondition("SMTP server refused the message (reply 550)")};
  auto r = run("2023-04-01");
  ASSERT_EQ(r.deliveries.size(), 2u);
  EXPECT_EQ(r.deliveries[0].outcome, DeliveryOutcome::kFailed);
  EXPECT_THAT(r.deliveries[0].error, HasSubstr("550"));
  EXPECT_EQ(r.deliveries[1].outcome, DeliveryOutcome::kSent);
  EXPECT_TRUE(r.stopped.isOk());
  const auto n = notifications();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].device_id, r.deliveries[1].message.device_id);
}

TEST_F(RemindServiceTest, FirstNoticeIsRecordedOnTheFirstAcceptedReminder) {
  // Two milestones for one case; the first message is refused, the second accepted.
  Recording rec;
  rec.now_ms = kNowMs;
  rec.on = day("2023-03-01");
  ASSERT_TRUE(addDirectiveText(
                  Caller::localOperator("test"), *ws_,
                  "id: pa-iphone\ntitle: Officials give up iPhones\nissued: 2023-03-01\n"
                  "scope: {units: [\"pa/**\"], roles: [official]}\nban:\n  - platform: ios\n"
                  "reminders: {days_before: [7]}\nmilestones:\n"
                  "  - {name: handover, due: 2023-03-30, requires: banned_devices_surrendered}\n"
                  "  - {name: replace, due: 2023-03-31, requires: allowed_replacement_held}\n",
                  "d2.yaml", rec)
                  .isOk());
  transport_.answers = {failedPrecondition("refused")};
  auto r = run("2023-03-24");
  ASSERT_EQ(r.deliveries.size(), 2u);
  EXPECT_EQ(r.deliveries[0].outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.deliveries[1].outcome, DeliveryOutcome::kSent);
  const auto steps = caseSteps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].stage, campaign::CaseStage::kNotified);
  EXPECT_THAT(steps[0].note, HasSubstr("replace"));
}

TEST_F(RemindServiceTest, OnlyAnAdministratorSendsReminders) {
  Caller officer;
  officer.actor = "P-9";
  officer.scope.unit_subtrees = {"pa"};
  officer.scope.may_act = true;
  RemindOptions o;
  o.directive_id = "pa-iphone";
  o.on = day("2023-03-24");
  o.from = "phaseout@pa.example";
  auto r = remind(officer, *ws_, o, transport_);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(transport_.sent, IsEmpty());
  EXPECT_THAT(notifications(), IsEmpty());
}

TEST_F(RemindServiceTest, TodayIsTheDayOfNowWhenNoDayIsGiven) {
  RemindOptions o;
  o.directive_id = "pa-iphone";
  o.from = "phaseout@pa.example";
  o.dry_run = true;
  o.now_ms = day("2023-03-24").epochMs() + 3'600'000;
  auto r = remind(Caller::localOperator("test"), *ws_, o, transport_);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->on, day("2023-03-24"));
}

TEST_F(RemindServiceTest, RejectsABadFromAddressAndAnUnknownDirective) {
  RemindOptions o;
  o.directive_id = "pa-iphone";
  o.on = day("2023-03-24");
  o.from = "not an address";
  auto r = remind(Caller::localOperator("test"), *ws_, o, transport_);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), "from");
  EXPECT_THAT(r.status().message(), Not(HasSubstr("--")));
  o.from = "phaseout@pa.example";
  o.directive_id = "nope";
  r = remind(Caller::localOperator("test"), *ws_, o, transport_);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(RemindRequestTest, ARefusedRequestOpensAndCreatesNothing) {
  const auto db = std::filesystem::temp_directory_path() /
                  ("phaseout_remind_request_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  RemindRequest request;
  request.db_path = db.string();
  request.options.directive_id = "pa-iphone";
  request.smtp_url = "http://user:secret@mail.example";
  auto r = remind(Caller::localOperator("test"), request);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().field(), "smtp");
  EXPECT_THAT(r.status().message(), Not(HasSubstr("secret")));
  request.smtp_url = std::string(kDefaultSmtpUrl);
  request.options.directive_id.clear();
  r = remind(Caller::localOperator("test"), request);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().field(), "directive");
  request.options.directive_id = "pa-iphone";
  Caller reader;
  reader.actor = "P-1";
  reader.scope.unit_subtrees = {"pa"};
  r = remind(reader, request);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(std::filesystem::exists(db));
}

}  // namespace
}  // namespace phaseout::service
