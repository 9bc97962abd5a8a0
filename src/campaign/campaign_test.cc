#include <gtest/gtest.h>

#include <algorithm>

#include "campaign/history.h"
#include "campaign/progress.h"
#include "campaign/record.h"
#include "campaign/waiver.h"
#include "inventory/sample_org.h"

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::Person;
using platform::Platform;

Date day(const char* s) { return *Date::parse(s); }

policy::Directive directive() {
  auto d = policy::parseDirective(R"(id: t
title: T
issued: 2023-03-06
issuer: I
reason: R
scope: {units: ["pa/**"], roles: [official]}
ban:
  - platform: ios
allow: {platforms: [android, aurora]}
replacement: {channels: [official]}
waivers: {approver_role: security-officer, max_days: 30, unit_wide: false}
milestones:
  - {name: handover, due: 2023-03-31, requires: banned_devices_surrendered}
  - {name: replace, due: 2023-04-01, requires: allowed_replacement_held}
)",
                                  "t.yaml");
  EXPECT_TRUE(d.isOk()) << d.status().toString();
  return *d;
}

Person person(const char* id, const char* unit, std::vector<std::string> roles = {"official"}) {
  Person p;
  p.person_id = id;
  p.unit = unit;
  p.roles = std::move(roles);
  return p;
}

Device device(const char* id, const char* holder, Platform pl) {
  Device d;
  d.device_id = id;
  d.holder = holder;
  d.platform = pl;
  d.kind = platform::Kind::kPhone;
  d.model = "M";
  return d;
}

TEST(DeviceClassifierTest, RemembersWhatTheRulesSayOfEveryDeviceShape) {
  // Rules on every field they read, some of which a device may leave unknown (a "maybe").
  auto d = policy::parseDirective(R"(id: c
title: C
issued: 2023-03-06
scope: {units: ["pa/**"]}
ban:
  - platform: ios
  - {vendor: huawei, kind: phone}
  - {model: "Galaxy S2*", kind: tablet}
allow: {platforms: [android, aurora]}
milestones:
  - {name: replace, due: 2023-04-01, requires: allowed_replacement_held}
)",
                                  "c.yaml");
  ASSERT_TRUE(d.isOk()) << d.status().toString();
  const policy::DeviceJudge judge(*d, day("2023-03-20"));
  DeviceClassifier classes(*d, judge);
  inventory::SampleOrgOptions options;
  options.people = 3000;
  std::vector<Device> devices = inventory::generateSampleOrg(options).devices;
  Device unknown;  // nothing known: every rule may match
  devices.push_back(unknown);
  Device vendorless = device("D-X", "P-1", Platform::kAndroid);
  devices.push_back(vendorless);
  std::size_t banned = 0, replacements = 0;
  for (Device dev : devices) {
    const DeviceClass& c = classes.classify(dev);
    dev.state = platform::DeviceState::kActive;  // classes are of the device read as active
    const auto direct = judge.decide(dev);
    EXPECT_EQ(c.decision.status, direct.status) << dev.device_id;
    EXPECT_EQ(c.decision.rule, direct.rule) << dev.device_id;
    const bool matched = std::any_of(d->ban.begin(), d->ban.end(), [&](const auto& rule) {
      return policy::matchRule(rule, dev) == policy::RuleMatch::kYes;
    });
    EXPECT_EQ(c.banned, matched) << dev.device_id;
    EXPECT_EQ(c.replacement, isAllowedReplacement(*d, dev)) << dev.device_id;
    banned += c.banned;
    replacements += c.replacement;
  }
  // The sample holds both kinds, so the comparison above saw each answer.
  EXPECT_GT(banned, 0u);
  EXPECT_GT(replacements, 0u);
}

TEST(WaiverTest, ValidationNamesEveryProblem) {
  const auto d = directive();
  std::vector<Person> people = {person("P-1", "pa"), person("P-9", "pa/it", {"security-officer"})};
  Waiver w;
  w.directive_id = "t";
  w.device_id = "D-1";
  w.approver = "P-9";
  w.reason = "r";
  w.from = day("2023-03-01");
  w.until = day("2023-03-30");
  EXPECT_TRUE(validateWaiver(w, d, people).isOk());
  w.until = day("2023-03-31");  // 31 days inclusive
  EXPECT_NE(validateWaiver(w, d, people).message().find("at most 30"), std::string::npos);
  w.until = day("2023-03-30");
  w.approver = "P-1";
  EXPECT_NE(validateWaiver(w, d, people).message().find("security-officer"), std::string::npos);
  w.approver = "P-9";
  w.device_id.clear();
  w.unit = "pa/**";
  EXPECT_NE(validateWaiver(w, d, people).message().find("whole-unit"), std::string::npos);
  w.person_id = "P-1";
  EXPECT_NE(validateWaiver(w, d, people).message().find("exactly one"), std::string::npos);
}

