#include "storage/sqlite/sqlite_connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace phaseout::storage {
namespace {

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_sqlite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteConnectionTest, NotADatabaseIsDataLoss) {
  const auto bogus = dir_ / "bogus.db";
  std::ofstream(bogus) << "this is not an SQLite database, just text that is long enough......";
  auto conn = openSqlite(bogus.string());
  ASSERT_FALSE(conn.isOk());
  EXPECT_EQ(conn.status().code(), StatusCode::kDataLoss);
}

TEST_F(SqliteConnectionTest, MissingFileIsUnavailableWithoutCreate) {
  SqliteOptions options;
  options.create = false;
  auto conn = openSqlite((dir_ / "missing.db").string(), options);
  ASSERT_FALSE(conn.isOk());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.db"));
}

TEST_F(SqliteConnectionTest, SecondConnectionSeesCommittedWrites) {
  const std::string path = (dir_ / "shared.db").string();
  auto writer = openSqlite(path);
  auto reader = openSqlite(path);
  ASSERT_TRUE(writer.isOk() && reader.isOk());
  ASSERT_TRUE(
      (*writer)->exec("CREATE TABLE t (v BIGINT NOT NULL); INSERT INTO t VALUES (7)").isOk());
  auto s = (*reader)->prepare("SELECT v FROM t");
  ASSERT_TRUE(s.isOk());
  ASSERT_TRUE(*(*s)->step());
  EXPECT_EQ((*s)->integer(0), 7);
}

}  // namespace
}  // namespace phaseout::storage
