// The demo's own rules: which verdicts it shows as examples, and where its CSV exports go by
// default (beside the database file, whether named by path or by URL).
#include "service/demo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace phaseout::service {
namespace {

using policy::VerdictStatus;

policy::Verdict verdict(VerdictStatus status, const std::string& reason) {
  policy::Verdict v;
  v.status = status;
  v.reason = reason;
  return v;
}

TEST(VerdictExamples, ShowsThreePendingAndTwoUnknownInOrder) {
  policy::Evaluation evaluation;
  evaluation.verdicts = {
      verdict(VerdictStatus::kCompliant, "c1"), verdict(VerdictStatus::kPending, "p1"),
      verdict(VerdictStatus::kUnknown, "u1"),   verdict(VerdictStatus::kPending, "p2"),
      verdict(VerdictStatus::kOverdue, "o1"),   verdict(VerdictStatus::kPending, "p3"),
      verdict(VerdictStatus::kPending, "p4"),   verdict(VerdictStatus::kUnknown, "u2"),
      verdict(VerdictStatus::kUnknown, "u3"),
  };
  const auto examples = verdictExamples(evaluation);
  std::string shown;
  for (const auto& e : examples)
    shown += std::string(policy::name(e.status)) + ":" + e.reason + " ";
  EXPECT_EQ(shown, "pending:p1 unknown:u1 pending:p2 pending:p3 unknown:u2 ");
  EXPECT_TRUE(verdictExamples(policy::Evaluation{}).empty());
}

TEST(DefaultExportDir, IsTheDatabaseFilesFolderElseTheCurrentOne) {
  EXPECT_EQ(defaultExportDir("/tmp/x/demo.db"), "/tmp/x");
  EXPECT_EQ(defaultExportDir("sqlite:///tmp/x/demo.db"), "/tmp/x");
  EXPECT_EQ(defaultExportDir("demo.db"), ".");
  EXPECT_EQ(defaultExportDir("sqlite::memory:"), ".");
  EXPECT_EQ(defaultExportDir(""), ".");
}

TEST(RunDemo, WritesItsExportsBesideADatabaseNamedByUrl) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("phaseout_demo_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto ws = Workspace::open("sqlite://" + (dir / "x.db").string());
    ASSERT_TRUE(ws.isOk()) << ws.status().toString();
    DemoOptions options;
    options.people = 30;
    options.campaign_history = false;
    Recording recording;
    auto outcome = runDemo(Caller::localOperator("test"), **ws, options, recording);
    ASSERT_TRUE(outcome.isOk()) << outcome.status().toString();
    EXPECT_EQ(outcome->people_csv, (dir / "people.csv").string());
    EXPECT_TRUE(std::filesystem::exists(dir / "people.csv"));
    EXPECT_TRUE(std::filesystem::exists(dir / "devices.csv"));
    // The demo has an auditor, stored with the role (the dashboard's read-only account).
    ASSERT_FALSE(outcome->auditor.empty());
    const auto people = (*ws)->status(Caller::localOperator("test"),
                                      outcome->directive.directive.id, options.as_of);
    ASSERT_TRUE(people.isOk()) << people.status().toString();
    int auditors = 0;
    for (const auto& p : people->people) {
      const bool auditor = std::find(p.roles.begin(), p.roles.end(), "auditor") != p.roles.end();
      if (auditor) {
        ++auditors;
        EXPECT_EQ(p.person_id, outcome->auditor);
        EXPECT_EQ(std::find(p.roles.begin(), p.roles.end(), "security-officer"), p.roles.end());
      }
    }
    EXPECT_EQ(auditors, 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phaseout::service