TEST(WaiverTest, ARequestIsJudgedByItsTermAndDecidedByTheApproverRole) {
  const auto d = directive();
  RequestedWaiver r;
  r.directive_id = "t";
  r.device_id = "D-1";
  r.requested_by = "P-1";
  r.reason = "on mission";
  r.from = day("2023-03-01");
  r.until = day("2023-03-30");
  EXPECT_TRUE(validateWaiverRequest(r, d).isOk());
  r.until = day("2023-03-31");
  EXPECT_EQ(validateWaiverRequest(r, d).field(), "until");
  r.until = day("2023-03-30");
  r.reason = " ";
  EXPECT_EQ(validateWaiverRequest(r, d).field(), "reason");
  r.reason = "on mission";
  EXPECT_TRUE(checkApprover(person("P-9", "pa/it", {"security-officer"}), d).isOk());
  EXPECT_EQ(checkApprover(person("P-1", "pa"), d).code(), StatusCode::kPermissionDenied);
  const Waiver w = waiverFromRequest(r, "P-9");
  EXPECT_EQ(w.target(), "device D-1");
  EXPECT_EQ(w.approver, "P-9");
  EXPECT_EQ(w.from, r.from);
  EXPECT_EQ(w.until, r.until);
  EXPECT_EQ(w.reason, "on mission");
  EXPECT_EQ(parseWaiverRequestState("refused"), WaiverRequestState::kRefused);
  EXPECT_FALSE(parseWaiverRequestState("maybe").has_value());
}

TEST(WaiverTest, ActiveWindowIsInclusiveAndRevocable) {
  Waiver w;
  w.from = day("2023-03-10");
  w.until = day("2023-03-20");
  EXPECT_FALSE(w.activeOn(day("2023-03-09")));
  EXPECT_TRUE(w.activeOn(day("2023-03-10")));
  EXPECT_TRUE(w.activeOn(day("2023-03-20")));
  EXPECT_FALSE(w.activeOn(day("2023-03-21")));
  w.revoked_from = day("2023-03-15");
  EXPECT_TRUE(w.activeOn(day("2023-03-14")));
  EXPECT_FALSE(w.activeOn(day("2023-03-15")));
}

TEST(WaiverTest, StateOnADay) {
  Waiver w;
  w.from = day("2023-03-10");
  w.until = day("2023-03-20");
  EXPECT_EQ(waiverState(w, day("2023-03-09")), WaiverState::kUpcoming);
  EXPECT_EQ(waiverState(w, day("2023-03-10")), WaiverState::kActive);
  EXPECT_EQ(waiverState(w, day("2023-03-20")), WaiverState::kActive);
  EXPECT_EQ(waiverState(w, day("2023-03-21")), WaiverState::kExpired);
  // A revocation wins from its day on, even over "upcoming" and "expired".
  w.revoked_from = day("2023-03-05");
  EXPECT_EQ(waiverState(w, day("2023-03-04")), WaiverState::kUpcoming);
  EXPECT_EQ(waiverState(w, day("2023-03-05")), WaiverState::kRevoked);
  EXPECT_EQ(waiverState(w, day("2023-03-25")), WaiverState::kRevoked);
  EXPECT_EQ(name(WaiverState::kActive), "active");
  EXPECT_EQ(name(WaiverState::kRevoked), "revoked");
  EXPECT_EQ(name(WaiverState::kUpcoming), "upcoming");
  EXPECT_EQ(name(WaiverState::kExpired), "expired");
}

TEST(WaiverTest, MessagesNameNoCommandLineFlags) {
  const auto d = directive();
  std::vector<Person> people = {person("P-9", "pa/it", {"security-officer"})};
  Waiver w;
  w.device_id = "D-1";
  w.person_id = "P-1";
  w.approver = "P-9";
  w.reason = "r";
  w.from = day("2023-03-20");
  w.until = day("2023-03-10");
  const std::string message = validateWaiver(w, d, people).message();
  EXPECT_NE(message.find("before"), std::string::npos);
  EXPECT_EQ(message.find("--"), std::string::npos) << message;
}

TEST(RecordTest, DispositionOnlyOfActiveDevices) {
  Device d = device("D-1", "P-1", Platform::kIos);
  auto next = dispose(d, Disposition::kDestroyed, "", day("2023-03-15"));
  ASSERT_TRUE(next.isOk());
  EXPECT_EQ(next->state, platform::DeviceState::kDestroyed);
  EXPECT_EQ(dispose(*next, Disposition::kReturned, "", day("2023-03-16")).status().code(),
            StatusCode::kFailedPrecondition);
  const Status no_recipient =
      dispose(d, Disposition::kTransferred, " ", day("2023-03-15")).status();
  EXPECT_EQ(no_recipient.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_recipient.field(), "to");
  EXPECT_EQ(parseDisposition("Transferred"), Disposition::kTransferred);
  EXPECT_FALSE(parseDisposition("sold").has_value());
}

