// Importing the same devices from several external sources: matching, merging, provenance,
// conflicts, full imports and dry runs, through the real import path and SQLite.
#include "service/inventory_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "service/directive.h"
#include "service/import.h"
#include "service/test_support.h"
#include "service/verdict_export.h"
#include "service/workspace_access.h"

namespace phaseout::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::int64_t kNowMs = 1'709'290'800'000;  // 2024-03-01 11:00 UTC

class MergeImportTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    write("people.csv",
          "person_id,email,unit\nP-ANNA,anna@example.org,pa/press\nP-BORIS,boris@example.org,"
          "pa/policy\n");
    importFile(ImportKind::kPeople, "people.csv", testing::recordingAt("2024-03-01"));
  }

  Result<ImportSummary> import(const std::string& name, const std::string& text,
                               std::string source = "", ImportOptions options = {}) {
    ImportRequest r;
    r.kind = ImportKind::kDevices;
    r.path = write(name, text);
    r.source = std::move(source);
    r.recording.now_ms = kNowMs;
    if (options.exported_ms == 0) options.exported_ms = kNowMs;
    return importInventory(op_, *ws_, r, options);
  }

  const Caller op_ = Caller::localOperator("tester");
};

std::string intune(const std::string& os_version, const std::string& synced,
                   const std::string& holder = "ANNA@example.org") {
  return R"({"value":[{"id":"i-1","deviceName":"anna-phone","managedDeviceOwnerType":"company",
   "operatingSystem":"iOS","osVersion":")" +
         os_version + R"(","model":"iPhone 14","manufacturer":"Apple","serialNumber":"F17XK1ABC",
   "imei":"","wiFiMacAddress":"","userPrincipalName":")" +
         holder + R"(","lastSyncDateTime":")" + synced + R"("}]})";
}

TEST_F(MergeImportTest, MergesOneDeviceFromThreeSourcesWithProvenanceAndConflicts) {
  auto first = import("intune.json", intune("16.4", "2024-02-01T00:00:00Z"));
  ASSERT_TRUE(first.isOk()) << first.status().message();
  EXPECT_TRUE(first->recognised);
  EXPECT_EQ(first->source, "intune");
  EXPECT_EQ(first->merge.added, 1u);

  // Snipe-IT knows it by IMEI and serial; synchronised later, with another holder.
  auto second = import("assets.csv",
                       "ID,Asset Tag,Serial,Model,Manufacturer,Category,Email,IMEI,Updated at\n"
                       "7,A-7,f17xk1abc,iPhone 14,Apple,Mobile Phones,boris@example.org,"
                       "352099001761481,2024-02-15 10:00:00\n");
  ASSERT_TRUE(second.isOk()) << second.status().message();
  EXPECT_EQ(second->merge.merged, 1u);
  EXPECT_EQ(second->merge.conflicting_devices, 1u);

  // Fleet names a holder who is nobody known; matched by serial again.
  auto third = import("hosts.json",
                      R"({"hosts":[{"id":42,"hostname":"anna-phone","os_version":"iOS 17.1",
     "hardware_serial":"F17XK1ABC","primary_mac":"a4:b1:c2:d3:e4:f5",
     "detail_updated_at":"2024-02-20T00:00:00Z","device_mapping":[{"email":"ghost@example.org"}]}]})");
  ASSERT_TRUE(third.isOk()) << third.status().message();
  EXPECT_EQ(third->merge.merged, 1u);
  EXPECT_EQ(third->merge.unmatched_holders, 1u);

  auto list = listDevices(op_, *ws_, {});
  ASSERT_TRUE(list.isOk());
  ASSERT_EQ(list->size(), 1u);
  const DeviceListEntry& entry = (*list)[0];
  EXPECT_EQ(entry.device.device_id, "intune:i-1");
  EXPECT_EQ(entry.device.holder, "P-BORIS");   // snipeit, the most recent to name a person
  EXPECT_EQ(entry.device.os_version, "17.1");  // fleet, synchronised last
  EXPECT_EQ(entry.sources.size(), 3u);
  EXPECT_TRUE(entry.holder_unmatched);

  auto view = showDevice(op_, *ws_, "intune:i-1");
  ASSERT_TRUE(view.isOk()) << view.status().message();
  for (const FieldProvenance& f : view->fields) {
    if (f.field == "os_version") {
      ASSERT_TRUE(f.origin);
      EXPECT_EQ(f.origin->source, "fleet");
      EXPECT_EQ(f.origin->record_id, "42");
    }
    if (f.field == "imei") {
      ASSERT_TRUE(f.origin);
      EXPECT_EQ(f.origin->source, "snipeit");
    }
  }
  ASSERT_EQ(view->conflicts.size(), 2u);
  EXPECT_EQ(view->conflicts[0].field, "holder");
  EXPECT_EQ(view->conflicts[0].values.back().value, "ghost@example.org");
  EXPECT_EQ(view->conflicts[1].field, "os_version");

  auto review = inventoryReview(op_, *ws_);
  ASSERT_TRUE(review.isOk());
  EXPECT_EQ(review->source_conflicts, 1u);
  EXPECT_EQ(review->unmatched_holders, 1u);

  auto audit = WorkspaceAccess::repository(*ws_).verifyAudit();
  ASSERT_TRUE(audit.isOk());
  EXPECT_TRUE(audit->ok()) << audit->problem;
}

