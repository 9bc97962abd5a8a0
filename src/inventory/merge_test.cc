#include "inventory/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "inventory/columns.h"

namespace phaseout::inventory {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::uint32_t kAll = 0xFFFFFFFF;

SourcedDevice sourced(std::string id, std::string serial, std::string imei = "",
                      std::vector<std::string> macs = {}, std::int64_t synced_ms = 0) {
  SourcedDevice s;
  s.device.device_id = std::move(id);
  s.device.serial = std::move(serial);
  s.device.imei = std::move(imei);
  s.device.macs = std::move(macs);
  s.synced_ms = synced_ms;
  s.given = kAll;
  s.location = "/value/0";
  return s;
}

HolderResolution resolve(std::string_view ref) {
  if (ref == "anna@example.org") return {"P-ANNA", HolderMatch::kEmail};
  if (ref == "P-BORIS") return {"P-BORIS", HolderMatch::kPersonId};
  return {"", HolderMatch::kUnmatched};
}

MergeRequest request(std::string source, bool full = false) {
  return MergeRequest{std::move(source), "export.json", 1'000, full};
}

// Applies a plan as the store would: the stored devices and the current records after it.
struct World {
  std::vector<Device> devices;
  std::vector<SourceRecord> records;
  std::int64_t seq = 0;

  MergePlan import(const MergeRequest& r, const std::vector<SourcedDevice>& incoming) {
    MergePlan plan = planMerge(r, incoming, devices, records, resolve);
    ++seq;
    for (const Device& d : plan.versions) {
      std::erase_if(devices, [&](const Device& x) { return x.device_id == d.device_id; });
      devices.push_back(d);
    }
    for (SourceRecord rec : plan.records) {
      rec.seq = seq;
      std::erase_if(records, [&](const SourceRecord& x) {
        return x.source == rec.source && x.record_id == rec.record_id;
      });
      records.push_back(rec);
    }
    return plan;
  }
  const Device& device(std::string_view id) const {
    for (const Device& d : devices) {
      if (d.device_id == id) return d;
    }
    static const Device kNone;
    return kNone;
  }
};

TEST(IdentityKeysTest, NormaliseAndIgnorePlaceholders) {
  EXPECT_EQ(serialKey(" f17-xk1 abc "), "F17XK1ABC");
  EXPECT_EQ(serialKey("To be filled by O.E.M."), "");
  EXPECT_EQ(serialKey("0000"), "");
  EXPECT_EQ(imeiKey("35 209900 176148 1"), "35209900176148");
  EXPECT_EQ(imeiKey("3520990017614801"), "35209900176148");  // IMEISV
  EXPECT_EQ(imeiKey("12345"), "");
  EXPECT_FALSE(isRandomMac("a4:b1:c2:d3:e4:f5"));
  EXPECT_TRUE(isRandomMac("a6:b1:c2:d3:e4:f5"));  // locally administered: a private address
}

TEST(PlanMergeTest, NewRecordsGetSourceIdsAndMatchesKeepTheFirstId) {
  World world;
  Device csv;
  csv.device_id = "D-1";
  csv.serial = "F17XK1ABC";
  world.devices.push_back(csv);

  auto plan = world.import(request("intune"), {sourced("a", "f17xk1abc"), sourced("b", "NEW1")});
  EXPECT_EQ(plan.counts.merged, 1u);
  EXPECT_EQ(plan.counts.added, 1u);
  EXPECT_EQ(world.records[0].device_id, "D-1");
  EXPECT_EQ(world.records[1].device_id, "intune:b");

  // By IMEI when the serial is absent, by a non-random MAC last; a random MAC never matches.
  world.devices[0].imei = "352099001761481";
  world.devices[0].macs = {"a4:b1:c2:d3:e4:f5", "a6:00:00:00:00:01"};
  plan = world.import(request("jamf"), {sourced("1", "", "35209900176148 2"),
                                        sourced("2", "", "", {"a4:b1:c2:d3:e4:f5"}),
                                        sourced("3", "", "", {"a6:00:00:00:00:01"})});
  EXPECT_EQ(plan.counts.merged, 2u);
  EXPECT_EQ(plan.counts.added, 1u);
  EXPECT_EQ(world.records.back().device_id, "jamf:3");
}

TEST(PlanMergeTest, CountsUpdatedUnchangedAndMarksMissingOnAFullImport) {
  World world;
  world.import(request("fleet"), {sourced("1", "S1"), sourced("2", "S2")});
  auto again = sourced("1", "S1");
  auto changed = sourced("2", "S2");
  changed.device.hostname = "renamed";
  auto plan = world.import(request("fleet"), {again, changed});
  EXPECT_EQ(plan.counts.unchanged, 1u);
  EXPECT_EQ(plan.counts.updated, 1u);
  EXPECT_EQ(world.device("fleet:2").hostname, "renamed");

  plan = world.import(request("fleet", true), {again});
  EXPECT_EQ(plan.counts.missing, 1u);
  EXPECT_THAT(plan.missing, ElementsAre("fleet:2"));
  EXPECT_THAT(plan.versions, IsEmpty());  // marked, not deleted or changed
}

TEST(PlanMergeTest, TheMostRecentlySynchronisedSourceWinsAndTheConflictIsKept) {
  World world;
  auto old_record = sourced("a", "S1", "", {}, 1'000);
  old_record.device.holder = "anna@example.org";
  old_record.device.os_version = "16.1";
  world.import(request("intune"), {old_record});
  auto new_record = sourced("7", "S1", "", {}, 2'000);
  new_record.device.holder = "P-BORIS";
  new_record.device.os_version = "17.1";
  world.import(request("snipeit"), {new_record});

  const Device& merged = world.device("intune:a");
  EXPECT_EQ(merged.holder, "P-BORIS");
  EXPECT_EQ(merged.os_version, "17.1");
  std::vector<const SourceRecord*> listed;
  for (const SourceRecord& r : world.records) listed.push_back(&r);
  const auto found = conflicts(listed);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].field, "holder");
  EXPECT_EQ(found[0].values.back().source, "snipeit");
  EXPECT_EQ(originOf("os_version", listed)->source, "snipeit");

  // An older export of intune arriving later does not win: synchronisation time decides.
  auto stale = old_record;
  stale.device.os_version = "16.2";
  stale.synced_ms = 1'500;
  world.import(request("intune"), {stale});
  EXPECT_EQ(world.device("intune:a").os_version, "17.1");
}

TEST(PlanMergeTest, AnUnmatchedHolderIsRecordedNotAssigned) {
  World world;
  auto record = sourced("a", "S1");
  record.device.holder = "nobody@example.org";
  const auto plan = world.import(request("google"), {record});
  EXPECT_EQ(plan.counts.unmatched_holders, 1u);
  EXPECT_EQ(world.records[0].holder_match, HolderMatch::kUnmatched);
  EXPECT_EQ(world.records[0].holder_ref, "nobody@example.org");
  EXPECT_EQ(world.device("google:a").holder, "");
}

}  // namespace
}  // namespace phaseout::inventory
