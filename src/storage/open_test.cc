#include "storage/open.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace phaseout::storage {
namespace {

DatabaseUrl parsed(std::string_view url) {
  auto out = parseDatabaseUrl(url);
  EXPECT_TRUE(out.isOk()) << url << ": " << out.status().toString();
  return out.isOk() ? *out : DatabaseUrl{};
}

TEST(DatabaseUrl, SqliteForms) {
  EXPECT_EQ(parsed("sqlite:///var/lib/phaseout.db").location, "/var/lib/phaseout.db");
  EXPECT_EQ(parsed("sqlite://data/phaseout.db").location, "data/phaseout.db");
  EXPECT_EQ(parsed("sqlite:data/phaseout.db").location, "data/phaseout.db");
  EXPECT_EQ(parsed("SQLite:///x.db").location, "/x.db");
  EXPECT_EQ(parsed("sqlite:///tmp/my%20db.db").location, "/tmp/my db.db");
  for (const char* memory : {"sqlite::memory:", "sqlite://:memory:", ":memory:"}) {
    const DatabaseUrl url = parsed(memory);
    EXPECT_EQ(url.engine, Engine::kSqlite) << memory;
    EXPECT_EQ(url.location, ":memory:") << memory;
    EXPECT_FALSE(url.shareable()) << memory;
  }
  EXPECT_TRUE(parsed("sqlite:///x.db").shareable());
}

TEST(DatabaseUrl, BarePathsStaySqliteFiles) {
  for (const char* path : {"phaseout.db", "/var/lib/phaseout.db", "./a b/c%20d.db",
                           "backup:2024-01-01.db", "C:phaseout.db"}) {
    const DatabaseUrl url = parsed(path);
    EXPECT_EQ(url.engine, Engine::kSqlite) << path;
    EXPECT_EQ(url.location, path);
    EXPECT_TRUE(url.shareable());
  }
}

TEST(DatabaseUrl, PostgresOpensTheServerAndKeepsThePasswordQuiet) {
  const DatabaseUrl url = parsed("postgresql://phaseout:secret@db.example/phaseout");
  EXPECT_EQ(url.engine, Engine::kPostgres);
  EXPECT_TRUE(url.shareable());
  EXPECT_EQ(parsed("postgres://db/phaseout").engine, Engine::kPostgres);
  // Nothing listens on port 1: the server cannot be reached, and the message says so without
  // repeating the URL's password.
  auto conn = open("postgresql://phaseout:secret@127.0.0.1:1/phaseout");
  ASSERT_FALSE(conn.isOk());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find("cannot connect to PostgreSQL"), std::string::npos);
  EXPECT_EQ(conn.status().message().find("secret"), std::string::npos);
}

TEST(DatabaseUrl, RefusesWhatItCannotRead) {
  auto unknown = parseDatabaseUrl("mysql://root:secret@db/phaseout");
  ASSERT_FALSE(unknown.isOk());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("'mysql:'"), std::string::npos);
  EXPECT_EQ(unknown.status().message().find("secret"), std::string::npos);
  for (const char* bad : {"", "sqlite://", "sqlite:", "sqlite:///x.db?mode=ro", "sqlite:///x%2.db",
                          "sqlite:///x%00.db"}) {
    auto url = parseDatabaseUrl(bad);
    EXPECT_FALSE(url.isOk()) << bad;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Open, SqliteFileThroughUrlAndBarePath) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("phaseout_open_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "a.db").string();
  {
    auto created = open("sqlite://" + path);
    ASSERT_TRUE(created.isOk()) << created.status().toString();
    ASSERT_TRUE((*created)->exec("CREATE TABLE t (v BIGINT)").isOk());
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  auto bare = open(path);
  ASSERT_TRUE(bare.isOk());
  EXPECT_EQ((*bare)->dialect(), Dialect::kSqlite);
  EXPECT_TRUE((*bare)->exec("INSERT INTO t VALUES (1)").isOk());
  OpenOptions no_create;
  no_create.create = false;
  auto missing = open("sqlite://" + (dir / "missing.db").string(), no_create);
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
  auto memory = open("sqlite::memory:");
  ASSERT_TRUE(memory.isOk());
  EXPECT_TRUE((*memory)->exec("CREATE TABLE t (v BIGINT)").isOk());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phaseout::storage
