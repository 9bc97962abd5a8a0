#include "storage/database_copy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "storage/campaign_store.h"
#include "storage/open.h"

namespace phaseout::storage {
namespace {

TEST(SchemaTables, ReadsEveryTableAndColumnFromTheMigrations) {
  const std::vector<SchemaTable> tables = schemaTables();
  auto find = [&](std::string_view name) -> const SchemaTable* {
    for (const SchemaTable& t : tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  };
  for (const char* name :
       {"events", "person_versions", "device_versions", "directive_versions", "waivers",
        "waiver_revocations", "case_steps", "evidence", "notifications", "sightings"}) {
    EXPECT_NE(find(name), nullptr) << name;
  }
  EXPECT_EQ(find("schema_version"), nullptr);
  const SchemaTable* evidence = find("evidence");
  ASSERT_NE(evidence, nullptr);
  ASSERT_EQ(evidence->columns,
            (std::vector<std::string>{"sha256", "name", "size_bytes", "content"}));
  EXPECT_EQ(evidence->kinds, (std::vector<ColumnKind>{ColumnKind::kText, ColumnKind::kText,
                                                      ColumnKind::kInteger, ColumnKind::kBytes}));
  const SchemaTable* people = find("person_versions");
  ASSERT_NE(people, nullptr);
  // The PRIMARY KEY clause is not a column; ALTER TABLE ... ADD COLUMN (migration 11) adds one.
  ASSERT_EQ(people->columns.size(), 9u);
  EXPECT_EQ(people->columns.back(), "upn");
}

class DatabaseCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_copy_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static ChangeContext change() {
    ChangeContext c;
    c.effective = *Date::parse("2024-02-01");
    c.recorded_ms = 1'706'000'000'000;
    c.actor = "tester";
    c.source = "test";
    return c;
  }

  std::filesystem::path dir_;
};

TEST_F(DatabaseCopyTest, CopyVerifiesAndRefusesANonEmptyTarget) {
  auto from = open((dir_ / "a.db").string());
  auto to = open((dir_ / "b.db").string());
  ASSERT_TRUE(from.isOk() && to.isOk());
  Repository source(**from);
  ASSERT_TRUE(source.migrate().isOk());
  inventory::Person p;
  p.person_id = "P-1";
  p.name = "tab\there";
  p.unit = "u";
  ASSERT_TRUE(source.upsertPeople(std::vector<inventory::Person>{p}, change()).isOk());
  {
    auto tx = Transaction::begin(**from, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    CampaignStore campaign(source);
    ASSERT_TRUE(campaign.storeEvidence("cert.pdf", std::string("\x00\x01pdf", 5)).isOk());
    ASSERT_TRUE((*tx)->commit().isOk());
  }
  auto copied = copyDatabase(**from, **to, change(), "sqlite");
  ASSERT_TRUE(copied.isOk()) << copied.status().toString();
  EXPECT_EQ(copied->events, 1);
  Repository target(**to);
  auto verified = target.verifyAudit();
  ASSERT_TRUE(verified.isOk());
  EXPECT_TRUE(verified->ok()) << verified->problem;
  EXPECT_EQ(verified->events, 2);  // the one copied and the copy itself
  EXPECT_TRUE(verified->altered_evidence.empty());
  auto people = target.loadPeople();
  ASSERT_TRUE(people.isOk());
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ((*people)[0].name, "tab\there");

  auto again = copyDatabase(**from, **to, change(), "sqlite");
  ASSERT_FALSE(again.isOk());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("not empty"), std::string::npos);
}

}  // namespace
}  // namespace phaseout::storage
