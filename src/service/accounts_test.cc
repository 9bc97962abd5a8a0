#include "service/accounts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/audit.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::day;
using testing::recordingAt;

constexpr std::int64_t kHourMs = 3'600'000;
constexpr const char* kPassword = "correct horse battery staple";

class AccountsTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    write("people.csv", std::string(kPeopleHeader) + kPeople);
    importFile(ImportKind::kPeople, "people.csv", recording_);
  }

  // The people again, with `extra` lines replacing theirs (e.g. P-1 leaving).
  void reimport(const std::string& lines, const char* today) {
    write("people2.csv", std::string(kPeopleHeader) + lines);
    importFile(ImportKind::kPeople, "people2.csv", recordingAt(today));
  }

  Status setPassword(const char* person, std::string_view password = kPassword) {
    return service::setPassword(admin_, *ws_, person, password, recording_);
  }

  Result<SessionTicket> loginAt(std::string_view login, std::string_view password,
                                std::int64_t now_ms) {
    return service::login(*ws_, login, password, now_ms, roles_);
  }

  Result<CreatedToken> token(const char* person, const char* name,
                             TokenScope scope = TokenScope::kWrite,
                             std::optional<Date> expires = std::nullopt) {
    return createToken(admin_, *ws_, {person, name, scope, expires}, recording_);
  }

  // Every byte the database keeps on disk (the file and its journals).
  std::string databaseBytes() {
    std::string all;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().filename().string().rfind("t.db", 0) != 0) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      all += bytes.str();
    }
    return all;
  }

  std::vector<std::string> auditLines() {
    std::vector<std::string> lines;
    auto n = exportAudit(admin_, *ws_, [&](std::string_view line) {
      lines.emplace_back(line);
      return Status::ok();
    });
    EXPECT_TRUE(n.isOk()) << n.status().toString();
    return lines;
  }

  static constexpr const char* kPeopleHeader = "person_id,name,email,unit,role,status\n";
  static constexpr const char* kPeople =
      "P-1,Ivan Petrov,Ivan.Petrov@PA.example,pa/press,official,active\n"
      "P-2,Anna Ivanova,anna@pa.example,pa/it,official,active\n"
      "P-3,Lena Left,lena@pa.example,pa/it,official,left\n"
      "P-8,Pavel Press,pavel@pa.example,pa/press,official;unit-officer,active\n"
      "P-9,Olga Officer,olga@pa.example,pa,security-officer,active\n"
      "P-7,Arno Auditor,arno@pa.example,pa/audit,auditor,active\n"
      "P-6,Uta Both,uta@pa.example,pa/it,unit-officer;auditor,active\n"
      "P-5,Sam Shared,shared@pa.example,pa/it,official,active\n"
      "P-4,Sue Shared,shared@pa.example,pa/it,official,active\n";

  Recording recording_ = recordingAt("2023-03-10");
  std::int64_t now_ms_ = recording_.now_ms;
  Caller admin_ = Caller::localOperator("admin");
  RoleNames roles_;
};

// --- roles -> scope -----------------------------------------------------------------------