TEST_F(MergeImportTest, ReimportCountsUnchangedAndAFullImportMarksWhatIsMissing) {
  const std::string two = R"({"hosts":[
   {"id":1,"hostname":"a","hardware_serial":"S1","detail_updated_at":"2024-02-20T00:00:00Z"},
   {"id":2,"hostname":"b","hardware_serial":"S2","detail_updated_at":"2024-02-20T00:00:00Z"}]})";
  ASSERT_TRUE(import("hosts.json", two, "fleet").isOk());
  auto again = import("hosts.json", two, "fleet");
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->merge.unchanged, 2u);

  const std::string one = R"({"hosts":[
   {"id":1,"hostname":"a","hardware_serial":"S1","detail_updated_at":"2024-02-21T00:00:00Z"}]})";
  ImportOptions dry;
  dry.full = true;
  dry.dry_run = true;
  auto preview = import("hosts.json", one, "fleet", dry);
  ASSERT_TRUE(preview.isOk());
  EXPECT_THAT(preview->missing, ElementsAre("fleet:2"));
  auto list = listDevices(op_, *ws_, {"fleet"});
  ASSERT_TRUE(list.isOk());
  for (const auto& e : *list) EXPECT_FALSE(e.sources[0].missing);  // the dry run stored nothing

  ImportOptions full;
  full.full = true;
  auto done = import("hosts.json", one, "fleet", full);
  ASSERT_TRUE(done.isOk());
  EXPECT_EQ(done->merge.missing, 1u);
  list = listDevices(op_, *ws_, {"fleet"});
  ASSERT_TRUE(list.isOk());
  ASSERT_EQ(list->size(), 2u);  // missing, not deleted
  EXPECT_TRUE((*list)[1].sources[0].missing);

  ImportOptions direct;
  direct.full = true;
  auto refused = import("d.csv", "device_id\nD-1\n", "csv", direct);
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().field(), "full");
}

TEST_F(MergeImportTest, HoldersAreMatchedByUserPrincipalNameAsByEmail) {
  // A directory gives each person a user principal name beside (and unlike) the address.
  write("directory.csv",
        "person_id,email,unit,upn\nP-VERA,vera@example.org,pa/press,V.Petrova@Corp.Example.org\n"
        "P-GLEB,,pa/policy,gleb.s@corp.example.org\n");
  importFile(ImportKind::kPeople, "directory.csv", testing::recordingAt("2024-03-01"));
  const std::string two = R"({"value":[
   {"id":"i-7","operatingSystem":"iOS","model":"iPhone 13","serialNumber":"UPN-1",
    "userPrincipalName":"v.petrova@corp.example.ORG","lastSyncDateTime":"2024-02-01T00:00:00Z"},
   {"id":"i-8","operatingSystem":"Android","model":"Pixel 7","serialNumber":"UPN-2",
    "userPrincipalName":"GLEB.S@corp.example.org","lastSyncDateTime":"2024-02-01T00:00:00Z"}]})";
  auto imported = import("managed.json", two, "intune");
  ASSERT_TRUE(imported.isOk()) << imported.status().message();
  EXPECT_EQ(imported->merge.unmatched_holders, 0u);
  auto list = listDevices(op_, *ws_, {"intune"});
  ASSERT_TRUE(list.isOk()) << list.status().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].device.holder, "P-VERA");
  EXPECT_EQ((*list)[0].unit, "pa/press");
  EXPECT_EQ((*list)[0].sources[0].holder_match, inventory::HolderMatch::kUpn);
  EXPECT_EQ((*list)[1].device.holder, "P-GLEB");
  EXPECT_FALSE((*list)[1].holder_unmatched);

  // The e-mail address is tried first: a UPN equal to someone else's address names that one.
  write("clash.csv",
        "person_id,email,unit,upn\nP-ANNA,anna@example.org,pa/press,\n"
        "P-DORA,,pa/press,anna@example.org\n");
  importFile(ImportKind::kPeople, "clash.csv", testing::recordingAt("2024-03-01"));
  auto clash = import("clash.json", R"({"value":[{"id":"i-9","serialNumber":"UPN-3",
    "userPrincipalName":"Anna@example.org","lastSyncDateTime":"2024-02-01T00:00:00Z"}]})",
                      "intune");
  ASSERT_TRUE(clash.isOk()) << clash.status().message();
  auto shown = showDevice(op_, *ws_, "intune:i-9");
  ASSERT_TRUE(shown.isOk()) << shown.status().message();
  EXPECT_EQ(shown->device.holder, "P-ANNA");

  // The UPN is part of the person's stored version: it reads back, and the chain verifies.
  storage::Repository& repo = WorkspaceAccess::repository(*ws_);
  auto vera = repo.loadPerson("P-VERA", *Date::parse("2024-03-02"));
  ASSERT_TRUE(vera.isOk()) << vera.status().message();
  EXPECT_EQ(vera->upn, "V.Petrova@Corp.Example.org");
  auto audit = repo.verifyAudit();
  ASSERT_TRUE(audit.isOk());
  EXPECT_TRUE(audit->ok()) << audit->problem;
}

