// Waiver requests through the authorisation seam: who may ask, who may decide, what a decision
// leaves behind (an active waiver, or a refusal with its reason), and that every change is one
// audit event the trail's verification covers.
#include "service/waiver_requests.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/audit.h"
#include "service/campaign.h"
#include "service/device_detail.h"
#include "service/directive.h"
#include "service/import.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::day;

constexpr std::int64_t kNowMs = 1'679'043'900'000;  // 2023-03-17 09:05:00 UTC

constexpr const char* kDirective =
    "id: pa-iphone\ntitle: Officials give up iPhones\nissued: 2023-03-01\n"
    "reason: Information security\nscope: {units: [\"pa/**\"], roles: [official]}\n"
    "ban:\n  - platform: ios\nallow: {platforms: [android]}\n"
    "waivers: {approver_role: security-officer, max_days: 30, unit_wide: false}\n"
    "milestones:\n  - {name: handover, due: 2023-03-31, requires: banned_devices_surrendered}\n";

Caller person(const std::string& id) {
  Caller c;
  c.actor = id;
  c.person_id = id;
  c.scope.own_person = id;
  return c;
}

// P-8 officer of pa/press.
Caller pressOfficer() {
  Caller c = person("P-8");
  c.scope.unit_subtrees = {"pa/press"};
  c.scope.may_act = true;
  return c;
}

// P-9 holds the directive's approver role and sees every unit.
Caller securityOfficer() {
  Caller c = person("P-9");
  c.scope.all_units = true;
  c.scope.may_act = true;
  c.scope.may_administer = true;
  c.scope.may_read_audit = true;
  return c;
}

class WaiverRequestTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    importSmallOrg(recording());
    if (HasFatalFailure()) return;
    auto added = addDirectiveText(local_, *ws_, kDirective, "d.yaml", recording());
    ASSERT_TRUE(added.isOk()) << added.status().message();
  }
  static Recording recording() { return Recording{std::nullopt, kNowMs}; }
  static WaiverAsk ask(const std::string& device) {
    return WaiverAsk{"", device, "on mission abroad", std::nullopt, day("2023-03-30")};
  }
  std::string verdictOf(const std::string& device) {
    auto detail = deviceDetail(local_, *ws_, {device, day("2023-03-20"), kNowMs});
    EXPECT_TRUE(detail.isOk()) << detail.status().message();
    return detail.isOk() ? std::string(policy::name(detail->verdicts.at(0).status)) : "";
  }

  Caller local_ = Caller::localOperator("test");
};