TEST(RecordTest, ReplacementChecks) {
  const auto d = directive();
  Device r = device("R-1", "P-1", Platform::kAurora);
  r.channel = platform::Channel::kOfficial;
  EXPECT_TRUE(checkReplacement(d, r).isOk());
  r.channel = platform::Channel::kParallelImport;
  EXPECT_NE(checkReplacement(d, r).message().find("parallel-import"), std::string::npos);
  r.channel = platform::Channel::kOfficial;
  r.platform = Platform::kIos;
  EXPECT_NE(checkReplacement(d, r).message().find("allow list"), std::string::npos);
  r.platform = Platform::kUnknown;
  EXPECT_FALSE(checkReplacement(d, r).isOk());
}

History history() {
  History h;
  h.directive_versions.push_back({day("2023-03-06").days(), 1, directive()});
  h.people = {{-1'000'000, 1, person("P-1", "pa/press")},
              {day("2023-03-12").days(), 5, person("P-1", "gov/other")},
              {-1'000'000, 1, person("P-2", "pa/legal")}};
  Device destroyed = device("D-2", "P-2", Platform::kIos);
  destroyed.state = platform::DeviceState::kDestroyed;
  Device replacement = device("R-1", "P-2", Platform::kAndroid);
  h.devices = {{-1'000'000, 2, device("D-1", "P-1", Platform::kIos)},
               {-1'000'000, 2, device("D-2", "P-2", Platform::kIos)},
               {day("2023-03-15").days(), 6, destroyed},
               {-1'000'000, 2, device("D-3", "P-2", Platform::kAndroid)},
               // An iPhone bought on 20 March: its case opens that day.
               {day("2023-03-20").days(), 7, device("D-4", "P-2", Platform::kIos)},
               {day("2023-03-16").days(), 8, replacement}};
  std::sort(h.devices.begin(), h.devices.end(), [](const auto& a, const auto& b) {
    return std::tie(a.record.device_id, a.valid_from, a.seq) <
           std::tie(b.record.device_id, b.valid_from, b.seq);
  });
  return h;
}

TEST(CasesTest, FirstFailingAndStagesFromHistory) {
  const History h = history();
  auto cases = casesOn(h, day("2023-03-21"));
  ASSERT_EQ(cases.size(), 3u);
  // D-1: failing from the directive's start; its holder left scope on 12 March.
  EXPECT_EQ(cases[0].device_id, "D-1");
  EXPECT_EQ(cases[0].first_failing_at, day("2023-03-06"));
  EXPECT_EQ(cases[0].verdict, policy::VerdictStatus::kCompliant);
  // D-2: surrendered on 15 March; P-2 holds an allowed replacement.
  EXPECT_EQ(cases[1].device_id, "D-2");
  EXPECT_TRUE(cases[1].surrendered);
  EXPECT_TRUE(cases[1].replacement_held);
  EXPECT_EQ(cases[1].stage, CaseStage::kSurrendered);
  EXPECT_EQ(cases[1].stage_since, day("2023-03-15"));
  // D-4: opened the day it appeared.
  EXPECT_EQ(cases[2].device_id, "D-4");
  EXPECT_EQ(cases[2].first_failing_at, day("2023-03-20"));
  EXPECT_EQ(cases[2].verdict, policy::VerdictStatus::kPending);
  EXPECT_EQ(casesOn(h, day("2023-03-19")).size(), 2u);
  EXPECT_TRUE(casesOn(h, day("2023-03-05")).empty());  // directive not yet in force
}

TEST(ProgressTest, MilestoneChecksOnOneDay) {
  const History h = history();
  auto snap = snapshotOn(h, day("2023-03-21"));
  ASSERT_TRUE(snap);
  auto checks =
      milestoneChecks(snap->directive->directive, snap->people, snap->devices, snap->evaluation);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].total, 2u);  // D-2 (destroyed) and D-4 (active); D-1's holder left scope
  EXPECT_EQ(checks[0].met, 1u);
  EXPECT_EQ(checks[1].total, 1u);  // P-2
  EXPECT_EQ(checks[1].met, 1u);
  EXPECT_EQ(checks[1].days_left, 11);
}

TEST(ProgressTest, WaiversMakeVerdictsExempt) {
  History h = history();
  Waiver w;
  w.waiver_id = "W-1";
  w.directive_id = "t";
  w.device_id = "D-4";
  w.approver = "P-9";
  w.from = day("2023-03-20");
  w.until = day("2023-03-25");
  h.waivers.push_back(w);
  auto on = [&](const char* d) {
    auto snap = snapshotOn(h, day(d));
    for (const auto& v : snap->evaluation.verdicts) {
      if (v.device->device_id == "D-4") return v.status;
    }
    return policy::VerdictStatus::kCompliant;
  };
  EXPECT_EQ(on("2023-03-22"), policy::VerdictStatus::kExempt);
  EXPECT_EQ(on("2023-03-26"), policy::VerdictStatus::kPending);
  EXPECT_EQ(on("2023-04-02"), policy::VerdictStatus::kOverdue);
}

}  // namespace
}  // namespace phaseout::campaign