TEST_F(MergeImportTest, AMalformedExportStoresNothing) {
  auto bad = import(
      "intune.json",
      R"({"value":[{"id":"a","serialNumber":"S1"},{"id":"b","wiFiMacAddress":"zz"}]})", "intune");
  ASSERT_FALSE(bad.isOk());
  EXPECT_THAT(bad.status().message(), HasSubstr("intune.json:/value/1: mac: expected a MAC"));
  auto list = listDevices(op_, *ws_, {});
  ASSERT_TRUE(list.isOk());
  EXPECT_TRUE(list->empty());
  auto missing = showDevice(op_, *ws_, "intune:a");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(MergeImportTest, ExportsBannedDevicesForNacAndForTheMdmThatManagesThem) {
  write("officials.csv",
        "person_id,email,unit,role\nP-ANNA,anna@example.org,pa/press,official\n"
        "P-BORIS,boris@example.org,pa/policy,official\n");
  importFile(ImportKind::kPeople, "officials.csv", testing::recordingAt("2024-03-01"));
  ASSERT_TRUE(import("intune.json", intune("16.4", "2024-02-01T00:00:00Z")).isOk());
  ASSERT_TRUE(import("hosts.json", R"({"hosts":[{"id":42,"hostname":"anna-phone",
     "os_version":"iOS 17.1","hardware_serial":"F17XK1ABC","primary_mac":"a4:b1:c2:d3:e4:f5",
     "detail_updated_at":"2024-02-20T00:00:00Z"}]})")
                  .isOk());
  ASSERT_TRUE(
      addDirectiveFile(op_, *ws_,
                       std::string(PH_SOURCE_DIR) + "/examples/directives/pa-iphone-2023.yaml",
                       testing::recordingAt("2023-03-06"))
          .isOk());
  VerdictExportRequest request;
  // The officials' roles were recorded on 2024-03-01: ask after that.
  request.at = testing::day("2024-03-05");
  request.format = "freeradius";
  auto radius = exportNac(op_, *ws_, request);
  ASSERT_TRUE(radius.isOk()) << radius.status().message();
  EXPECT_EQ(radius->devices, 1u);
  EXPECT_EQ(radius->entries, 1u);
  EXPECT_THAT(radius->text, HasSubstr("a4-b1-c2-d3-e4-f5\tCalling-Station-Id == "
                                      "\"a4-b1-c2-d3-e4-f5\", Auth-Type := Reject"));
  request.format = "packetfence";
  auto pf = exportNac(op_, *ws_, request);
  ASSERT_TRUE(pf.isOk()) << pf.status().message();
  EXPECT_EQ(pf->entries, 1u);
  EXPECT_THAT(pf->text, ::testing::StartsWith("a4:b1:c2:d3:e4:f5,P-ANNA,phaseout-quarantine,"));
  EXPECT_THAT(pf->text, HasSubstr("intune:i-1 (serial F17XK1ABC): "));
  EXPECT_EQ(std::count(pf->text.begin(), pf->text.end(), '\n'), 1);  // one node, no header
  request.format = "csv";
  auto csv = exportNac(op_, *ws_, request);
  ASSERT_TRUE(csv.isOk());
  EXPECT_THAT(csv->text, HasSubstr("intune:i-1,a4:b1:c2:d3:e4:f5,F17XK1ABC,P-ANNA,pa/press,"
                                   "overdue,"));
  request.format = "fleet";
  auto fleet = exportMdm(op_, *ws_, request);
  ASSERT_TRUE(fleet.isOk()) << fleet.status().message();
  EXPECT_THAT(fleet->text, HasSubstr("\n42,intune:i-1,overdue\n"));
  request.format = "jamf";
  auto jamf = exportMdm(op_, *ws_, request);
  ASSERT_TRUE(jamf.isOk());
  EXPECT_EQ(jamf->entries, 0u);
  EXPECT_EQ(jamf->without_entry, 1u);
  request.format = "airwatch";
  EXPECT_EQ(exportMdm(op_, *ws_, request).status().field(), "format");
}

}  // namespace
}  // namespace phaseout::service
