#include "service/detect_json.h"

#include <gtest/gtest.h>

#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::builtinSignatures;
using testing::day;

// Recorded by "tester" at 01:00 UTC on 2023-05-02, effective on `on` (else that day).
Recording recording(std::optional<Date> on = std::nullopt) {
  return testing::recordingAt("2023-05-02", on);
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
  auto parsed = parseDetectJson(kDetectJson, "d.json", *builtinSignatures(), recording());
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
  auto replay = parseDetectJson(kDetectJson, "d.json", *builtinSignatures(), recording(day("2023-04-20")));
  ASSERT_TRUE(replay.isOk());
  EXPECT_EQ((*replay)[0].seen_on, day("2023-04-20"));
}

TEST(ParseDetectJson, MalformedInputNamesFileDeviceAndField) {
  auto bad = [](const char* text) {
    auto r = parseDetectJson(text, "d.json", *builtinSignatures(), recording());
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

// What detect writes, sightings import reads back: the same evidence lines, the
// observed-only mark included.
TEST(DetectJson, WhatIsWrittenReadsBack) {
  const auto set = builtinSignatures();
  const auto observed = set->findSignature("ja4.apple-cfnetwork");
  const auto sourced = set->findSignature("ua.iphone.browser");
  ASSERT_TRUE(observed && sourced);
  ASSERT_TRUE(set->signature(*observed).observed_only);
  ASSERT_FALSE(set->signature(*sourced).observed_only);
  DetectReport report;
  report.sources = {"office.pcap"};
  detect::DeviceVerdict v;
  v.key = "mac:aa:bb:cc:00:00:01";
  v.macs = {"aa:bb:cc:00:00:01"};
  v.verdict.best = platform::Platform::kIos;
  v.verdict.level = detect::Level::kLikely;
  v.verdict.confidence = 0.95;
  v.verdict.posterior.assign(detect::kPlatformCount, 0.0);
  v.verdict.posterior[detect::platformIndex(platform::Platform::kIos)] = 0.95;
  v.kind = platform::Kind::kPhone;
  v.last_seen_ns = v.first_seen_ns = day("2023-04-05").epochMs() * 1'000'000;
  detect::EvidenceItem ua;
  ua.signature = *sourced;
  ua.signal = detect::SignalKind::kUserAgent;
  ua.value = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X)";
  ua.where = {0, 12, 0, 0};
  ua.count = 3;
  ua.weight = 2.0f;
  ua.counted = true;
  detect::EvidenceItem ja4 = ua;
  ja4.signature = *observed;
  ja4.signal = set->signature(*observed).signal;
  ja4.value = "t13d2613h2_2802a3db6c62_845d286b0d67";
  ja4.weight = 0.8f;
  ja4.count = 1;
  v.evidence = {ua, ja4};
  report.devices = {v};
  DetectSetup setup;
  setup.signatures = set;
  std::string out;
  writeDetectJson(report, setup, out);
  EXPECT_NE(out.find("\"observed_only\":true"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"observed_only\""), out.rfind("\"observed_only\"")) << "only once";
  auto parsed = parseDetectJson(out, "d.json", *set, recording());
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  ASSERT_EQ(parsed->size(), 1u);
  const campaign::Sighting& s = (*parsed)[0];
  EXPECT_EQ(s.key, v.key);
  EXPECT_EQ(s.platform, platform::Platform::kIos);
  EXPECT_EQ(s.level, campaign::SightingLevel::kLikely);
  EXPECT_EQ(s.seen_on, day("2023-04-05"));
  ASSERT_EQ(s.evidence.size(), 2u);
  EXPECT_EQ(s.evidence[0],
            "+2.00 user_agent \"Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X)\" "
            "[ua.iphone.browser, ua_browser] office.pcap#12 x3");
  EXPECT_NE(s.evidence[1].find("[ja4.apple-cfnetwork, tls_stack, observed only]"),
            std::string::npos)
      << s.evidence[1];
}

}  // namespace
}  // namespace phaseout::service