TEST_F(WaiverRequestTest, TheHolderOrAnOfficerOfTheUnitAsks) {
  // Out of view reads as absent; in view but neither holder nor officer is refused.
  EXPECT_EQ(requestWaiver(person("P-2"), *ws_, ask("D-1"), recording()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(requestWaiver(pressOfficer(), *ws_, ask("D-2"), recording()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(requestWaiver(pressOfficer(), *ws_, ask("D-404"), recording()).status().field(),
            "device");
  Caller reader = pressOfficer();
  reader.scope.may_act = false;
  EXPECT_EQ(requestWaiver(reader, *ws_, ask("D-1"), recording()).status().code(),
            StatusCode::kPermissionDenied);

  WaiverAsk too_long = ask("D-1");
  too_long.until = day("2023-06-30");
  EXPECT_EQ(requestWaiver(person("P-1"), *ws_, too_long, recording()).status().field(), "until");
  WaiverAsk no_reason = ask("D-1");
  no_reason.reason = " ";
  EXPECT_EQ(requestWaiver(person("P-1"), *ws_, no_reason, recording()).status().field(), "reason");

  auto mine = requestWaiver(person("P-1"), *ws_, ask("D-1"), recording());
  ASSERT_TRUE(mine.isOk()) << mine.status().message();
  EXPECT_EQ(mine->request_id, "WR-000001");
  EXPECT_EQ(mine->requested_by, "P-1");
  EXPECT_EQ(mine->state, campaign::WaiverRequestState::kPending);
  EXPECT_EQ(mine->from, day("2023-03-17"));
  // One pending request per device and directive.
  EXPECT_EQ(requestWaiver(pressOfficer(), *ws_, ask("D-1"), recording()).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(requestWaiver(securityOfficer(), *ws_, ask("D-2"), recording()).isOk());

  auto press = listWaiverRequests(pressOfficer(), *ws_, {"", "", kNowMs});
  ASSERT_TRUE(press.isOk()) << press.status().message();
  ASSERT_EQ(press->size(), 1u);
  EXPECT_EQ(press->front().device_id, "D-1");
  auto all = listWaiverRequests(local_, *ws_, {"", "pending", kNowMs});
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(listWaiverRequests(local_, *ws_, {"", "maybe", kNowMs}).status().field(), "state");
}

TEST_F(WaiverRequestTest, TheApproverRoleApprovesAndTheDeviceTurnsExempt) {
  auto asked = requestWaiver(person("P-1"), *ws_, ask("D-1"), recording());
  ASSERT_TRUE(asked.isOk()) << asked.status().message();
  EXPECT_EQ(verdictOf("D-1"), "pending");
  WaiverDecision approve{asked->request_id, true, "", ""};
  EXPECT_EQ(decideWaiverRequest(pressOfficer(), *ws_, approve, recording()).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(decideWaiverRequest(person("P-2"), *ws_, approve, recording()).status().code(),
            StatusCode::kNotFound);
  // The operator at the terminal names an approver who holds the role.
  EXPECT_EQ(decideWaiverRequest(local_, *ws_, approve, recording()).status().field(), "approver");
  approve.approver = "P-8";
  EXPECT_EQ(decideWaiverRequest(local_, *ws_, approve, recording()).status().field(), "approver");
  approve.approver = "";

  auto decided = decideWaiverRequest(securityOfficer(), *ws_, approve, recording());
  ASSERT_TRUE(decided.isOk()) << decided.status().message();
  EXPECT_EQ(decided->request.state, campaign::WaiverRequestState::kApproved);
  EXPECT_EQ(decided->request.decided_by, "P-9");
  ASSERT_TRUE(decided->waiver.has_value());
  EXPECT_EQ(decided->waiver->waiver_id, "W-000001");
  EXPECT_EQ(decided->request.waiver_id, "W-000001");
  EXPECT_EQ(verdictOf("D-1"), "exempt");
  auto waivers = listWaivers(local_, *ws_, {"", day("2023-03-20"), kNowMs});
  ASSERT_TRUE(waivers.isOk());
  ASSERT_EQ(waivers->waivers.size(), 1u);
  EXPECT_EQ(waivers->waivers[0].approver, "P-9");

  EXPECT_EQ(decideWaiverRequest(securityOfficer(), *ws_, approve, recording()).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(decideWaiverRequest(securityOfficer(), *ws_, {"WR-999999", true, "", ""}, recording())
                .status()
                .code(),
            StatusCode::kNotFound);

  auto check = verifyAudit(local_, *ws_);
  ASSERT_TRUE(check.isOk()) << check.status().message();
  EXPECT_TRUE(check->ok()) << check->problem;
}

TEST_F(WaiverRequestTest, ARefusalKeepsItsReasonAndGrantsNothing) {
  auto asked = requestWaiver(pressOfficer(), *ws_, ask("D-1"), recording());
  ASSERT_TRUE(asked.isOk()) << asked.status().message();
  WaiverDecision refuse{asked->request_id, false, "", ""};
  EXPECT_EQ(decideWaiverRequest(securityOfficer(), *ws_, refuse, recording()).status().field(),
            "reason");
  refuse.reason = "the replacement is already in stock";
  auto refused = decideWaiverRequest(securityOfficer(), *ws_, refuse, recording());
  ASSERT_TRUE(refused.isOk()) << refused.status().message();
  EXPECT_EQ(refused->request.state, campaign::WaiverRequestState::kRefused);
  EXPECT_FALSE(refused->waiver.has_value());
  EXPECT_EQ(verdictOf("D-1"), "pending");
  auto list = listWaiverRequests(pressOfficer(), *ws_, {"", "refused", kNowMs});
  ASSERT_TRUE(list.isOk());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().decision_reason, "the replacement is already in stock");
  EXPECT_NE(waiverRequestListJson(*list).find("\"state\": \"refused\""), std::string::npos);
  // Refused, the device may be asked for again.
  EXPECT_TRUE(requestWaiver(person("P-1"), *ws_, ask("D-1"), recording()).isOk());

  std::string kinds;
  ASSERT_TRUE(exportAudit(local_, *ws_, [&](std::string_view line) {
                const auto entry = nlohmann::json::parse(line);
                const std::string kind = entry.value("kind", "");
                if (kind.rfind("waiver.", 0) == 0) kinds += kind + " ";
                return Status::ok();
              }).isOk());
  EXPECT_EQ(kinds, "waiver.request waiver.refuse waiver.request ");
  auto check = verifyAudit(local_, *ws_);
  ASSERT_TRUE(check.isOk()) << check.status().message();
  EXPECT_TRUE(check->ok()) << check->problem;
}

TEST_F(WaiverRequestTest, NobodyDecidesARequestForADeviceTheyHold) {
  // The security officer holds the approver role, and this iPhone: another approver decides.
  write("more.csv",
        "device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,"
        "mac,hostname,state\n"
        "D-9,P-9,phone,Apple,iPhone 14,ios,16.4,corporate,official,,,,,active\n");
  importFile(ImportKind::kDevices, "more.csv", recording());
  auto asked = requestWaiver(securityOfficer(), *ws_, ask("D-9"), recording());
  ASSERT_TRUE(asked.isOk()) << asked.status().message();
  WaiverDecision approve{asked->request_id, true, "", ""};
  auto own = decideWaiverRequest(securityOfficer(), *ws_, approve, recording());
  EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(own.status().message().find("holds the device"), std::string::npos);
  approve.approver = "P-9";
  EXPECT_EQ(decideWaiverRequest(local_, *ws_, approve, recording()).status().field(), "approver");
  EXPECT_NE(verdictOf("D-9"), "exempt");
}

}  // namespace
}  // namespace phaseout::service
