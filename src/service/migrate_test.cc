#include "service/migrate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "service/audit.h"
#include "service/workspace_access.h"

namespace phaseout::service {
namespace {

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_migrate_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    from_ = "sqlite://" + (dir_ / "a.db").string();
    to_ = "sqlite://" + (dir_ / "b.db").string();
    auto ws = Workspace::open(from_);
    ASSERT_TRUE(ws.isOk());
    ASSERT_TRUE((*ws)->init().isOk());
    inventory::Person p;
    p.person_id = "P-1";
    p.name = "n";
    p.unit = "u";
    ASSERT_TRUE(WorkspaceAccess::repository(**ws)
                    .upsertPeople(std::vector<inventory::Person>{p},
                                  changeContext(operator_, recording_, "test"))
                    .isOk());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  const Caller operator_ = Caller::localOperator("alice");
  const Recording recording_{std::nullopt, 1'706'000'000'000};
  std::filesystem::path dir_;
  std::string from_;
  std::string to_;
};

TEST_F(MigrateTest, CopiesAndTheCopyVerifies) {
  auto result = migrateDatabase(operator_, {from_, to_}, recording_);
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_EQ(result->events, 1);
  EXPECT_NE(migrateResultText(*result).find("copied"), std::string::npos);
  auto ws = Workspace::open(to_);
  ASSERT_TRUE(ws.isOk());
  auto check = verifyAudit(operator_, **ws);
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << check->problem;
  EXPECT_EQ(check->events, 2);
}

TEST_F(MigrateTest, RefusesWhatItCannotCopy) {
  Caller reader;
  reader.actor = "bob";
  reader.scope.all_units = true;
  EXPECT_EQ(migrateDatabase(reader, {from_, to_}, recording_).status().code(),
            StatusCode::kPermissionDenied);
  auto same = migrateDatabase(operator_, {from_, from_}, recording_);
  EXPECT_EQ(same.status().field(), "to");
  auto memory = migrateDatabase(operator_, {from_, "sqlite::memory:"}, recording_);
  EXPECT_EQ(memory.status().field(), "to");
  auto missing =
      migrateDatabase(operator_, {"sqlite://" + (dir_ / "none.db").string(), to_}, recording_);
  EXPECT_EQ(missing.status().field(), "from");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "none.db"));
}

}  // namespace
}  // namespace phaseout::service
