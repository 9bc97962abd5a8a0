#include "report/sightings_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace phaseout::report {
namespace {

Date day(const char* s) { return *Date::parse(s); }

campaign::Sighting sighting() {
  campaign::Sighting s;
  s.id = "S3.1";
  s.key = "mac:aa:bb:cc:00:00:01";
  s.macs = {"aa:bb:cc:00:00:01"};
  s.users = {"ivan"};
  s.vendor = "apple";
  s.model = "iPhone 13";
  s.platform = platform::Platform::kIos;
  s.kind = platform::Kind::kPhone;
  s.level = campaign::SightingLevel::kConfirmed;
  s.confidence = 0.9995;
  s.seen_on = day("2023-05-01");
  s.sources = {"office.pcap"};
  campaign::ServiceUse use;
  use.service = "mail.pa.example";
  use.user = "ivan";
  use.ua_platform = platform::Platform::kIos;
  use.ua_kind = platform::Kind::kPhone;
  use.where = "office.pcap#12";
  use.count = 3;
  s.services = {use};
  return s;
}

TEST(SightingsReport, ListsSightingsAsTextAndJson) {
  EXPECT_EQ(sightingListText({sighting()}),
            "S3.1  2023-05-01  ios phone  confirmed 1.000  mac:aa:bb:cc:00:00:01  apple iPhone 13\n"
            "    macs: aa:bb:cc:00:00:01\n"
            "    users: ivan\n"
            "    service mail.pa.example by ivan (ios phone) at office.pcap#12\n"
            "    sources: office.pcap\n"
            "1 sighting(s)\n");
  EXPECT_EQ(sightingListText({}), "0 sighting(s)\n");
  const auto json = nlohmann::json::parse(sightingListJson({sighting()}));
  ASSERT_EQ(json["sightings"].size(), 1u);
  EXPECT_EQ(json["sightings"][0]["seen_on"], "2023-05-01");
  EXPECT_EQ(json["sightings"][0]["level"], "confirmed");
  EXPECT_EQ(json["sightings"][0]["services"][0]["count"], 3);
}

TEST(SightingsReport, ListsFindingsAsTextAndJson) {
  campaign::Finding f;
  f.kind = campaign::FindingKind::kUnknownPhone;
  f.sighting_id = "S3.2";
  f.sighting_key = "mac:de:ad:be:ef:00:01";
  f.seen_on = day("2023-05-01");
  f.reason = "a phone no inventory device matches";
  f.evidence = {"+2.00 mac \"de:ad:be:ef:00:01\" [oui]"};
  EXPECT_EQ(findingListText(day("2023-05-31"), {f}),
            "unknown-phone  -  2023-05-01  S3.2\n"
            "  a phone no inventory device matches\n"
            "    +2.00 mac \"de:ad:be:ef:00:01\" [oui]\n"
            "1 finding(s) as of 2023-05-31\n");
  const auto json = nlohmann::json::parse(findingListJson(day("2023-05-31"), {f}));
  EXPECT_EQ(json["as_of"], "2023-05-31");
  EXPECT_EQ(json["findings"][0]["kind"], "unknown-phone");
  EXPECT_EQ(json["findings"][0]["directive"], "");
}

TEST(SightingsReport, NamesTheImportedFiles) {
  EXPECT_EQ(sightingsImportedText({"a.json", "b.json"}, 4, 7),
            "a.json, b.json: 4 sighting(s) recorded (audit entry 7)\n");
  EXPECT_EQ(sightingsImportedJson({"a.json"}, 2, 5),
            "{\"file\":\"a.json\",\"sightings\":2,\"event_seq\":5}\n");
  EXPECT_EQ(sightingsImportedJson({"a.json", "b.json"}, 4, 7),
            "{\"files\":[\"a.json\",\"b.json\"],\"sightings\":4,\"event_seq\":7}\n");
}

}  // namespace
}  // namespace phaseout::report
