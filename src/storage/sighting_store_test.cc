#include "storage/sighting_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "storage/sqlite_connection.h"

namespace phaseout::storage {
namespace {

using campaign::ServiceUse;
using campaign::Sighting;

Date day(const char* text) { return *Date::parse(text); }

class SightingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_sighting_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto conn = openSqlite((dir_ / "test.db").string());
    ASSERT_TRUE(conn.isOk()) << conn.status().toString();
    conn_ = std::move(conn).value();
    repo_ = std::make_unique<Repository>(*conn_);
    ASSERT_TRUE(repo_->migrate().isOk());
    store_ = std::make_unique<SightingStore>(*repo_);
  }
  void TearDown() override {
    store_.reset();
    repo_.reset();
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }

  static ChangeContext change() {
    ChangeContext c;
    c.effective = day("2023-04-05");
    c.effective_given = true;
    c.recorded_ms = 1'680'700'000'000;
    c.actor = "sensor";
    c.source = "office.pcap";
    return c;
  }

  static Sighting sighting(std::string key, const char* seen) {
    Sighting s;
    s.key = std::move(key);
    s.macs = {"aa:bb:cc:00:00:01"};
    s.ips = {"10.0.0.7", "fe80::1"};
    s.hostnames = {"iPhone-Ivan"};
    s.users = {"ivan.petrov"};
    s.vendor = "apple";
    s.platform = platform::Platform::kIos;
    s.kind = platform::Kind::kPhone;
    s.model = "iPhone14,2";
    s.level = campaign::SightingLevel::kConfirmed;
    s.confidence = 0.9987;
    s.first_seen_ms = 1'680'600'000'000;
    s.last_seen_ms = 1'680'650'000'000;
    s.seen_on = day(seen);
    s.sources = {"office.pcap", "access.log"};
    ServiceUse u;
    u.service = "mail.pa.example/owa/";
    u.user = "ivan.petrov";
    u.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X); \"quoted\"";
    u.ua_kind = platform::Kind::kPhone;
    u.ua_platform = platform::Platform::kIos;
    u.where = "access.log:12";
    u.count = 4;
    s.services = {u};
    s.evidence = {"+2.10 user_agent \"Mozilla/5.0 (iPhone...)\" [ua.iphone] office.pcap#3",
                  "+0.80 mac_oui \"aa:bb:cc\""};
    return s;
  }

  Result<RecordedBatch> record(const std::vector<Sighting>& batch) {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    if (!tx.isOk()) return tx.status();
    auto out = store_->recordSightings(batch, {"office.pcap"}, change());
    if (!out.isOk()) return out.status();
    PH_RETURN_IF_ERROR((*tx)->commit());
    return out;
  }

  // What verifyAudit does for sightings: each event's recorded rows_digest against the digest
  // recomputed from the stored rows. Returns the seqs whose digests differ.
  std::vector<std::int64_t> brokenSightingEvents() {
    std::int64_t max_seq = 0;
    EXPECT_TRUE(repo_->forEachEvent([&](const audit::Event& e) -> Status {
                       max_seq = e.seq;
                       return Status::ok();
                     }).isOk());
    RowDigests digests(max_seq);
    std::int64_t rows = 0;
    EXPECT_TRUE(addSightingDigests(*conn_, digests, rows).isOk());
    std::vector<std::int64_t> broken;
    EXPECT_TRUE(repo_
                    ->forEachEvent([&](const audit::Event& e) -> Status {
                      if (e.kind != "sightings.record") return Status::ok();
                      const auto payload = nlohmann::json::parse(e.payload);
                      const audit::RowSetDigest* found = digests.find(e.seq);
                      const std::string actual =
                          found != nullptr ? found->hex() : audit::RowSetDigest().hex();
                      if (payload.at("rows_digest").get<std::string>() != actual) {
                        broken.push_back(e.seq);
                      }
                      return Status::ok();
                    })
                    .isOk());
    return broken;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Repository> repo_;
  std::unique_ptr<SightingStore> store_;
};

TEST_F(SightingStoreTest, BatchRoundTripsEveryFieldAsOneEvent) {
  Sighting a = sighting("mac:aa:bb:cc:00:00:01", "2023-04-04");
  Sighting b = sighting("ip:10.0.0.9", "2023-04-05");
  b.services.clear();
  b.level = campaign::SightingLevel::kUnknown;
  b.platform = platform::Platform::kUnknown;
  auto batch = record({a, b});
  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  EXPECT_EQ(batch->sightings, 2u);
  auto loaded = store_->loadSightings();
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  ASSERT_EQ(loaded->size(), 2u);
  a.id = "S" + std::to_string(batch->seq) + ".1";
  b.id = "S" + std::to_string(batch->seq) + ".2";
  EXPECT_EQ((*loaded)[0], a);
  EXPECT_EQ((*loaded)[1], b);

  std::vector<audit::Event> events;
  ASSERT_TRUE(repo_
                  ->forEachEvent([&](const audit::Event& e) {
                    events.push_back(e);
                    return Status::ok();
                  })
                  .isOk());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "sightings.record");
  EXPECT_EQ(events[0].subject, "office.pcap");
  EXPECT_EQ(events[0].actor, "sensor");
  const auto payload = nlohmann::json::parse(events[0].payload);
  EXPECT_EQ(payload["rows"], 2);
  EXPECT_EQ(payload["detail"]["sightings"], 2);
  EXPECT_EQ(payload["detail"]["seen_from"], "2023-04-04");
  EXPECT_EQ(payload["detail"]["seen_to"], "2023-04-05");
  EXPECT_TRUE(brokenSightingEvents().empty());
}