TEST_F(AccountsTest, EveryRoleGetsItsScope) {
  auto officer = callerForPerson(*ws_, "P-9", roles_);
  ASSERT_TRUE(officer.isOk()) << officer.status().toString();
  EXPECT_EQ(officer->caller.actor, "P-9");
  EXPECT_EQ(officer->caller.person_id, "P-9");
  EXPECT_TRUE(officer->caller.scope.all_units);
  EXPECT_TRUE(officer->caller.scope.may_act);
  EXPECT_TRUE(officer->caller.scope.may_administer);
  EXPECT_TRUE(officer->caller.scope.may_read_audit);
  EXPECT_EQ(officer->caller.scope.own_person, "P-9");
  EXPECT_EQ(officer->roles, std::vector<std::string>{"security-officer"});
  EXPECT_FALSE(officer->token_scope.has_value());

  auto unit = callerForPerson(*ws_, "P-8", roles_);
  ASSERT_TRUE(unit.isOk());
  EXPECT_FALSE(unit->caller.scope.all_units);
  EXPECT_EQ(unit->caller.scope.unit_subtrees, std::vector<std::string>{"pa/press"});
  EXPECT_TRUE(unit->caller.scope.may_act);
  EXPECT_FALSE(unit->caller.scope.may_administer);
  EXPECT_FALSE(unit->caller.scope.may_read_audit);
  EXPECT_TRUE(unit->caller.mayAct("pa/press/desk", "P-1", "device D-1").isOk());
  EXPECT_EQ(unit->caller.mayAct("pa/it", "P-2", "device D-2").code(), StatusCode::kNotFound);

  auto auditor = callerForPerson(*ws_, "P-7", roles_);
  ASSERT_TRUE(auditor.isOk());
  EXPECT_TRUE(auditor->caller.scope.all_units);
  EXPECT_TRUE(auditor->caller.scope.may_read_audit);
  EXPECT_FALSE(auditor->caller.scope.may_act);
  EXPECT_FALSE(auditor->caller.scope.may_administer);
  EXPECT_EQ(auditor->caller.mayAct("pa/it", "P-2", "device D-2").code(),
            StatusCode::kPermissionDenied);

  // An auditor changes nothing, even when also a unit officer.
  auto both = callerForPerson(*ws_, "P-6", roles_);
  ASSERT_TRUE(both.isOk());
  EXPECT_TRUE(both->caller.scope.all_units);
  EXPECT_FALSE(both->caller.scope.may_act);

  auto holder = callerForPerson(*ws_, "P-1", roles_);
  ASSERT_TRUE(holder.isOk());
  EXPECT_FALSE(holder->caller.scope.all_units);
  EXPECT_TRUE(holder->caller.scope.unit_subtrees.empty());
  EXPECT_EQ(holder->caller.scope.own_person, "P-1");
  EXPECT_FALSE(holder->caller.scope.may_act);
  EXPECT_TRUE(holder->caller.sees("pa/press", "P-1"));
  EXPECT_FALSE(holder->caller.sees("pa/press", "P-8"));

  EXPECT_EQ(callerForPerson(*ws_, "P-3", roles_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(callerForPerson(*ws_, "P-404", roles_).status().code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, RoleNamesAreConfigurable) {
  RoleNames renamed;
  renamed.security_officer = "official";  // everyone with "official" is now an officer
  auto p1 = callerForPerson(*ws_, "P-1", renamed);
  ASSERT_TRUE(p1.isOk());
  EXPECT_TRUE(p1->caller.scope.may_administer);
  auto p9 = callerForPerson(*ws_, "P-9", renamed);
  ASSERT_TRUE(p9.isOk());
  EXPECT_FALSE(p9->caller.scope.may_administer);
}

// --- administration -----------------------------------------------------------------------

TEST_F(AccountsTest, PasswordRulesAndWhoMaySetThem) {
  Status s = setPassword("P-1", "short");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "password");
  EXPECT_EQ(setPassword("P-1", std::string(1025, 'x')).field(), "password");
  // Twelve characters, fewer bytes would not do: counted as characters.
  EXPECT_TRUE(setPassword("P-1", "ääääääääääää").isOk());
  EXPECT_EQ(setPassword("P-1", "ääääää").code(), StatusCode::kInvalidArgument);
  Status unknown = setPassword("P-404");
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.field(), "person");
  EXPECT_EQ(setPassword("P-3").code(), StatusCode::kFailedPrecondition);

  auto unit_officer = callerForPerson(*ws_, "P-8", roles_);
  ASSERT_TRUE(unit_officer.isOk());
  EXPECT_EQ(service::setPassword(unit_officer->caller, *ws_, "P-1", kPassword, recording_).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(lockAccount(unit_officer->caller, *ws_, "P-1", recording_).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(createToken(unit_officer->caller, *ws_,
                        {"P-8", "mine", TokenScope::kRead, std::nullopt}, recording_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(listTokens(unit_officer->caller, *ws_, "").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(revokeToken(unit_officer->caller, *ws_, "tok-1", recording_).code(),
            StatusCode::kPermissionDenied);
  auto officer = callerForPerson(*ws_, "P-9", roles_);
  ASSERT_TRUE(officer.isOk());
  EXPECT_TRUE(service::setPassword(officer->caller, *ws_, "P-1", kPassword, recording_).isOk());
}

TEST_F(AccountsTest, LockTwiceIsRefusedAndEveryChangeIsAuditedWithoutSecrets) {
  ASSERT_TRUE(setPassword("P-1").isOk());
  ASSERT_TRUE(lockAccount(admin_, *ws_, "P-1", recording_).isOk());
  EXPECT_EQ(lockAccount(admin_, *ws_, "P-1", recording_).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(unlockAccount(admin_, *ws_, "P-1", recording_).isOk());
  EXPECT_EQ(unlockAccount(admin_, *ws_, "P-1", recording_).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(lockAccount(admin_, *ws_, "P-404", recording_).code(), StatusCode::kNotFound);
  auto made = token("P-1", "laptop");
  ASSERT_TRUE(made.isOk()) << made.status().toString();
  ASSERT_TRUE(revokeToken(admin_, *ws_, made->info.token_id, recording_).isOk());

  const auto lines = auditLines();
  ASSERT_EQ(lines.size(), 6u);  // the import, then the five changes
  const char* kinds[] = {"account.password", "account.lock", "account.unlock", "token.create",
                         "token.revoke"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NE(lines[i + 1].find(std::string("\"kind\":\"") + kinds[i] + "\""), std::string::npos)
        << lines[i + 1];
    EXPECT_NE(lines[i + 1].find("\"actor\":\"admin\""), std::string::npos) << lines[i + 1];
    EXPECT_EQ(lines[i + 1].find("argon2"), std::string::npos) << lines[i + 1];
    EXPECT_EQ(lines[i + 1].find(made->secret), std::string::npos) << lines[i + 1];
  }
  auto check = verifyAudit(admin_, *ws_);
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
}

// --- sign-in --------------------------------------------------------------------------------

TEST_F(AccountsTest, LoginByIdOrEmailAndOneSentenceForEveryRefusal) {
  ASSERT_TRUE(setPassword("P-1").isOk());
  auto by_id = loginAt("P-1", kPassword, now_ms_);
  ASSERT_TRUE(by_id.isOk()) << by_id.status().toString();
  EXPECT_EQ(by_id->who.caller.person_id, "P-1");
  EXPECT_FALSE(by_id->session_id.empty());
  EXPECT_FALSE(by_id->csrf_token.empty());
  EXPECT_NE(by_id->session_id, by_id->csrf_token);
  auto by_mail = loginAt("ivan.petrov@pa.EXAMPLE", kPassword, now_ms_);
  ASSERT_TRUE(by_mail.isOk()) << by_mail.status().toString();
  EXPECT_EQ(by_mail->who.caller.person_id, "P-1");
  EXPECT_NE(by_mail->session_id, by_id->session_id);

  // Shared address (names no one), no password, wrong password, unknown, empty, locked, left.
  ASSERT_TRUE(setPassword("P-4").isOk());
  ASSERT_TRUE(setPassword("P-8").isOk());
  ASSERT_TRUE(setPassword("P-2").isOk());
  ASSERT_TRUE(lockAccount(admin_, *ws_, "P-8", recording_).isOk());
  std::vector<Status> refusals = {
      loginAt("shared@pa.example", kPassword, now_ms_).status(),
      loginAt("P-9", kPassword, now_ms_).status(),
      loginAt("P-1", "wrong horse battery staple", now_ms_).status(),
      loginAt("P-1", "", now_ms_).status(),
      loginAt("P-404", kPassword, now_ms_).status(),
      loginAt("nobody@pa.example", kPassword, now_ms_).status(),
      loginAt("", kPassword, now_ms_).status(),
      loginAt("P-8", kPassword, now_ms_).status(),
  };
  reimport("P-2,Anna Ivanova,anna@pa.example,pa/it,official,left\n", "2023-03-11");
  refusals.push_back(loginAt("P-2", kPassword, now_ms_ + 24 * kHourMs).status());
  for (std::size_t i = 0; i < refusals.size(); ++i) {
    EXPECT_EQ(refusals[i].code(), StatusCode::kUnauthenticated) << i;
    EXPECT_EQ(refusals[i].message(), refusals[0].message()) << i;
  }
  EXPECT_NE(refusals[0].message().find("sign-in refused"), std::string::npos);
  // Unlocked again, the password works again.
  ASSERT_TRUE(unlockAccount(admin_, *ws_, "P-8", recording_).isOk());
  EXPECT_TRUE(loginAt("P-8", kPassword, now_ms_).isOk());
}

TEST_F(AccountsTest, LoginByUserPrincipalNameWhenTheDirectoryGivesOne) {
  write(
      "people-upn.csv",
      "person_id,name,email,unit,role,status,upn\n"
      "P-1,Ivan Petrov,Ivan.Petrov@PA.example,pa/press,official,active,ipetrov@corp.pa.example\n");
  importFile(ImportKind::kPeople, "people-upn.csv", recordingAt("2023-03-11"));
  ASSERT_TRUE(setPassword("P-1").isOk());
  const std::int64_t next_day = now_ms_ + 24 * kHourMs;
  auto by_upn = loginAt("IPetrov@corp.pa.example", kPassword, next_day);
  ASSERT_TRUE(by_upn.isOk()) << by_upn.status().toString();
  EXPECT_EQ(by_upn->who.caller.person_id, "P-1");
  EXPECT_TRUE(loginAt("ivan.petrov@pa.example", kPassword, next_day).isOk());
  // Before the directory gave it, the name was nobody's.
  EXPECT_EQ(loginAt("ipetrov@corp.pa.example", kPassword, now_ms_).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(AccountsTest, SessionsResumeUntilIdleOrTooOldOrEnded) {
  ASSERT_TRUE(setPassword("P-8").isOk());
  auto ticket = loginAt("P-8", kPassword, now_ms_);
  ASSERT_TRUE(ticket.isOk());
  auto resumed = resumeSession(*ws_, ticket->session_id, now_ms_ + kHourMs, roles_);
  ASSERT_TRUE(resumed.isOk()) << resumed.status().toString();
  EXPECT_EQ(resumed->csrf_token, ticket->csrf_token);
  EXPECT_EQ(resumed->who.caller.scope.unit_subtrees, std::vector<std::string>{"pa/press"});
  EXPECT_TRUE(resumed->who.caller.scope.may_act);

  // Kept alive by a request every 11 hours, it lives 7 days and no longer.
  std::int64_t t = now_ms_ + kHourMs;
  while (t + 11 * kHourMs <= now_ms_ + 7 * 24 * kHourMs) {
    t += 11 * kHourMs;
    ASSERT_TRUE(resumeSession(*ws_, ticket->session_id, t, roles_).isOk()) << t;
  }
  const Status too_old =
      resumeSession(*ws_, ticket->session_id, now_ms_ + 7 * 24 * kHourMs + 1, roles_).status();
  EXPECT_EQ(too_old.code(), StatusCode::kUnauthenticated);

  // Idle for more than 12 hours.
  auto idle = loginAt("P-8", kPassword, now_ms_);
  ASSERT_TRUE(idle.isOk());
  EXPECT_TRUE(resumeSession(*ws_, idle->session_id, now_ms_ + 12 * kHourMs, roles_).isOk());
  EXPECT_EQ(
      resumeSession(*ws_, idle->session_id, now_ms_ + 24 * kHourMs + 1, roles_).status().code(),
      StatusCode::kUnauthenticated);

  // Ended.
  auto ended = loginAt("P-8", kPassword, now_ms_);
  ASSERT_TRUE(ended.isOk());
  ASSERT_TRUE(endSession(*ws_, ended->session_id).isOk());
  const Status after_end = resumeSession(*ws_, ended->session_id, now_ms_, roles_).status();
  EXPECT_EQ(after_end.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(after_end.message(), too_old.message());
  EXPECT_TRUE(endSession(*ws_, "no-such-session").isOk());

  // Unknown ids, whatever their shape.
  for (std::string_view bad :
       {std::string_view(""), std::string_view("x"), std::string_view(ticket->csrf_token)}) {
    EXPECT_EQ(resumeSession(*ws_, bad, now_ms_, roles_).status().message(), too_old.message());
  }
}

TEST_F(AccountsTest, LockPasswordChangeAndLeavingStopSessionsAtOnce) {
  ASSERT_TRUE(setPassword("P-1").isOk());
  ASSERT_TRUE(setPassword("P-2").isOk());
  auto locked = loginAt("P-1", kPassword, now_ms_);
  auto leaving = loginAt("P-2", kPassword, now_ms_);
  ASSERT_TRUE(locked.isOk() && leaving.isOk());

  ASSERT_TRUE(lockAccount(admin_, *ws_, "P-1", recording_).isOk());
  EXPECT_EQ(resumeSession(*ws_, locked->session_id, now_ms_, roles_).status().code(),
            StatusCode::kUnauthenticated);
  ASSERT_TRUE(unlockAccount(admin_, *ws_, "P-1", recording_).isOk());
  // Locking ended the session: unlocking does not bring it back.
  EXPECT_EQ(resumeSession(*ws_, locked->session_id, now_ms_, roles_).status().code(),
            StatusCode::kUnauthenticated);

  auto again = loginAt("P-1", kPassword, now_ms_);
  ASSERT_TRUE(again.isOk());
  ASSERT_TRUE(setPassword("P-1", "a brand new passphrase").isOk());
  EXPECT_EQ(resumeSession(*ws_, again->session_id, now_ms_, roles_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(loginAt("P-1", "a brand new passphrase", now_ms_).isOk());

  EXPECT_TRUE(resumeSession(*ws_, leaving->session_id, now_ms_, roles_).isOk());
  reimport("P-2,Anna Ivanova,anna@pa.example,pa/it,official,left\n", "2023-03-11");
  EXPECT_EQ(
      resumeSession(*ws_, leaving->session_id, now_ms_ + 24 * kHourMs, roles_).status().code(),
      StatusCode::kUnauthenticated);
}

TEST_F(AccountsTest, OpenSessionForSingleSignOn) {
  // No password needed; the person (or their e-mail) must be active and not locked.
  auto sso = openSession(*ws_, "anna@PA.example", now_ms_, roles_);
  ASSERT_TRUE(sso.isOk()) << sso.status().toString();
  EXPECT_EQ(sso->who.caller.person_id, "P-2");
  EXPECT_TRUE(resumeSession(*ws_, sso->session_id, now_ms_, roles_).isOk());
  EXPECT_EQ(openSession(*ws_, "lena@pa.example", now_ms_, roles_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(openSession(*ws_, "nobody@pa.example", now_ms_, roles_).status().code(),
            StatusCode::kUnauthenticated);
  ASSERT_TRUE(lockAccount(admin_, *ws_, "P-2", recording_).isOk());
  EXPECT_EQ(openSession(*ws_, "P-2", now_ms_, roles_).status().code(),
            StatusCode::kUnauthenticated);
}

// --- tokens ---------------------------------------------------------------------------------

TEST_F(AccountsTest, TokenScopesReadWriteSensor) {
  auto write = token("P-8", "ci", TokenScope::kWrite);
  auto read = token("P-8", "dashboard", TokenScope::kRead);
  auto sensor = token("P-9", "span-port-1", TokenScope::kSensor);
  ASSERT_TRUE(write.isOk() && read.isOk() && sensor.isOk()) << write.status().toString();
  EXPECT_EQ(write->secret.rfind("po_", 0), 0u);
  EXPECT_GT(write->secret.size(), 40u);
  EXPECT_EQ(write->info.token_id, "tok-1");
  EXPECT_EQ(read->info.token_id, "tok-2");

  auto w = authenticateToken(*ws_, write->secret, now_ms_, roles_);
  ASSERT_TRUE(w.isOk()) << w.status().toString();
  EXPECT_EQ(w->caller.actor, "token:ci");
  EXPECT_EQ(w->caller.person_id, "P-8");
  EXPECT_EQ(w->token_scope, TokenScope::kWrite);
  EXPECT_TRUE(w->caller.scope.may_act);
  EXPECT_EQ(w->caller.scope.unit_subtrees, std::vector<std::string>{"pa/press"});

  auto r = authenticateToken(*ws_, read->secret, now_ms_, roles_);
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(r->token_scope, TokenScope::kRead);
  EXPECT_FALSE(r->caller.scope.may_act);
  EXPECT_FALSE(r->caller.scope.may_administer);
  EXPECT_TRUE(r->caller.seesUnit("pa/press"));
  EXPECT_EQ(r->caller.mayAct("pa/press", "P-1", "device D-1").code(),
            StatusCode::kPermissionDenied);

  // A sensor token of a security officer still sees and changes nothing.
  auto s = authenticateToken(*ws_, sensor->secret, now_ms_, roles_);
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(s->token_scope, TokenScope::kSensor);
  EXPECT_FALSE(s->caller.scope.all_units);
  EXPECT_TRUE(s->caller.scope.unit_subtrees.empty());
  EXPECT_TRUE(s->caller.scope.own_person.empty());
  EXPECT_FALSE(s->caller.scope.may_act || s->caller.scope.may_administer ||
               s->caller.scope.may_read_audit);
  EXPECT_FALSE(s->caller.seesUnit("pa"));
  EXPECT_EQ(s->caller.mayAdminister("import").code(), StatusCode::kPermissionDenied);
  // Its one write: recording what it saw (a read token may not).
  EXPECT_TRUE(s->caller.mayRecordSightings().isOk());
  auto reader = authenticateToken(*ws_, read->secret, now_ms_, roles_);
  ASSERT_TRUE(reader.isOk());
  EXPECT_EQ(reader->caller.mayRecordSightings().code(), StatusCode::kPermissionDenied);

  auto listed = listTokens(admin_, *ws_, "P-8");
  ASSERT_TRUE(listed.isOk());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "ci");
  ASSERT_TRUE((*listed)[0].last_used_ms.has_value());
  EXPECT_EQ(*(*listed)[0].last_used_ms, now_ms_);
  EXPECT_EQ(listTokens(admin_, *ws_, "")->size(), 3u);
}

TEST_F(AccountsTest, TokenRequestsAreChecked) {
  ASSERT_TRUE(token("P-1", "laptop").isOk());
  auto dup = token("P-1", "laptop");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().field(), "name");
  EXPECT_TRUE(token("P-2", "laptop").isOk());  // unique per person only
  EXPECT_EQ(token("P-1", "").status().field(), "name");
  EXPECT_EQ(token("P-1", "tab\there").status().field(), "name");
  EXPECT_EQ(token("P-1", std::string(65, 'n').c_str()).status().field(), "name");
  EXPECT_EQ(token("P-1", "old", TokenScope::kRead, day("2023-03-09")).status().field(), "expires");
  EXPECT_EQ(token("P-404", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(token("P-3", "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(parseTokenScope("admin").status().field(), "scope");
  EXPECT_EQ(*parseTokenScope("sensor"), TokenScope::kSensor);
  EXPECT_EQ(name(TokenScope::kRead), "read");
  EXPECT_EQ(revokeToken(admin_, *ws_, "tok-99", recording_).code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, TokensExpireAfterTheirDayAndStopWhenRevokedLockedOrLeft) {
  auto expiring = token("P-1", "until-friday", TokenScope::kRead, day("2023-03-10"));
  auto revoked = token("P-1", "revoked");
  auto locked = token("P-8", "locked");
  auto leaving = token("P-2", "leaving");
  ASSERT_TRUE(expiring.isOk() && revoked.isOk() && locked.isOk() && leaving.isOk());
  const std::int64_t last_ms_of_day = day("2023-03-11").epochMs() - 1;
  EXPECT_TRUE(authenticateToken(*ws_, expiring->secret, last_ms_of_day, roles_).isOk());
  const Status expired =
      authenticateToken(*ws_, expiring->secret, last_ms_of_day + 1, roles_).status();
  EXPECT_EQ(expired.code(), StatusCode::kUnauthenticated);

  EXPECT_TRUE(authenticateToken(*ws_, revoked->secret, now_ms_, roles_).isOk());
  ASSERT_TRUE(revokeToken(admin_, *ws_, revoked->info.token_id, recording_).isOk());
  EXPECT_EQ(authenticateToken(*ws_, revoked->secret, now_ms_, roles_).status().message(),
            expired.message());
  EXPECT_EQ(revokeToken(admin_, *ws_, revoked->info.token_id, recording_).code(),
            StatusCode::kFailedPrecondition);
  auto listed = listTokens(admin_, *ws_, "P-1");
  ASSERT_TRUE(listed.isOk());
  EXPECT_TRUE((*listed)[1].revoked_ms.has_value());

  ASSERT_TRUE(lockAccount(admin_, *ws_, "P-8", recording_).isOk());
  EXPECT_EQ(authenticateToken(*ws_, locked->secret, now_ms_, roles_).status().message(),
            expired.message());
  ASSERT_TRUE(unlockAccount(admin_, *ws_, "P-8", recording_).isOk());
  EXPECT_TRUE(authenticateToken(*ws_, locked->secret, now_ms_, roles_).isOk());

  reimport("P-2,Anna Ivanova,anna@pa.example,pa/it,official,left\n", "2023-03-11");
  EXPECT_TRUE(authenticateToken(*ws_, leaving->secret, now_ms_, roles_).isOk());  // 10th
  EXPECT_EQ(
      authenticateToken(*ws_, leaving->secret, now_ms_ + 24 * kHourMs, roles_).status().message(),
      expired.message());

  for (std::string_view bad : {std::string_view(""), std::string_view("po_"),
                               std::string_view("po_nope"), std::string_view("Bearer x")}) {
    EXPECT_EQ(authenticateToken(*ws_, bad, now_ms_, roles_).status().message(), expired.message())
        << bad;
  }
}

TEST_F(AccountsTest, TheDatabaseHoldsNoPasswordSessionIdOrTokenSecret) {
  ASSERT_TRUE(setPassword("P-1").isOk());
  auto ticket = loginAt("P-1", kPassword, now_ms_);
  ASSERT_TRUE(ticket.isOk());
  auto made = token("P-1", "laptop");
  ASSERT_TRUE(made.isOk());
  ASSERT_TRUE(authenticateToken(*ws_, made->secret, now_ms_, roles_).isOk());
  ws_.reset();  // flush and close
  const std::string bytes = databaseBytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(kPassword), std::string::npos);
  EXPECT_EQ(bytes.find(ticket->session_id), std::string::npos);
  EXPECT_EQ(bytes.find(made->secret), std::string::npos);
  EXPECT_EQ(bytes.find(made->secret.substr(3)), std::string::npos);
  EXPECT_NE(bytes.find("$argon2id$"), std::string::npos);  // what is kept instead
}

}  // namespace
}  // namespace phaseout::service
