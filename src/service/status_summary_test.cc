// The streamed status summary (statusSummary) against the full evaluation summarised, for
// every kind of caller scope and over the demo's campaign history (dispositions, replacements,
// waivers, devices destroyed and given away), and through the evaluation cache.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "report/status_report.h"
#include "service/demo.h"
#include "service/evaluation_cache.h"
#include "service/status.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::day;
using testing::recordingAt;

class StatusSummaryTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    auto demo = runDemoHere(150);
    ASSERT_TRUE(demo.isOk()) << demo.status().toString();
    for (const auto& v : demo->status.evaluation.verdicts) {
      if (v.status == policy::VerdictStatus::kPending && v.holder != nullptr) {
        holder_ = v.holder->person_id;
        unit_ = v.holder->unit;
        break;
      }
    }
    ASSERT_FALSE(holder_.empty());
  }

  std::vector<Caller> callers() const {
    Caller officer;
    officer.actor = "officer";
    officer.scope.unit_subtrees = {unit_};
    Caller own;
    own.actor = holder_;
    own.person_id = holder_;
    own.scope.own_person = holder_;
    Caller everything;
    everything.actor = "auditor";
    everything.scope.all_units = true;
    return {Caller::localOperator("x"), officer, own, everything, Caller{}};
  }

  std::string fullJson(const Caller& caller, Date at) {
    auto r = ws_->status(caller, "pa-iphone-2023", at);
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    if (!r.isOk()) return "";
    return report::statusJson(r->directive, r->evaluation, false, r->milestones);
  }
  static std::string json(const StatusSummary& s) {
    return report::statusJson(s.directive, s.summary, s.milestones);
  }

  std::string holder_, unit_;
};

TEST_F(StatusSummaryTest, StreamedCountsEqualTheFullEvaluationForEveryScopeAndDay) {
  for (const char* at : {"2023-03-06", "2023-03-13", "2023-03-20", "2023-04-30", "2023-09-01"}) {
    for (const Caller& caller : callers()) {
      auto streamed = statusSummary(caller, *ws_, "pa-iphone-2023", day(at));
      ASSERT_TRUE(streamed.isOk()) << streamed.status().toString();
      EXPECT_EQ(json(*streamed), fullJson(caller, day(at))) << caller.actor << " on " << at;
    }
  }
}

TEST_F(StatusSummaryTest, TheCacheGivesTheSameCountsStreamedOrFromItsEvaluation) {
  EvaluationCache cache;
  const Date at = day("2023-03-20");
  for (const Caller& caller : callers()) {
    auto streamed = cache.summary(caller, *ws_, "pa-iphone-2023", at);  // nothing cached yet
    ASSERT_TRUE(streamed.isOk()) << streamed.status().toString();
    EXPECT_EQ(json(*streamed), fullJson(caller, at)) << caller.actor;
  }
  EXPECT_EQ(cache.stats().misses, 0u);
  ASSERT_TRUE(cache.status(Caller::localOperator("x"), *ws_, "pa-iphone-2023", at).isOk());
  for (const Caller& caller : callers()) {
    auto derived = cache.summary(caller, *ws_, "pa-iphone-2023", at);
    ASSERT_TRUE(derived.isOk()) << derived.status().toString();
    EXPECT_EQ(json(*derived), fullJson(caller, at)) << caller.actor;
  }
}

TEST_F(StatusSummaryTest, LongPersonIdsAreFoundAsShortOnes) {
  // The table of people keeps an id of up to 23 bytes in its slot and a longer one apart: ids
  // on both sides of that bound (23 and 24 bytes), and long directory names.
  const std::vector<std::string> ids = {"P-ABCDEFGHIJKLMNOPQRSTU", "P-ABCDEFGHIJKLMNOPQRSTUV",
                                        "anna.ivanova.press.office@corp.pa.example",
                                        "boris.petrov.press.office@corp.pa.example"};
  ASSERT_EQ(ids[0].size(), 23u);
  ASSERT_EQ(ids[1].size(), 24u);
  std::string people = "person_id,unit,role\n";
  std::string devices = "device_id,holder,kind,vendor,model,platform,os_version\n";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    people += ids[i] + ",pa/long-ids,official\n";
    devices += "LONG-" + std::to_string(i) + "," + ids[i] + ",phone,apple,iPhone 13,ios,16.3\n";
    devices += "LONG-A" + std::to_string(i) + "," + ids[i] + ",phone,google,Pixel 7,android,14\n";
  }
  write("long-people.csv", people);
  write("long-devices.csv", devices);
  importFile(ImportKind::kPeople, "long-people.csv", recordingAt("2023-03-20"));
  importFile(ImportKind::kDevices, "long-devices.csv", recordingAt("2023-03-20"));
  const Date at = day("2023-03-21");
  auto streamed = statusSummary(Caller::localOperator("x"), *ws_, "pa-iphone-2023", at);
  ASSERT_TRUE(streamed.isOk()) << streamed.status().toString();
  EXPECT_EQ(json(*streamed), fullJson(Caller::localOperator("x"), at));
  bool found = false;
  for (const auto& unit : streamed->summary.units) {
    if (unit.unit != "pa/long-ids") continue;
    found = true;
    EXPECT_EQ(unit.people_in_scope, 4u);
    EXPECT_EQ(unit.devices.devices_in_scope, 8u);
    EXPECT_EQ(unit.devices.pending, 4u);
  }
  EXPECT_TRUE(found);
}

TEST_F(StatusSummaryTest, ErrorsAreThoseOfTheFullEvaluation) {
  auto unknown = statusSummary(Caller::localOperator("x"), *ws_, "no-such", day("2023-03-20"));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto early = statusSummary(Caller::localOperator("x"), *ws_, "pa-iphone-2023", day("2000-01-01"));
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace phaseout::service
