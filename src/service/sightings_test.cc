#include "service/import.h"
#include "service/sightings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "service/detect_json.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::builtinSignatures;
using testing::day;

// Recorded by "tester" at 01:00 UTC on 2023-05-02, effective on `on` (else that day).
Recording recording(std::optional<Date> on = std::nullopt) {
  return testing::recordingAt("2023-05-02", on);
}

TEST(ToSighting, ConvertsAVerdictWithTimesAndClassifiedServiceUses) {
  detect::DeviceVerdict v;
  v.key = "mac:aa:bb:cc:00:00:01";
  v.macs = {"aa:bb:cc:00:00:01"};
  v.verdict.best = platform::Platform::kIos;
  v.verdict.level = detect::Level::kLikely;
  v.verdict.confidence = 0.95;
  v.kind = platform::Kind::kPhone;
  v.first_seen_ns = day("2023-04-05").epochMs() * 1'000'000;
  v.last_seen_ns = v.first_seen_ns + 3'600'000'000'000;
  v.users = {"ivan.petrov"};
  detect::ServiceUse use;
  use.service = "mail.pa.example";
  use.user = "ivan.petrov";
  use.user_agent =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/16.3 Mobile/15E148 Safari/604.1";
  use.where = {1, 0, 40, 0};
  use.count = 5;
  v.services = {use};
  const auto s =
      toSighting(v, {"office.pcap", "access.log"}, *builtinSignatures(), day("2023-05-01"), false);
  EXPECT_EQ(s.platform, platform::Platform::kIos);
  EXPECT_EQ(s.level, campaign::SightingLevel::kLikely);
  EXPECT_EQ(s.seen_on, day("2023-04-05"));
  EXPECT_EQ(s.last_seen_ms, day("2023-04-05").epochMs() + 3'600'000);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].ua_kind, platform::Kind::kPhone);
  EXPECT_EQ(s.services[0].ua_platform, platform::Platform::kIos);
  EXPECT_EQ(s.services[0].where, "access.log:40");
  EXPECT_EQ(s.sources, std::vector<std::string>{"access.log"});
  // An unknown-level verdict reports no platform, whatever its best guess.
  v.verdict.level = detect::Level::kUnknown;
  EXPECT_EQ(toSighting(v, {}, *builtinSignatures(), day("2023-05-01"), true).platform,
            platform::Platform::kUnknown);
  EXPECT_EQ(toSighting(v, {}, *builtinSignatures(), day("2023-05-01"), true).seen_on, day("2023-05-01"));
}

// A workspace with two people in two units, each holding a phone, and three sightings: one of
// each phone and one of a phone no inventory device matches.
class ScopedSightingsTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    write("people.csv",
          "person_id,name,email,unit,role,status\n"
          "P-1,Ivan Petrov,ivan.petrov@pa.example,pa/press,official,active\n"
          "P-2,Olga Smirnova,olga.smirnova@pa.example,pa/domestic-policy,official,active\n");
    write(
        "devices.csv",
        "device_id,holder,kind,vendor,model,platform,os_version,ownership,channel,serial,imei,"
        "mac,hostname,state\n"
        "D-01,P-1,,,\"iPhone14,2\",,iOS 16.3.1,corporate,official,,,aa:bb:cc:00:00:01,,active\n"
        "D-03,P-2,,Samsung,SM-S918B,,Android 13,corporate,official,,,3c:28:6d:00:00:03,,active\n");
    importFile(ImportKind::kPeople, "people.csv", recording());
    if (HasFatalFailure()) return;
    importFile(ImportKind::kDevices, "devices.csv", recording());
    if (HasFatalFailure()) return;
    auto parsed = parseDetectJson(R"js({"devices": [
      {"key": "mac:aa:bb:cc:00:00:01", "macs": ["aa:bb:cc:00:00:01"], "platform": "ios",
       "kind": "phone", "level": "confirmed", "confidence": 0.999},
      {"key": "mac:3c:28:6d:00:00:03", "macs": ["3c:28:6d:00:00:03"], "platform": "android",
       "kind": "phone", "level": "confirmed", "confidence": 0.999},
      {"key": "mac:de:ad:be:ef:00:01", "macs": ["de:ad:be:ef:00:01"], "platform": "android",
       "kind": "phone", "level": "confirmed", "confidence": 0.999}]})js",
                                  "d.json", *builtinSignatures(), recording(day("2023-05-01")));
    ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
    sightings_ = *parsed;
  }
  static Caller domesticPolicyReader() {
    Caller c;
    c.actor = "p-2";
    c.person_id = "P-2";
    c.scope.unit_subtrees = {"pa/domestic-policy"};
    return c;
  }

  std::vector<campaign::Sighting> sightings_;
};

