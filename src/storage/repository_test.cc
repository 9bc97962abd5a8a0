#include "storage/repository.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/migrations.h"
#include "storage/sqlite_connection.h"

namespace phaseout::storage {
namespace {

using inventory::Device;
using inventory::Person;

Date day(const char* text) { return *Date::parse(text); }

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_repo_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
    auto conn = openSqlite(path_);
    ASSERT_TRUE(conn.isOk()) << conn.status().toString();
    conn_ = std::move(conn).value();
    repo_ = std::make_unique<Repository>(*conn_);
    ASSERT_TRUE(repo_->migrate().isOk());
  }
  void TearDown() override {
    repo_.reset();
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }

  static ChangeContext change(const char* effective = "2023-03-10", bool given = false) {
    ChangeContext c;
    c.effective = day(effective);
    c.effective_given = given;
    c.recorded_ms = 1'680'000'000'000;
    c.actor = "tester";
    c.source = "test";
    return c;
  }
  static Person person(std::string id, std::string unit) {
    Person p;
    p.person_id = std::move(id);
    p.name = "Name " + p.person_id;
    p.email = p.person_id + "@example.org";
    p.unit = std::move(unit);
    p.roles = {"official"};
    return p;
  }
  static Device device(std::string id, std::string holder) {
    Device d;
    d.device_id = std::move(id);
    d.holder = std::move(holder);
    d.kind = platform::Kind::kPhone;
    d.vendor = "apple";
    d.model = "iPhone14,2";
    d.platform = platform::Platform::kIos;
    d.os_version = "16.4";
    d.macs = {"aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"};
    d.channel = platform::Channel::kParallelImport;
    return d;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(RepositoryTest, MigrateIsIdempotentAndRecordsVersion) {
  ASSERT_TRUE(repo_->migrate().isOk());
  auto v = schemaVersion(*conn_);
  ASSERT_TRUE(v.isOk());
  EXPECT_EQ(*v, migrations().back().version);
  EXPECT_TRUE(repo_->checkReady().isOk());
}

TEST_F(RepositoryTest, RefusesNewerSchema) {
  ASSERT_TRUE(conn_->exec("INSERT INTO schema_version (version) VALUES (999)").isOk());
  Status s = repo_->migrate();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("newer"), std::string::npos);
}

TEST_F(RepositoryTest, FreshFileIsNotReady) {
  auto conn = openSqlite((dir_ / "empty.db").string());
  ASSERT_TRUE(conn.isOk());
  Repository repo(**conn);
  Status s = repo.checkReady();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("phaseout init"), std::string::npos);
}

TEST_F(RepositoryTest, NotADatabaseIsDataLoss) {
  const auto bogus = dir_ / "bogus.db";
  std::ofstream(bogus) << "this is not an SQLite database, just text that is long enough......";
  auto conn = openSqlite(bogus.string());
  ASSERT_FALSE(conn.isOk());
  EXPECT_EQ(conn.status().code(), StatusCode::kDataLoss);
}

TEST_F(RepositoryTest, UpsertCountsAddedUpdatedUnchanged) {
  auto first = repo_->upsertPeople({person("P-1", "pa"), person("P-2", "pa/press")}, change());
  ASSERT_TRUE(first.isOk());
  EXPECT_EQ(first->added, 2u);
  Person changed = person("P-2", "pa/legal");
  auto second =
      repo_->upsertPeople({person("P-1", "pa"), changed, person("P-3", "pa")}, change());
  ASSERT_TRUE(second.isOk());
  EXPECT_EQ(second->added, 1u);
  EXPECT_EQ(second->updated, 1u);
  EXPECT_EQ(second->unchanged, 1u);
  auto loaded = repo_->loadPeople();
  ASSERT_TRUE(loaded.isOk());
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[1], changed);
}

TEST_F(RepositoryTest, DevicesRoundTripEveryField) {
  Device d = device("D-1", "P-1");
  d.serial = "F2LXK0XXXX";
  d.imei = "356789012345678";
  d.hostname = "iPhone-Ivan";
  d.state = platform::DeviceState::kReturned;
  d.ownership = platform::Ownership::kPersonal;
  ASSERT_TRUE(repo_->upsertDevices({d, device("D-2", "")}, change()).isOk());
  auto loaded = repo_->loadDevices();
  ASSERT_TRUE(loaded.isOk());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0], d);
  EXPECT_EQ((*loaded)[1], device("D-2", ""));
}

TEST_F(RepositoryTest, HistoryAnswersAsOfAnyDay) {
  // First import without a date: the baseline, valid before any date.
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa/press")}, change("2023-03-10")).isOk());
  // A move to another unit from 15 March, recorded later.
  ASSERT_TRUE(
      repo_->upsertPeople({person("P-1", "pa/legal")}, change("2023-03-15", true)).isOk());
  // A person who joins on 20 March.
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa/legal"), person("P-2", "pa")},
                                  change("2023-03-20", true))
                  .isOk());
  auto on = [&](const char* d) { return *repo_->loadPeople(day(d)); };
  ASSERT_EQ(on("2020-01-01").size(), 1u);
  EXPECT_EQ(on("2020-01-01")[0].unit, "pa/press");
  EXPECT_EQ(on("2023-03-14")[0].unit, "pa/press");
  EXPECT_EQ(on("2023-03-15")[0].unit, "pa/legal");
  EXPECT_EQ(on("2023-03-19").size(), 1u);
  EXPECT_EQ(on("2023-03-20").size(), 2u);
}