TEST_F(SightingStoreTest, QueriesByDay) {
  ASSERT_TRUE(record({sighting("k1", "2023-04-01"), sighting("k2", "2023-04-03")}).isOk());
  ASSERT_TRUE(record({sighting("k3", "2023-04-05")}).isOk());
  auto upto = store_->loadSightings({day("2023-04-03"), std::nullopt});
  ASSERT_TRUE(upto.isOk());
  ASSERT_EQ(upto->size(), 2u);
  EXPECT_EQ((*upto)[1].key, "k2");
  auto since = store_->loadSightings({std::nullopt, day("2023-04-02")});
  ASSERT_TRUE(since.isOk());
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].key, "k2");
  EXPECT_EQ((*since)[1].key, "k3");
  EXPECT_EQ((*since)[1].id.rfind("S2.", 0), 0u);
}

TEST_F(SightingStoreTest, RefusedOrRolledBackBatchLeavesNothing) {
  Sighting keyless = sighting("", "2023-04-04");
  auto refused = record({sighting("k1", "2023-04-04"), keyless});
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("sighting 2"), std::string::npos);
  EXPECT_FALSE(record({}).isOk());
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    ASSERT_TRUE(store_->recordSightings({sighting("k1", "2023-04-04")}, {"x"}, change()).isOk());
    // no commit: the transaction rolls back
  }
  auto loaded = store_->loadSightings();
  ASSERT_TRUE(loaded.isOk());
  EXPECT_TRUE(loaded->empty());
  int events = 0;
  ASSERT_TRUE(repo_
                  ->forEachEvent([&](const audit::Event&) {
                    ++events;
                    return Status::ok();
                  })
                  .isOk());
  EXPECT_EQ(events, 0);
}

TEST_F(SightingStoreTest, DigestCatchesAlteredAddedAndRemovedRows) {
  auto first = record({sighting("k1", "2023-04-04"), sighting("k2", "2023-04-04")});
  auto second = record({sighting("k3", "2023-04-05")});
  ASSERT_TRUE(first.isOk() && second.isOk());
  EXPECT_TRUE(brokenSightingEvents().empty());
  // Pretend the device was an Android phone.
  ASSERT_TRUE(
      conn_->exec("UPDATE sightings SET platform = 'android' WHERE sighting_key = 'k2'").isOk());
  EXPECT_EQ(brokenSightingEvents(), std::vector<std::int64_t>{first->seq});
  ASSERT_TRUE(
      conn_->exec("UPDATE sightings SET platform = 'ios' WHERE sighting_key = 'k2'").isOk());
  EXPECT_TRUE(brokenSightingEvents().empty());
  // Remove a sighting, or change its evidence.
  ASSERT_TRUE(conn_->exec("DELETE FROM sightings WHERE sighting_key = 'k3'").isOk());
  EXPECT_EQ(brokenSightingEvents(), std::vector<std::int64_t>{second->seq});
}

TEST_F(SightingStoreTest, AlteredEnumIsDataLossOnRead) {
  ASSERT_TRUE(record({sighting("k1", "2023-04-04")}).isOk());
  ASSERT_TRUE(conn_->exec("UPDATE sightings SET level = 'certain'").isOk());
  auto loaded = store_->loadSightings();
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  ASSERT_TRUE(conn_->exec("UPDATE sightings SET level = 'confirmed', services = '[{}]'").isOk());
  EXPECT_EQ(store_->loadSightings().status().code(), StatusCode::kDataLoss);
}

TEST_F(SightingStoreTest, ReconcileInputsHoldEveryVersion) {
  inventory::Person p;
  p.person_id = "P-1";
  p.unit = "pa";
  inventory::Device d;
  d.device_id = "D-1";
  d.holder = "P-1";
  d.macs = {"aa:bb:cc:00:00:01"};
  d.hostname = "iPhone-Ivan";
  ASSERT_TRUE(repo_->upsertPeople({p}, change()).isOk());
  ASSERT_TRUE(repo_->upsertDevices({d}, change()).isOk());
  d.state = platform::DeviceState::kDestroyed;
  ChangeContext later = change();
  later.effective = day("2023-04-10");
  ASSERT_TRUE(repo_->upsertDevices({d}, later).isOk());
  ASSERT_TRUE(repo_
                  ->addDirective("pa-iphone-2023", "t",
                                 "id: pa-iphone-2023\ntitle: t\nissued: 2023-03-06\nscope: "
                                 "{units: [pa]}\nban: [{platform: ios}]\nmilestones: [{name: "
                                 "m, due: 2023-04-01}]\n",
                                 day("2023-03-06"), change())
                  .isOk());
  auto in = store_->loadReconcileInputs();
  ASSERT_TRUE(in.isOk()) << in.status().toString();
  ASSERT_EQ(in->people.size(), 1u);
  ASSERT_EQ(in->devices.size(), 2u);
  EXPECT_EQ(in->devices[1].valid_from, day("2023-04-10").days());
  EXPECT_EQ(in->devices[1].record.macs, d.macs);
  ASSERT_EQ(in->directives.size(), 1u);
  EXPECT_EQ(in->directives[0].directive.id, "pa-iphone-2023");
}

}  // namespace
}  // namespace phaseout::storage
