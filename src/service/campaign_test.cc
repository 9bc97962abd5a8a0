// The campaign use cases through the authorisation seam: what a narrower Caller sees and may
// change, and the rules that live in service (default directive, open-ended waivers, today).
#include "service/campaign.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "service/audit.h"
#include "service/burndown.h"
#include "service/directive.h"
#include "service/import.h"
#include "service/status.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNowMs = 1'679'043'900'000;  // 2023-03-17 09:05:00 UTC

using testing::day;

constexpr const char* kDirective =
    "id: pa-iphone\ntitle: Officials give up iPhones\nissued: 2023-03-01\n"
    "reason: Information security\nscope: {units: [\"pa/**\"], roles: [official]}\n"
    "ban:\n  - platform: ios\nallow: {platforms: [android]}\n"
    "waivers: {approver_role: security-officer, max_days: 30, unit_wide: false}\n"
    "milestones:\n  - {name: handover, due: 2023-03-31, requires: banned_devices_surrendered}\n";

// The press desk's officer: sees pa/press and below, may record there, administers nothing.
Caller pressOfficer() {
  Caller c;
  c.actor = "P-8";
  c.person_id = "P-8";
  c.scope.unit_subtrees = {"pa/press"};
  c.scope.may_act = true;
  return c;
}

// Sees pa/press but may change nothing.
Caller pressReader() {
  Caller c = pressOfficer();
  c.scope.may_act = false;
  return c;
}

class CampaignServiceTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    importSmallOrg(recording());
    if (HasFatalFailure()) return;
    auto added = addDirectiveText(local_, *ws_, kDirective, "d.yaml", recording());
    ASSERT_TRUE(added.isOk()) << added.status().message();
  }
  static Recording recording(const char* on = nullptr) {
    Recording r;
    r.now_ms = kNowMs;
    if (on) r.on = day(on);
    return r;
  }

  Caller local_ = Caller::localOperator("test");
};

TEST_F(CampaignServiceTest, StatusShowsACallerOnlyItsUnits) {
  StatusRequest request;
  request.at = day("2023-03-20");
  auto all = statusReport(local_, *ws_, request);
  ASSERT_TRUE(all.isOk()) << all.status().message();
  EXPECT_EQ(all->status.evaluation.verdicts.size(), 2u);
  EXPECT_TRUE(all->network.has_value());
  auto press = statusReport(pressOfficer(), *ws_, request);
  ASSERT_TRUE(press.isOk()) << press.status().message();
  ASSERT_EQ(press->status.evaluation.verdicts.size(), 1u);
  EXPECT_EQ(press->status.evaluation.verdicts[0].device->device_id, "D-1");
  EXPECT_EQ(press->status.evaluation.devices_without_known_holder, 0u);
  ASSERT_TRUE(press->network.has_value());  // narrowed to what the caller sees
  EXPECT_EQ(press->network->findings(), 0u);
}

TEST_F(CampaignServiceTest, StatusDefaultsToTheDayOfNow) {
  StatusRequest request;
  request.now_ms = kNowMs;
  auto report = statusReport(local_, *ws_, request);
  ASSERT_TRUE(report.isOk()) << report.status().message();
  EXPECT_EQ(report->status.evaluation.as_of, day("2023-03-17"));
}

TEST_F(CampaignServiceTest, ReportDrawsTheBurndownAndRendersWithoutItOnTheFirstDay) {
  StatusRequest request;
  request.at = day("2023-03-20");
  request.with_burndown = true;
  auto report = statusReport(local_, *ws_, request);
  ASSERT_TRUE(report.isOk()) << report.status().message();
  ASSERT_TRUE(report->burndown.has_value());
  EXPECT_EQ(report->burndown->burndown.days.back().day, day("2023-03-20"));
}

TEST_F(CampaignServiceTest, CasesOutOfViewAreNotFound) {
  auto all = listCases(local_, *ws_, {"", day("2023-03-20"), 0, {}});
  ASSERT_TRUE(all.isOk()) << all.status().message();
  EXPECT_EQ(all->cases.size(), 2u);
  auto press = listCases(pressOfficer(), *ws_, {"", day("2023-03-20"), 0, {}});
  ASSERT_TRUE(press.isOk()) << press.status().message();
  ASSERT_EQ(press->cases.size(), 1u);
  EXPECT_EQ(press->cases[0].device_id, "D-1");
  ASSERT_EQ(press->milestones.size(), 1u);
  EXPECT_EQ(press->milestones[0].total, 1u);

  EXPECT_TRUE(showCase(local_, *ws_, {"", "pa-iphone/D-2", day("2023-03-20"), 0}).isOk());
  auto hidden = showCase(pressOfficer(), *ws_, {"", "pa-iphone/D-2", day("2023-03-20"), 0});
  EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound);
  auto missing = showCase(pressOfficer(), *ws_, {"", "pa-iphone/D-404", day("2023-03-20"), 0});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  // No existence leak: the same words for a case out of view and one that does not exist.
  EXPECT_EQ(hidden.status().message(),
            std::string(missing.status().message())
                .replace(missing.status().message().find("D-404"), 5, "D-2"));
}

