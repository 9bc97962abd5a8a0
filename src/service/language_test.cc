// A person's language: who may set it, what is refused, what is recorded.
#include "service/language.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service/accounts.h"
#include "service/audit.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using ::testing::HasSubstr;
using testing::recordingAt;

class LanguageTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    write("people.csv", testing::kSmallOrgPeopleCsv);
    importFile(ImportKind::kPeople, "people.csv", recording_);
  }

  Caller person(const char* id) {
    auto who = callerForPerson(*ws_, id, RoleNames{});
    EXPECT_TRUE(who.isOk()) << who.status().toString();
    return who.isOk() ? who->caller : Caller{};
  }

  std::vector<std::string> languageEvents() {
    std::vector<std::string> out;
    auto n = exportAudit(Caller::localOperator("admin"), *ws_, [&](std::string_view line) {
      if (line.find("\"person.language\"") != std::string_view::npos) out.emplace_back(line);
      return Status::ok();
    });
    EXPECT_TRUE(n.isOk()) << n.status().toString();
    return out;
  }

  Recording recording_ = recordingAt("2023-03-10");
};

TEST_F(LanguageTest, APersonSetsTheirOwnAndItIsRemembered) {
  const Caller ivan = person("P-1");
  EXPECT_EQ(*ownLanguage(ivan, *ws_), "");
  auto changed = setLanguage(ivan, *ws_, "P-1", "ru", recording_);
  ASSERT_TRUE(changed.isOk()) << changed.status().toString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(*ownLanguage(ivan, *ws_), "ru");
  // The same again records nothing.
  EXPECT_FALSE(*setLanguage(ivan, *ws_, "P-1", "ru", recording_));
  ASSERT_EQ(languageEvents().size(), 1u);
  EXPECT_THAT(languageEvents()[0], HasSubstr("\"actor\":\"P-1\""));
  // Another person's stays unset.
  EXPECT_EQ(*ownLanguage(person("P-2"), *ws_), "");
  EXPECT_TRUE(*setLanguage(ivan, *ws_, "P-1", "en", recording_));
  EXPECT_EQ(*ownLanguage(ivan, *ws_), "en");
  EXPECT_EQ(languageEvents().size(), 2u);
}

TEST_F(LanguageTest, OnlyTheCatalogsLanguagesAndOnlyOnesOwnUnlessAdministering) {
  const Caller ivan = person("P-1");
  auto refused = setLanguage(ivan, *ws_, "P-1", "de", recording_);
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().field(), "language");
  EXPECT_EQ(refused.status().message(), "expected one of: en, ru");
  EXPECT_FALSE(setLanguage(ivan, *ws_, "P-1", "ru-RU", recording_).isOk());
  // Another person's: as if they did not exist.
  auto other = setLanguage(ivan, *ws_, "P-2", "ru", recording_);
  ASSERT_FALSE(other.isOk());
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
  // An administrator may set anyone's (the directory's language, for instance).
  const Caller officer = person("P-9");
  EXPECT_TRUE(*setLanguage(officer, *ws_, "P-2", "ru", recording_));
  EXPECT_EQ(*ownLanguage(person("P-2"), *ws_), "ru");
  auto unknown = setLanguage(officer, *ws_, "P-404", "ru", recording_);
  ASSERT_FALSE(unknown.isOk());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  // Reading everyone's is for administrators.
  auto all = storedLanguages(officer, *ws_);
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(all->size(), 1u);
  EXPECT_EQ(storedLanguages(ivan, *ws_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(languageEvents().size() == 1u);
}

}  // namespace
}  // namespace phaseout::service