TEST_F(RepositoryTest, DeviceVersionFromAnEvent) {
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "P-1")}, change()).isOk());
  Device destroyed = device("D-1", "P-1");
  destroyed.state = platform::DeviceState::kDestroyed;
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    auto seq = repo_->recordDeviceVersion(destroyed, change("2023-03-18", true), "disposition",
                                          "D-1", R"({"as":"destroyed"})");
    ASSERT_TRUE(seq.isOk()) << seq.status().toString();
    ASSERT_TRUE((*tx)->commit().isOk());
  }
  EXPECT_EQ((*repo_->loadDevices(day("2023-03-17")))[0].state, platform::DeviceState::kActive);
  EXPECT_EQ((*repo_->loadDevices(day("2023-03-18")))[0].state, platform::DeviceState::kDestroyed);
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
  EXPECT_EQ(check->events, 2);
}

TEST_F(RepositoryTest, CorruptEnumInStoreIsDataLoss) {
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "")}, change()).isOk());
  ASSERT_TRUE(
      conn_->exec("UPDATE device_versions SET platform = 'symbian' WHERE device_id = 'D-1'").isOk());
  auto loaded = repo_->loadDevices();
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(loaded.status().message().find("D-1"), std::string::npos);
}

TEST_F(RepositoryTest, DirectiveVersionsOnlyOnChangeAndInForceByDate) {
  auto a = repo_->addDirective("d1", "T", "id: d1\n", day("2023-03-06"), change());
  ASSERT_TRUE(a.isOk());
  EXPECT_TRUE(a->created);
  EXPECT_EQ(a->version, 1);
  auto same = repo_->addDirective("d1", "T", "id: d1\n", day("2023-03-06"), change());
  ASSERT_TRUE(same.isOk());
  EXPECT_FALSE(same->created);
  auto changed = repo_->addDirective("d1", "T2", "id: d1\ntitle: x\n", day("2023-03-20"), change());
  ASSERT_TRUE(changed.isOk());
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(repo_->getDirective("d1")->version, 2);
  EXPECT_EQ(repo_->getDirective("d1", 1)->source_text, "id: d1\n");
  EXPECT_EQ(repo_->directiveInForce("d1", day("2023-03-19"))->version, 1);
  EXPECT_EQ(repo_->directiveInForce("d1", day("2023-03-20"))->version, 2);
  auto before = repo_->directiveInForce("d1", day("2023-03-01"));
  EXPECT_EQ(before.status().code(), StatusCode::kFailedPrecondition);
  auto list = repo_->listDirectives();
  ASSERT_TRUE(list.isOk());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().version, 2);
  EXPECT_EQ(repo_->getDirective("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(RepositoryTest, FailedUpsertLeavesStoreUntouched) {
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa")}, change()).isOk());
  // A trigger that fails the second insert proves the whole batch rolls back.
  ASSERT_TRUE(conn_->exec("CREATE TRIGGER no_p3 BEFORE INSERT ON person_versions WHEN "
                          "NEW.person_id = 'P-3' BEGIN SELECT RAISE(ABORT, 'refused'); END")
                  .isOk());
  auto r = repo_->upsertPeople({person("P-1", "pa/legal"), person("P-2", "pa"), person("P-3", "pa")},
                               change());
  ASSERT_FALSE(r.isOk());
  auto loaded = repo_->loadPeople();
  ASSERT_TRUE(loaded.isOk());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->front().unit, "pa");
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->events, 1);
}

TEST_F(RepositoryTest, AuditCatchesAlteredRowsAndEvents) {
  ASSERT_TRUE(repo_->upsertPeople({person("P-1", "pa")}, change()).isOk());
  ASSERT_TRUE(repo_->upsertDevices({device("D-1", "P-1")}, change()).isOk());
  ASSERT_TRUE(repo_->addDirective("d1", "T", "id: d1\n", day("2023-03-06"), change()).isOk());
  ASSERT_TRUE(repo_->verifyAudit()->ok());

  ASSERT_TRUE(conn_->exec("UPDATE device_versions SET platform = 'android'").isOk());
  auto check = repo_->verifyAudit();
  ASSERT_TRUE(check.isOk());
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 2);
  ASSERT_TRUE(conn_->exec("UPDATE device_versions SET platform = 'ios'").isOk());
  ASSERT_TRUE(repo_->verifyAudit()->ok());

  ASSERT_TRUE(conn_->exec("UPDATE events SET actor = 'mallory' WHERE seq = 3").isOk());
  check = repo_->verifyAudit();
  ASSERT_FALSE(check->ok());
  EXPECT_EQ(*check->first_broken_seq, 3);
}

}  // namespace
}  // namespace phaseout::storage
