#include "report/campaign_report.h"

#include <gtest/gtest.h>

namespace phaseout::report {
namespace {

Date day(const char* s) { return *Date::parse(s); }

campaign::Waiver waiver() {
  campaign::Waiver w;
  w.waiver_id = "W-000001";
  w.directive_id = "pa-iphone";
  w.device_id = "D-1";
  w.approver = "P-9";
  w.reason = "on mission";
  w.from = day("2023-03-10");
  w.until = day("2023-03-20");
  return w;
}

TEST(CampaignReportTest, WaiverGrantedAndListed) {
  const auto w = waiver();
  EXPECT_EQ(waiverGrantedJson(w),
            "{\"waiver_id\":\"W-000001\",\"directive\":\"pa-iphone\",\"target\":\"device D-1\","
            "\"approver\":\"P-9\",\"reason\":\"on mission\",\"from\":\"2023-03-10\",\"until\":"
            "\"2023-03-20\",\"revoked_from\":\"\",\"state\":\"active\"}\n");
  EXPECT_EQ(waiverGrantedText(w),
            "granted waiver W-000001 for device D-1 under pa-iphone from 2023-03-10 until "
            "2023-03-20\n");
  // The state is the one on the day asked.
  EXPECT_NE(waiverListJson({w}, day("2023-03-21")).find("\"state\":\"expired\""),
            std::string::npos);
  EXPECT_EQ(waiverListText({w}, day("2023-03-09")),
            "W-000001  upcoming  device D-1             2023-03-10..2023-03-20  approved by P-9: "
            "on mission\n");
  EXPECT_EQ(waiverListText({}, day("2023-03-09")), "no waivers\n");
  EXPECT_EQ(waiverListJson({}, day("2023-03-09")), "[]\n");
  EXPECT_EQ(waiverRevokedText("W-000001", day("2023-03-15")),
            "revoked waiver W-000001 from 2023-03-15\n");
  EXPECT_EQ(waiverRevokedJson("W-000001", day("2023-03-15")),
            "{\"waiver_id\":\"W-000001\",\"revoked_from\":\"2023-03-15\"}\n");
}

campaign::CaseView caseView() {
  campaign::CaseView c;
  c.case_id = "pa-iphone/D-1";
  c.directive_id = "pa-iphone";
  c.device_id = "D-1";
  c.person_id = "P-1";
  c.unit = "pa/press";
  c.model = "iPhone 13";
  c.first_failing_at = day("2023-03-06");
  c.stage = campaign::CaseStage::kNotified;
  c.stage_since = day("2023-03-07");
  c.verdict = policy::VerdictStatus::kPending;
  c.reason = "banned";
  c.steps.push_back(
      {"pa-iphone", "D-1", campaign::CaseStage::kNotified, day("2023-03-07"), 3, "olga", "notice"});
  return c;
}

TEST(CampaignReportTest, CasesAndSteps) {
  const auto c = caseView();
  const std::string json = caseJson(c);
  EXPECT_EQ(json.rfind("{\"case\":\"pa-iphone/D-1\",\"device_id\":\"D-1\"", 0), 0u) << json;
  EXPECT_NE(json.find("\"steps\":[{\"stage\":\"notified\",\"on\":\"2023-03-07\",\"by\":\"olga\","
                      "\"note\":\"notice\"}]"),
            std::string::npos)
      << json;
  EXPECT_NE(caseText(c).find("  step       2023-03-07 notified by olga: notice\n"),
            std::string::npos);
  campaign::MilestoneCheck m;
  m.name = "handover";
  m.due = day("2023-03-31");
  m.met = 0;
  m.total = 1;
  const std::string list = caseListJson("pa-iphone", day("2023-03-20"), {c}, {m});
  EXPECT_EQ(list.find("\"steps\""), std::string::npos);  // a list carries no steps
  EXPECT_NE(list.find("\"milestones\":[{\"name\":\"handover\",\"due\":\"2023-03-31\""),
            std::string::npos);
  const std::string text = caseListText(day("2023-03-20"), {c}, {m});
  EXPECT_NE(text.find("1 case(s) as of 2023-03-20\n  handover due 2023-03-31: 0 of 1 met\n"),
            std::string::npos)
      << text;
  const campaign::CaseStep step = c.steps.front();
  EXPECT_EQ(caseStepText(step), "recorded: case pa-iphone/D-1 notified on 2023-03-07\n");
  EXPECT_EQ(caseStepJson(step),
            "{\"case\":\"pa-iphone/D-1\",\"stage\":\"notified\",\"on\":\"2023-03-07\","
            "\"event\":3}\n");
}

TEST(CampaignReportTest, DispositionsAndReplacements) {
  inventory::Device d;
  d.device_id = "D-1";
  d.holder = "P-1";
  d.model = "INOI R7";
  d.state = platform::DeviceState::kDestroyed;
  DispositionView view{&d, campaign::Disposition::kDestroyed, day("2023-03-14"), "P-9", "", "", "",
                       7};
  EXPECT_EQ(dispositionText(view), "recorded: D-1 destroyed on 2023-03-14 by P-9\n");
  EXPECT_EQ(dispositionJson(view).find("evidence"), std::string::npos);
  view.evidence_name = "cert.txt";
  view.evidence_sha256 = "ab";
  EXPECT_EQ(dispositionText(view),
            "recorded: D-1 destroyed on 2023-03-14 by P-9; evidence cert.txt (sha256 ab)\n");
  EXPECT_NE(dispositionJson(view).find("\"evidence_sha256\":\"ab\""), std::string::npos);
  d.platform = platform::Platform::kAurora;
  d.channel = platform::Channel::kOfficial;
  EXPECT_EQ(replacementText(d, day("2023-03-15")),
            "recorded: replacement D-1 (INOI R7, aurora, official) for P-1 on 2023-03-15\n");
  EXPECT_NE(replacementJson(d, day("2023-03-15"), 9).find("\"event\":9}"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::report
