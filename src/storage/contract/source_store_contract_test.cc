// The import provenance store (migration 5) against every engine: a merge's device versions and
// source records are one audit event; the latest row of (source, record_id) is its current
// record; a rolled-back merge leaves nothing; the audit check covers the provenance rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/contract/store_contract.h"
#include "storage/source_store.h"

namespace phaseout::storage {
namespace {

using ::testing::ElementsAre;

inventory::SourceRecord record(std::string source, std::string id, std::string device_id) {
  inventory::SourceRecord r;
  r.source = std::move(source);
  r.record_id = std::move(id);
  r.device_id = std::move(device_id);
  r.file = "export.json";
  r.location = "/value/0";
  r.exported_ms = 1'700'000'000'000;
  r.synced_ms = 1'699'000'000'000;
  r.holder_ref = "Anna@Example.org";
  r.holder_match = inventory::HolderMatch::kEmail;
  r.fields = {{"holder", "P-1"}, {"os_version", "16.4"}, {"mac", "aa:bb:cc:dd:ee:01"}};
  return r;
}

Result<std::int64_t> merge(Repository& repo, const inventory::MergePlan& plan,
                           const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  SourceStore store(repo);
  PH_ASSIGN_OR_RETURN(const std::int64_t seq,
                      store.recordMerge(plan, change, "import.devices", {{"from", "intune"}}));
  PH_RETURN_IF_ERROR(tx->commit());
  return seq;
}

std::int64_t brokenAt(Repository& repo) {
  auto check = repo.verifyAudit();
  EXPECT_TRUE(check.isOk()) << check.status().toString();
  return check.isOk() ? check->first_broken_seq.value_or(0) : -1;
}

TEST_P(StoreContract, SourceRecordsRoundTripAndTheLatestRowIsCurrent) {
  inventory::MergePlan plan;
  plan.versions.push_back(device("intune:a", "P-1"));
  plan.records.push_back(record("intune", "a", "intune:a"));
  plan.records.push_back(record("fleet", "42", "intune:a"));
  auto first = merge(*repo_, plan, change());
  ASSERT_TRUE(first.isOk()) << first.status().toString();

  SourceStore store(*repo_);
  auto current = store.loadCurrent();
  ASSERT_TRUE(current.isOk()) << current.status().toString();
  ASSERT_EQ(current->size(), 2u);
  inventory::SourceRecord expected = record("fleet", "42", "intune:a");
  expected.seq = *first;
  EXPECT_EQ((*current)[0], expected);  // every field, in (source, record_id) order
  EXPECT_EQ(repo_->loadDevices()->size(), 1u);

  inventory::MergePlan later;
  inventory::SourceRecord gone = record("fleet", "42", "intune:a");
  gone.missing = true;
  gone.holder_match = inventory::HolderMatch::kUnmatched;
  gone.fields.clear();
  later.records.push_back(gone);
  auto second = merge(*repo_, later, change("2023-03-11", true));
  ASSERT_TRUE(second.isOk()) << second.status().toString();
  auto of_device = store.loadOfDevice("intune:a");
  ASSERT_TRUE(of_device.isOk());
  ASSERT_EQ(of_device->size(), 2u);
  EXPECT_TRUE((*of_device)[0].missing);
  EXPECT_EQ((*of_device)[0].seq, *second);
  EXPECT_TRUE((*of_device)[0].fields.empty());
  EXPECT_FALSE((*of_device)[1].missing);
  EXPECT_TRUE(store.loadOfDevice("other")->empty());
  const auto all = events();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, "import.devices");
}

TEST_P(StoreContract, RolledBackMergeLeavesNothing) {
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    inventory::MergePlan plan;
    plan.versions.push_back(device("intune:a", ""));
    plan.records.push_back(record("intune", "a", "intune:a"));
    SourceStore store(*repo_);
    ASSERT_TRUE(store.recordMerge(plan, change(), "import.devices", {}).isOk());
  }  // not committed
  SourceStore store(*repo_);
  EXPECT_TRUE(store.loadCurrent()->empty());
  EXPECT_TRUE(repo_->loadDevices()->empty());
  EXPECT_TRUE(events().empty());
}

TEST_P(StoreContract, AuditCoversProvenanceRows) {
  inventory::MergePlan plan;
  plan.versions.push_back(device("intune:a", "P-1"));
  plan.records.push_back(record("intune", "a", "intune:a"));
  auto seq = merge(*repo_, plan, change());
  ASSERT_TRUE(seq.isOk());
  EXPECT_EQ(brokenAt(*repo_), 0);
  // Pretend another source said so, or another holder was named.
  tamper("UPDATE source_records SET holder_ref = 'boris@example.org'");
  EXPECT_EQ(brokenAt(*repo_), *seq);
  tamper("UPDATE source_records SET holder_ref = 'Anna@Example.org'");
  EXPECT_EQ(brokenAt(*repo_), 0);
  tamper("UPDATE source_records SET fields = '{}'");
  EXPECT_EQ(brokenAt(*repo_), *seq);
  tamper("DELETE FROM source_records");
  EXPECT_EQ(brokenAt(*repo_), *seq);
}

TEST_P(StoreContract, AlteredProvenanceIsDataLossOnRead) {
  inventory::MergePlan plan;
  plan.records.push_back(record("intune", "a", "intune:a"));
  ASSERT_TRUE(merge(*repo_, plan, change()).isOk());
  tamper("UPDATE source_records SET presence = 'maybe'");
  SourceStore store(*repo_);
  EXPECT_EQ(store.loadCurrent().status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace phaseout::storage