TEST_F(ScopedSightingsTest, StoringNeedsAnAdministrator) {
  auto refused = recordSightings(domesticPolicyReader(), *ws_, sightings_, {"d.json"}, recording());
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  SightingsImportRequest request;
  request.files = {(dir_ / "missing.json").string()};
  EXPECT_EQ(importSightings(domesticPolicyReader(), *ws_, request).status().code(),
            StatusCode::kPermissionDenied);
  auto all = listSightings(Caller::localOperator("t"), *ws_, {});
  ASSERT_TRUE(all.isOk());
  EXPECT_TRUE(all->empty());
}

TEST_F(ScopedSightingsTest, ReadsAreFilteredByTheCallersScope) {
  ASSERT_TRUE(recordSightings(Caller::localOperator("t"), *ws_, sightings_, {"d.json"}, recording())
                  .isOk());
  auto all = listSightings(Caller::localOperator("t"), *ws_, {});
  ASSERT_TRUE(all.isOk());
  EXPECT_EQ(all->size(), 3u);

  auto mine = listSightings(domesticPolicyReader(), *ws_, {});
  ASSERT_TRUE(mine.isOk());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].key, "mac:3c:28:6d:00:00:03");

  // A device out of view is answered as if it did not exist.
  SightingFilter other;
  other.device_id = "D-01";
  EXPECT_EQ(listSightings(domesticPolicyReader(), *ws_, other).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(listSightings(Caller::localOperator("t"), *ws_, other).isOk());

  // The unmatched phone's finding (no device, no person) is the organisation's.
  FindingQuery query;
  query.as_of = day("2023-05-31");
  auto every = findings(Caller::localOperator("t"), *ws_, query);
  ASSERT_TRUE(every.isOk());
  bool unknown_phone = false;
  for (const auto& f : every->findings) {
    unknown_phone |= f.kind == campaign::FindingKind::kUnknownPhone;
  }
  EXPECT_TRUE(unknown_phone);
  auto scoped = findings(domesticPolicyReader(), *ws_, query);
  ASSERT_TRUE(scoped.isOk());
  for (const auto& f : scoped->findings) {
    EXPECT_TRUE(f.device_id == "D-03" || f.person_id == "P-2") << f.reason;
  }
  EXPECT_LT(scoped->findings.size(), every->findings.size());
  query.kind = "lost-and-found";
  auto bad = findings(domesticPolicyReader(), *ws_, query);
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().field(), "kind");
}

TEST_F(ScopedSightingsTest, NetworkCountsAreNarrowedToTheCaller) {
  ASSERT_TRUE(recordSightings(Caller::localOperator("t"), *ws_, sightings_, {"d.json"}, recording())
                  .isOk());
  // Findings of no directive: the unmatched phone is an unknown phone, the organisation's.
  auto every = networkFindingCounts(Caller::localOperator("t"), *ws_, "", day("2023-05-31"));
  ASSERT_TRUE(every.isOk()) << every.status().toString();
  EXPECT_EQ(every->sightings, 3u);
  EXPECT_EQ(every->unknown_phone, 1u);
  auto mine = networkFindingCounts(domesticPolicyReader(), *ws_, "", day("2023-05-31"));
  ASSERT_TRUE(mine.isOk()) << mine.status().toString();
  EXPECT_EQ(mine->sightings, 1u);  // the phone of the person it sees
  EXPECT_EQ(mine->unknown_phone, 0u);
  EXPECT_LT(mine->total(), every->total());
}

TEST_F(ScopedSightingsTest, ImportIsAllOrNothingUnlessKeepGoing) {
  write("good.json", R"({"devices": [{"key": "mac:aa:bb:cc:00:00:01", "macs":
    ["aa:bb:cc:00:00:01"], "platform": "ios", "level": "likely", "confidence": 0.95}]})");
  SightingsImportRequest request;
  request.files = {(dir_ / "good.json").string(), (dir_ / "missing.json").string()};
  request.now_ms = recording().now_ms;
  auto refused = importSightings(Caller::localOperator("t"), *ws_, request);
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("missing.json"), std::string::npos);
  EXPECT_TRUE(listSightings(Caller::localOperator("t"), *ws_, {})->empty());

  request.keep_going = true;
  auto kept = importSightings(Caller::localOperator("t"), *ws_, request);
  ASSERT_TRUE(kept.isOk()) << kept.status().toString();
  EXPECT_EQ(kept->recorded.sightings, 1u);
  ASSERT_EQ(kept->skipped.size(), 1u);
  EXPECT_EQ(kept->skipped[0].path, (dir_ / "missing.json").string());
}

}  // namespace
}  // namespace phaseout::service
