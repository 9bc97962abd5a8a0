#include "service/ingest.h"

#include <gtest/gtest.h>

#include "service/audit.h"
#include "service/sensor_feed.h"
#include "service/sightings.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::builtinSignatures;

constexpr const char* kDetect =
    R"({"devices": [{"key": "mac:aa:bb:cc:dd:ee:01", "macs": ["aa:bb:cc:dd:ee:01"],
    "platform": "ios", "kind": "phone", "confidence": 0.995, "level": "confirmed",
    "evidence": []},
  {"key": "mac:aa:bb:cc:dd:ee:02", "platform": "android", "level": "likely",
    "confidence": 0.93, "evidence": []}], "stats": {}})";

constexpr std::int64_t kCreatedMs = 1'764'900'000'000;  // 2025-12-05

class IngestTest : public testing::WorkspaceTest {
 protected:
  Caller caller_ = Caller::localOperator("ingest:central");
};

TEST_F(IngestTest, StoresAMessageOnceAndItsRedeliveryWritesNothing) {
  const SightingsMessage m = sightingsMessage("hq", kDetect, std::nullopt, kCreatedMs);
  EXPECT_EQ(m.subject, "phaseout.sightings.hq");
  EXPECT_EQ(m.message_id.rfind("hq-", 0), 0U);
  EXPECT_EQ(m.message_id.size(), 3U + 32U);

  auto first =
      ingestMessage(caller_, *ws_, m.message_id, m.data, *builtinSignatures(), kCreatedMs + 5000);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->sightings, 2U);
  EXPECT_EQ(first->site, "hq");

  auto again =
      ingestMessage(caller_, *ws_, m.message_id, m.data, *builtinSignatures(), kCreatedMs + 9000);
  ASSERT_TRUE(again.isOk()) << again.status().toString();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->event_seq, first->event_seq);

  auto stored = listSightings(caller_, *ws_, {});
  ASSERT_TRUE(stored.isOk());
  ASSERT_EQ(stored->size(), 2U);
  // No time of its own: judged on the day the sensor made the batch.
  EXPECT_EQ((*stored)[0].seen_on, Date::fromEpochMs(kCreatedMs));
  auto check = verifyAudit(caller_, *ws_);
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok());
}

TEST_F(IngestTest, WithoutAHeaderTheIdIsDerivedAsTheSensorDerivesIt) {
  const SightingsMessage m = sightingsMessage("b2", kDetect, Date::parse("2025-11-30"), kCreatedMs);
  auto stored = ingestMessage(caller_, *ws_, "", m.data, *builtinSignatures(), kCreatedMs);
  ASSERT_TRUE(stored.isOk()) << stored.status().toString();
  EXPECT_EQ(stored->message_id, m.message_id);
  auto again = ingestMessage(caller_, *ws_, m.message_id, m.data, *builtinSignatures(), kCreatedMs);
  ASSERT_TRUE(again.isOk());
  EXPECT_TRUE(again->duplicate);
  auto listed = listSightings(caller_, *ws_, {});
  ASSERT_TRUE(listed.isOk());
  EXPECT_EQ((*listed)[0].seen_on, *Date::parse("2025-11-30"));  // "on" wins
}