TEST_F(CampaignServiceTest, CaseStepsAreCheckedAgainstTheCaller) {
  CaseStepRequest step{"", "D-1", campaign::CaseStage::kAcknowledged, "ok"};
  EXPECT_EQ(recordCaseStep(pressReader(), *ws_, step, recording("2023-03-20")).status().code(),
            StatusCode::kPermissionDenied);
  step.case_or_device = "D-2";
  EXPECT_EQ(recordCaseStep(pressOfficer(), *ws_, step, recording("2023-03-20")).status().code(),
            StatusCode::kNotFound);
  step.case_or_device = "D-1";
  auto done = recordCaseStep(pressOfficer(), *ws_, step, recording("2023-03-20"));
  ASSERT_TRUE(done.isOk()) << done.status().message();
  EXPECT_EQ(done->on, day("2023-03-20"));
  // Who recorded it is who asked: the step and its audit entry name the caller.
  EXPECT_EQ(done->actor, "P-8");
  std::string last;
  ASSERT_TRUE(exportAudit(local_, *ws_, [&](std::string_view line) {
                last = std::string(line);
                return Status::ok();
              }).isOk());
  EXPECT_NE(last.find("\"actor\":\"P-8\""), std::string::npos) << last;
}

TEST_F(CampaignServiceTest, DispositionsAreCheckedAgainstTheCaller) {
  DispositionRequest req{"D-2", campaign::Disposition::kReturned, "P-8", "", "", ""};
  auto out_of_view = recordDisposition(pressOfficer(), *ws_, req, recording("2023-03-20"));
  EXPECT_EQ(out_of_view.status().code(), StatusCode::kNotFound);
  req.device_id = "D-404";
  auto absent = recordDisposition(pressOfficer(), *ws_, req, recording("2023-03-20"));
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(absent.status().message(), "device D-404 not found");
  req.device_id = "D-1";
  auto read_only = recordDisposition(pressReader(), *ws_, req, recording("2023-03-20"));
  EXPECT_EQ(read_only.status().code(), StatusCode::kPermissionDenied);
  auto done = recordDisposition(pressOfficer(), *ws_, req, recording("2023-03-20"));
  ASSERT_TRUE(done.isOk()) << done.status().message();
  EXPECT_EQ(done->device.state, platform::DeviceState::kReturned);
}

TEST_F(CampaignServiceTest, FieldErrorsNameTheFieldNotAFlag) {
  DispositionRequest req{"D-1", campaign::Disposition::kReturned, "", "", "", ""};
  auto no_by = recordDisposition(local_, *ws_, req, recording("2023-03-20"));
  EXPECT_EQ(no_by.status().field(), "by");
  req.by = "P-404";
  EXPECT_EQ(recordDisposition(local_, *ws_, req, recording("2023-03-20")).status().field(), "by");
  req.by = "P-8";
  req.as = campaign::Disposition::kTransferred;
  auto no_to = recordDisposition(local_, *ws_, req, recording("2023-03-20"));
  EXPECT_EQ(no_to.status().field(), "to");
  auto cases = listCases(local_, *ws_, {"", day("2023-03-20"), 0, {"", "", "nope", false}});
  EXPECT_EQ(cases.status().field(), "milestone");
  cases = listCases(local_, *ws_, {"", day("2023-03-20"), 0, {"", "sold", "", false}});
  EXPECT_EQ(cases.status().field(), "status");
  for (const Status& s : {no_by.status(), no_to.status(), cases.status()}) {
    EXPECT_THAT(s.message(), Not(HasSubstr("--"))) << s.message();
  }
}

