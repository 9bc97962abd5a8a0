// The ingested-message store (migration 9) against every engine: a message id is stored once,
// inside the write transaction of its sightings; a rolled-back transaction leaves no id.
#include <gtest/gtest.h>

#include "storage/contract/store_contract.h"
#include "storage/ingest_store.h"

namespace phaseout::storage {
namespace {

IngestedMessage message(std::string id) {
  return IngestedMessage{std::move(id), 7, "hq", 1'700'000'000'000};
}

TEST_P(StoreContract, IngestedMessageIsStoredOnce) {
  IngestStore store(*repo_);
  {
    auto tx = Transaction::begin(repo_->connection(), Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk()) << tx.status().toString();
    ASSERT_TRUE(store.record(message("hq-abc")).isOk());
    const Status again = store.record(message("hq-abc"));
    EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.toString();
    ASSERT_TRUE((*tx)->commit().isOk());
  }
  auto found = store.find("hq-abc");
  ASSERT_TRUE(found.isOk()) << found.status().toString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->seq, 7);
  EXPECT_EQ((*found)->site, "hq");
  EXPECT_EQ((*found)->received_ms, 1'700'000'000'000);
  auto missing = store.find("hq-other");
  ASSERT_TRUE(missing.isOk());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreContract, IngestedMessageOfARolledBackTransactionIsNotKept) {
  IngestStore store(*repo_);
  {
    auto tx = Transaction::begin(repo_->connection(), Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    ASSERT_TRUE(store.record(message("hq-rolled-back")).isOk());
  }  // no commit
  auto found = store.find("hq-rolled-back");
  ASSERT_TRUE(found.isOk());
  EXPECT_FALSE(found->has_value());
}

}  // namespace
}  // namespace phaseout::storage
