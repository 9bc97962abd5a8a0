#include "service/sightings.h"

#include <gtest/gtest.h>

namespace phaseout::service {
namespace {

Date day(const char* text) { return *Date::parse(text); }

std::shared_ptr<const detect::SignatureSet> signatures() {
  static auto set = detect::SignatureSet::loadBuiltin();
  EXPECT_TRUE(set.isOk()) << set.status().toString();
  return *set;
}

Recording recording(std::optional<Date> on = std::nullopt) {
  Recording r;
  r.on = on;
  r.actor = "tester";
  r.now_ms = day("2023-05-02").epochMs() + 3'600'000;
  return r;
}

constexpr const char* kDetectJson = R"js({"devices": [
  {"key": "mac:aa:bb:cc:00:00:01", "macs": ["AA:BB:CC:00:00:01"], "ips": ["10.0.0.7"],
   "hostnames": ["iPhone-Ivan"], "platform": "ios", "kind": "phone", "vendor": "apple",
   "confidence": 0.9991, "level": "confirmed", "candidates": [],
   "last_seen": "2023-04-05T23:30:00-02:00",
   "evidence": [{"signal": "user_agent", "value": "Mozilla/5.0 (iPhone)", "signature":
     "ua.iphone", "weight": 2.1, "group": "ua", "counted": true, "count": 3,
     "file": "office.pcap", "frame": 12}],
   "services": [
     {"service": "mail.pa.example/owa/", "user": "ivan.petrov", "user_agent":
      "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
      "count": 2, "file": "access.log", "line": 7},
     {"service": "mail.pa.example", "user_agent":
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36"}]},
  {"key": "ip:10.0.0.9", "platform": "unknown", "level": "unknown", "confidence": 0.4}
], "stats": {}})js";

TEST(ParseDetectJson, ReadsDevicesEvidenceServicesAndTimes) {
  auto parsed = parseDetectJson(kDetectJson, "d.json", *signatures(), recording());
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  ASSERT_EQ(parsed->size(), 2u);
  const campaign::Sighting& s = (*parsed)[0];
  EXPECT_EQ(s.macs, std::vector<std::string>{"aa:bb:cc:00:00:01"});
  EXPECT_EQ(s.platform, platform::Platform::kIos);
  EXPECT_EQ(s.level, campaign::SightingLevel::kConfirmed);
  // 23:30 at -02:00 is 01:30 UTC the next day.
  EXPECT_EQ(s.seen_on, day("2023-04-06"));
  EXPECT_EQ(s.sources, (std::vector<std::string>{"office.pcap", "access.log"}));
  ASSERT_EQ(s.evidence.size(), 1u);
  EXPECT_EQ(s.evidence[0],
            "+2.10 user_agent \"Mozilla/5.0 (iPhone)\" [ua.iphone, ua] office.pcap#12 x3");
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_EQ(s.services[0].ua_kind, platform::Kind::kPhone);
  EXPECT_EQ(s.services[0].ua_platform, platform::Platform::kAndroid);
  EXPECT_EQ(s.services[0].where, "access.log:7");
  EXPECT_NE(s.services[1].ua_kind, platform::Kind::kPhone);
  EXPECT_EQ(s.users, std::vector<std::string>{"ivan.petrov"});
  // No time: judged on the recording's day.
  EXPECT_EQ((*parsed)[1].seen_on, day("2023-05-02"));
  // --on overrides the times.
  auto replay = parseDetectJson(kDetectJson, "d.json", *signatures(), recording(day("2023-04-20")));
  ASSERT_TRUE(replay.isOk());
  EXPECT_EQ((*replay)[0].seen_on, day("2023-04-20"));
}

TEST(ParseDetectJson, MalformedInputNamesFileDeviceAndField) {
  auto bad = [](const char* text) {
    auto r = parseDetectJson(text, "d.json", *signatures(), recording());
    EXPECT_FALSE(r.isOk());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    return r.status().message();
  };
  EXPECT_NE(bad("{\"devices\": [").find("d.json: not valid JSON"), std::string::npos);
  EXPECT_NE(bad("[]").find("\"devices\" list"), std::string::npos);
  EXPECT_NE(bad(R"({"devices": [{"key": "k", "platform": "ios", "level": "sure"}]})")
                .find("d.json: devices[1].level: expected confirmed, likely or unknown"),
            std::string::npos);
  EXPECT_NE(bad(R"({"devices": [{"key": "k", "platform": "ios", "level": "likely"},
                                {"key": "k2", "platform": "iphone", "level": "likely"}]})")
                .find("devices[2].platform"),
            std::string::npos);
  EXPECT_NE(bad(R"({"devices": [{"platform": "ios", "level": "likely"}]})").find("devices[1].key"),
            std::string::npos);
  EXPECT_NE(bad(R"({"devices": [{"key": "k", "platform": "ios", "level": "likely",
                                 "last_seen": "yesterday"}]})")
                .find("devices[1].last_seen"),
            std::string::npos);
  EXPECT_NE(bad(R"({"devices": [{"key": "k", "platform": "ios", "level": "likely",
                                 "services": [{"user": "x"}]}]})")
                .find("devices[1].services[1].service"),
            std::string::npos);
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
      toSighting(v, {"office.pcap", "access.log"}, *signatures(), day("2023-05-01"), false);
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
  EXPECT_EQ(toSighting(v, {}, *signatures(), day("2023-05-01"), true).platform,
            platform::Platform::kUnknown);
  EXPECT_EQ(toSighting(v, {}, *signatures(), day("2023-05-01"), true).seen_on, day("2023-05-01"));
}

}  // namespace
}  // namespace phaseout::service