TEST_F(CampaignServiceTest, AWaiverIsNeverOpenEndedAndOnlyAnAdministratorGrantsIt) {
  WaiverRequest req{"", "D-2", "", "", "P-9", "on mission", day("2023-03-10"), std::nullopt};
  auto open_ended = grantWaiver(local_, *ws_, req, recording());
  ASSERT_FALSE(open_ended.isOk());
  EXPECT_EQ(open_ended.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(open_ended.status().field(), "until");
  req.until = day("2023-03-25");
  EXPECT_EQ(grantWaiver(pressOfficer(), *ws_, req, recording()).status().code(),
            StatusCode::kPermissionDenied);
  auto granted = grantWaiver(local_, *ws_, req, recording());
  ASSERT_TRUE(granted.isOk()) << granted.status().message();
  req.device_id = "D-404";
  EXPECT_EQ(grantWaiver(local_, *ws_, req, recording()).status().field(), "device");

  // The waiver of an it device is not the press desk's to see.
  auto all = listWaivers(local_, *ws_, {"", day("2023-03-20"), 0});
  ASSERT_TRUE(all.isOk()) << all.status().message();
  EXPECT_EQ(all->waivers.size(), 1u);
  auto press = listWaivers(pressOfficer(), *ws_, {"", day("2023-03-20"), 0});
  ASSERT_TRUE(press.isOk()) << press.status().message();
  EXPECT_TRUE(press->waivers.empty());

  EXPECT_EQ(revokeWaiver(pressOfficer(), *ws_, granted->waiver_id, recording()).status().code(),
            StatusCode::kPermissionDenied);
  auto revoked = revokeWaiver(local_, *ws_, granted->waiver_id, recording());
  ASSERT_TRUE(revoked.isOk()) << revoked.status().message();
  EXPECT_EQ(revoked->revoked_from, day("2023-03-17"));  // today, from now_ms
}

TEST_F(CampaignServiceTest, TheDefaultDirectiveIsTheOnlyOneStored) {
  auto one = resolveDirective(local_, *ws_, "");
  ASSERT_TRUE(one.isOk());
  EXPECT_EQ(*one, "pa-iphone");
  std::string other = kDirective;
  other.replace(other.find("pa-iphone"), 9, "pa-other");
  ASSERT_TRUE(addDirectiveText(local_, *ws_, other, "o.yaml", recording()).isOk());
  auto several = resolveDirective(local_, *ws_, "");
  ASSERT_FALSE(several.isOk());
  EXPECT_EQ(several.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(several.status().field(), "directive");
  EXPECT_THAT(several.status().message(), Not(HasSubstr("--")));
  EXPECT_EQ(resolveDirective(local_, *ws_, "pa-other").value(), "pa-other");
}

TEST_F(CampaignServiceTest, BurndownCountsWhatTheCallerSees) {
  BurndownRequest request;
  request.to = day("2023-03-20");
  request.now_ms = kNowMs;
  auto all = burndown(local_, *ws_, request);
  ASSERT_TRUE(all.isOk()) << all.status().message();
  EXPECT_EQ(all->burndown.days.back().inScope(), 2u);
  auto press = burndown(pressOfficer(), *ws_, request);
  ASSERT_TRUE(press.isOk()) << press.status().message();
  EXPECT_EQ(press->burndown.days.back().inScope(), 1u);

  request.from = day("2023-03-21");
  auto reversed = burndown(local_, *ws_, request);
  EXPECT_EQ(reversed.status().field(), "to");
  EXPECT_THAT(reversed.status().message(), Not(HasSubstr("--")));
}

TEST_F(CampaignServiceTest, AdministrationAndAuditNeedTheirRights) {
  EXPECT_EQ(
      addDirectiveText(pressOfficer(), *ws_, kDirective, "d.yaml", recording()).status().code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(verifyAudit(pressOfficer(), *ws_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(exportAudit(pressOfficer(), *ws_, [](std::string_view) { return Status::ok(); })
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  auto check = verifyAudit(local_, *ws_);
  ASSERT_TRUE(check.isOk()) << check.status().message();
  EXPECT_TRUE(check->ok());
  std::size_t lines = 0;
  auto exported = exportAudit(local_, *ws_, [&](std::string_view line) {
    EXPECT_EQ(line.back(), '\n');
    ++lines;
    return Status::ok();
  });
  ASSERT_TRUE(exported.isOk());
  EXPECT_EQ(*exported, lines);
  EXPECT_EQ(static_cast<std::int64_t>(lines), check->events);
  // Directives are the organisation's rules: every caller reads them.
  auto listed = listDirectives(pressReader(), *ws_);
  ASSERT_TRUE(listed.isOk());
  EXPECT_EQ(listed->size(), 1u);
}

}  // namespace
}  // namespace phaseout::service