TEST_F(IngestTest, AFetchIsStoredTogetherAndABadMessageIsRefusedAlone) {
  const SightingsMessage hq = sightingsMessage("hq", kDetect, std::nullopt, kCreatedMs);
  const SightingsMessage b2 = sightingsMessage("b2", kDetect, std::nullopt, kCreatedMs + 1);
  const std::vector<IncomingMessage> fetched = {{hq.message_id, hq.data},
                                                {"bad-1", "not json"},
                                                {b2.message_id, b2.data},
                                                {hq.message_id, hq.data}};  // sent twice
  auto results = ingestMessages(caller_, *ws_, fetched, *builtinSignatures(), kCreatedMs + 5000);
  ASSERT_TRUE(results.isOk()) << results.status().toString();
  ASSERT_EQ(results->size(), 4U);
  const auto& r = *results;
  ASSERT_TRUE(r[0].isOk() && r[2].isOk() && r[3].isOk());
  EXPECT_FALSE(r[0]->duplicate);
  EXPECT_EQ(r[0]->sightings, 2U);
  EXPECT_EQ(r[1].status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r[1].status().message().find("message bad-1"), std::string::npos);
  EXPECT_FALSE(r[2]->duplicate);
  EXPECT_EQ(r[2]->site, "b2");
  EXPECT_NE(r[2]->event_seq, r[0]->event_seq);  // one audit event per message
  EXPECT_TRUE(r[3]->duplicate);                 // found within the same transaction
  EXPECT_EQ(r[3]->event_seq, r[0]->event_seq);
  auto stored = listSightings(caller_, *ws_, {});
  ASSERT_TRUE(stored.isOk());
  EXPECT_EQ(stored->size(), 4U);
  // Nothing readable: nothing written, each refused.
  auto none = ingestMessages(caller_, *ws_, {{"bad-2", "[]"}}, *builtinSignatures(), kCreatedMs);
  ASSERT_TRUE(none.isOk());
  ASSERT_EQ(none->size(), 1U);
  EXPECT_EQ(none->front().status().code(), StatusCode::kInvalidArgument);
  auto check = verifyAudit(caller_, *ws_);
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok());
}

TEST_F(IngestTest, RefusesWhatIsNotASightingsMessageNamingIt) {
  auto refuse = [&](const std::string& data) {
    auto r = ingestMessage(caller_, *ws_, "x-1", data, *builtinSignatures(), kCreatedMs);
    EXPECT_FALSE(r.isOk());
    return r.isOk() ? std::string() : r.status().message();
  };
  EXPECT_NE(refuse("not json").find("message x-1: not a JSON object"), std::string::npos);
  EXPECT_NE(refuse(R"({"format": "other/1"})").find("format"), std::string::npos);
  EXPECT_NE(
      refuse(R"({"format": "phaseout-sightings/1", "site": "a.b", "created_ms": 1})").find("site"),
      std::string::npos);
  EXPECT_NE(refuse(R"({"format": "phaseout-sightings/1", "site": "a", "created_ms": 1,
                       "detect": {"devices": []}})")
                .find("no devices"),
            std::string::npos);
  auto listed = listSightings(caller_, *ws_, {});
  ASSERT_TRUE(listed.isOk());
  EXPECT_TRUE(listed->empty());
}

TEST(SensorFeed, RefusesABadFeedNamingTheField) {
  SensorFeed feed;
  feed.url = "nats://127.0.0.1:4222";
  feed.site = "hq";
  feed.queue_dir = "/tmp/q";
  EXPECT_TRUE(checkSensorFeed(feed).isOk());
  feed.site = "h.q";
  EXPECT_EQ(checkSensorFeed(feed).field(), "site");
  feed.site = "hq";
  feed.url = "http://x";
  EXPECT_EQ(checkSensorFeed(feed).field(), "url");
}

TEST(SensorFeed, QueuesWhenTheServerIsUnreachableAndKeepsTheOrder) {
  char tmpl[] = "/tmp/phaseout-feed-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  SensorFeed feed;
  feed.url = "nats://127.0.0.1:1";  // nothing listens there
  feed.site = "hq";
  feed.queue_dir = tmpl;
  feed.timeout_ms = 500;
  auto first = feedSightings(feed, kDetect, 2, std::nullopt, kCreatedMs);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_TRUE(first->batch_queued);
  EXPECT_EQ(first->sent, 0U);
  EXPECT_EQ(first->waiting, 1U);
  EXPECT_EQ(first->send_error.code(), StatusCode::kUnavailable);
  auto second = feedSightings(feed, kDetect, 2, std::nullopt, kCreatedMs + 1);
  ASSERT_TRUE(second.isOk());
  EXPECT_EQ(second->waiting, 2U);
  EXPECT_NE(second->message_id, first->message_id);
  // A bound smaller than what waits: the new batch is dropped, the older ones are kept.
  feed.queue_limit_bytes = second->waiting_bytes + 10;
  auto third = feedSightings(feed, kDetect, 2, std::nullopt, kCreatedMs + 2);
  ASSERT_TRUE(third.isOk());
  EXPECT_FALSE(third->batch_queued);
  EXPECT_EQ(third->batch_refused.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(third->waiting, 2U);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace phaseout::service
