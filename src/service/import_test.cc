#include "service/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "service/test_support.h"
#include "service/workspace_access.h"

namespace phaseout::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::int64_t kNowMs = 1'679'043'900'000;  // 2023-03-17 09:05:00 UTC

class ImportServiceTest : public testing::WorkspaceTest {
 protected:
  ImportRequest request(ImportKind kind, const std::string& path, std::string source = "") {
    ImportRequest r;
    r.kind = kind;
    r.path = path;
    r.source = std::move(source);
    r.recording.now_ms = kNowMs;
    return r;
  }

  std::size_t storedPeople() {
    return WorkspaceAccess::repository(*ws_).loadPeople().value().size();
  }
  std::size_t storedDevices() {
    return WorkspaceAccess::repository(*ws_).loadDevices().value().size();
  }

  const Caller op_ = Caller::localOperator("test");
};

TEST_F(ImportServiceTest, ImportsPeopleThenDevicesAndUpsertsOnReimport) {
  const std::string people = write("people.csv", "person_id,unit\nP-1,pa\nP-2,pa/press\n");
  const std::string devices =
      write("devices.csv", "device_id,holder,model\nD-1,P-1,iPhone 13\nD-2,P-2,SM-S911B\n");
  auto first = importInventory(op_, *ws_, request(ImportKind::kPeople, people));
  ASSERT_TRUE(first.isOk()) << first.status().message();
  EXPECT_EQ(first->file, people);
  EXPECT_EQ(first->source, "csv");
  EXPECT_EQ(first->records, 2);
  EXPECT_EQ(first->counts.added, 2);

  // Devices name holders stored by the import before.
  auto added = importInventory(op_, *ws_, request(ImportKind::kDevices, devices));
  ASSERT_TRUE(added.isOk()) << added.status().message();
  EXPECT_EQ(added->counts.added, 2);
  EXPECT_EQ(storedDevices(), 2);

  auto again = importInventory(op_, *ws_, request(ImportKind::kPeople, people));
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->counts.unchanged, 2);
}

TEST_F(ImportServiceTest, ANamedSourceOverridesTheExtension) {
  const std::string path =
      write("export.txt", R"([{"person_id": "P-1", "unit": "pa", "role": ["official"]}])");
  auto by_extension = importInventory(op_, *ws_, request(ImportKind::kPeople, path));
  ASSERT_FALSE(by_extension.isOk());
  EXPECT_EQ(by_extension.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(by_extension.status().message(),
              StartsWith(path + ": expected a file name ending in .csv, .json or .ldif"));

  auto named = importInventory(op_, *ws_, request(ImportKind::kPeople, path, "json"));
  ASSERT_TRUE(named.isOk()) << named.status().message();
  EXPECT_EQ(named->source, "json");
  EXPECT_EQ(storedPeople(), 1);

  // The CSV source reads the same file as a (bad) header line.
  auto as_csv = importInventory(op_, *ws_, request(ImportKind::kPeople, path, "csv"));
  ASSERT_FALSE(as_csv.isOk());
  EXPECT_THAT(as_csv.status().message(), StartsWith(path + ":1: "));
}

TEST_F(ImportServiceTest, AnUnknownSourceNamesTheField) {
  const std::string path = write("people.csv", "person_id,unit\nP-1,pa\n");
  auto result = importInventory(op_, *ws_, request(ImportKind::kPeople, path, "xlsx"));
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().field(), "from");
  EXPECT_EQ(result.status().message(),
            "unknown source \"xlsx\"; expected one of csv, json, intune, jamf, google, fleet, "
            "snipeit, ldif, scim");
  EXPECT_EQ(storedPeople(), 0);
}

TEST_F(ImportServiceTest, AnyProblemStoresNothingAndListsEveryProblem) {
  const std::string people = write("people.csv", "person_id,unit\nP-1,pa\n");
  ASSERT_TRUE(importInventory(op_, *ws_, request(ImportKind::kPeople, people)).isOk());
  const std::string devices =
      write("devices.csv", "device_id,holder,state\nD-1,P-1,active\nD-2,P-404,broken\n");
  auto result = importInventory(op_, *ws_, request(ImportKind::kDevices, devices));
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(result.status().field().empty());
  EXPECT_THAT(result.status().message(),
              HasSubstr(devices + ":3: holder: expected the person_id of an existing person"));
  EXPECT_THAT(result.status().message(), HasSubstr(devices + ":3: state: expected one of"));
  EXPECT_EQ(storedDevices(), 0);
}

TEST_F(ImportServiceTest, ACallerWhoMayNotAdministerIsRefusedAndNothingIsStored) {
  Caller officer;
  officer.actor = "p-100";
  officer.person_id = "p-100";
  officer.scope.unit_subtrees = {"pa"};
  officer.scope.may_act = true;
  const std::string people = write("people.csv", "person_id,unit\nP-1,pa\n");
  auto result = importInventory(officer, *ws_, request(ImportKind::kPeople, people));
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().message(), "not allowed to import people");
  auto devices = importInventory(officer, *ws_, request(ImportKind::kDevices, people));
  EXPECT_EQ(devices.status().message(), "not allowed to import devices");
  EXPECT_EQ(storedPeople(), 0);
}

TEST_F(ImportServiceTest, AnUnreadableFileIsNamed) {
  auto result =
      importInventory(op_, *ws_, request(ImportKind::kPeople, (dir_ / "missing.csv").string()));
  ASSERT_FALSE(result.isOk());
  EXPECT_THAT(result.status().message(), HasSubstr("missing.csv: cannot open file"));
}

TEST(ImportSourcesTest, ListsTheRegisteredSources) {
  std::vector<std::string> names;
  for (const ImportSourceInfo& source : importSources()) {
    names.push_back(source.name);
    EXPECT_FALSE(source.description.empty());
  }
  EXPECT_THAT(names, ElementsAre("csv", "json", "intune", "jamf", "google", "fleet", "snipeit",
                                 "ldif", "scim"));
  EXPECT_THAT(importSources().front().extensions, ElementsAre(".csv"));
}

}  // namespace
}  // namespace phaseout::service
