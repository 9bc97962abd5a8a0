// The webhook store (migration 7) against every engine: the cursor and the verdict snapshot
// round-trip and are replaced in place; deliveries keep their order, a claim is honoured only
// for its claimer, a failed attempt is retried or given up, and nothing of a rolled-back
// snapshot advance remains.
#include <gtest/gtest.h>

#include "storage/contract/store_contract.h"
#include "storage/webhook_store.h"

namespace phaseout::storage {
namespace {

WebhookDeliveryRecord delivery(std::string id, std::int64_t ordinal, std::string device) {
  WebhookDeliveryRecord d;
  d.delivery_id = std::move(id);
  d.ordinal = ordinal;
  d.endpoint = "http://127.0.0.1:9/hook";
  d.device_id = std::move(device);
  d.payload = R"({"device":"D-1"})";
  d.created_ms = 1000;
  d.next_attempt_ms = 1000;
  return d;
}

TEST_P(StoreContract, WebhookSnapshotAndCursorRoundTrip) {
  WebhookStore store(*repo_);
  ASSERT_FALSE(store.loadCursor()->has_value());
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    ASSERT_TRUE(store.putVerdict({"dir-b", "D-2", "pending"}).isOk());
    ASSERT_TRUE(store.putVerdict({"dir-a", "D-1", "overdue"}).isOk());
    ASSERT_TRUE(store.putVerdict({"dir-a", "D-1", "exempt"}).isOk());  // replaced
    ASSERT_TRUE(store.putVerdict({"dir-a", "D-3", "compliant"}).isOk());
    ASSERT_TRUE(store.removeVerdict("dir-a", "D-3").isOk());
    ASSERT_TRUE(store.saveCursor({7, 19000, 5}).isOk());
    ASSERT_TRUE(store.saveCursor({9, 19001, 6}).isOk());
    ASSERT_TRUE((*tx)->commit().isOk());
  }
  std::vector<std::string> rows;
  ASSERT_TRUE(store
                  .forEachVerdict([&](WebhookVerdictRow&& r) {
                    rows.push_back(r.directive_id + "/" + r.device_id + "=" + r.status);
                  })
                  .isOk());
  EXPECT_EQ(rows, (std::vector<std::string>{"dir-a/D-1=exempt", "dir-b/D-2=pending"}));
  auto cursor = store.loadCursor();
  ASSERT_TRUE(cursor.isOk() && cursor->has_value());
  EXPECT_EQ((*cursor)->event_seq, 9);
  EXPECT_EQ((*cursor)->day, 19001);
  EXPECT_EQ((*cursor)->updated_ms, 6);
}

TEST_P(StoreContract, WebhookDeliveriesAreClaimedRetriedAndClosed) {
  WebhookStore store(*repo_);
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    EXPECT_EQ(*store.nextOrdinal(), 1);
    ASSERT_TRUE(store.insertDelivery(delivery("wh-b", 2, "D-2")).isOk());
    ASSERT_TRUE(store.insertDelivery(delivery("wh-a", 1, "D-1")).isOk());
    auto other = delivery("wh-c", 3, "D-3");
    other.endpoint = "https://example.org/other";
    ASSERT_TRUE(store.insertDelivery(other).isOk());
    EXPECT_EQ(*store.nextOrdinal(), 4);
    ASSERT_TRUE((*tx)->commit().isOk());
  }
  auto open = store.openDeliveries("http://127.0.0.1:9/hook", 10);
  ASSERT_TRUE(open.isOk()) << open.status().toString();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].delivery_id, "wh-a");  // by ordinal
  EXPECT_EQ((*open)[0].payload, R"({"device":"D-1"})");
  EXPECT_FALSE((*open)[0].claimed_by.has_value());

  ASSERT_TRUE(store.claim("wh-a", "proc-1", 5000).isOk());
  ASSERT_TRUE(store.claim("wh-b", "proc-1", 5000).isOk());
  // Another claimer's outcome is ignored: the claim is proc-1's.
  ASSERT_TRUE(store.markDelivered("wh-a", "proc-2", 2000).isOk());
  open = store.openDeliveries("http://127.0.0.1:9/hook", 10);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].claimed_by.value_or(""), "proc-1");
  EXPECT_EQ((*open)[0].claim_until_ms.value_or(0), 5000);

  ASSERT_TRUE(store.markDelivered("wh-a", "proc-1", 2000).isOk());
  ASSERT_TRUE(store.markAttemptFailed("wh-b", "proc-1", 9000, std::nullopt, "HTTP 500").isOk());
  open = store.openDeliveries("http://127.0.0.1:9/hook", 10);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].delivery_id, "wh-b");
  EXPECT_EQ((*open)[0].attempts, 1);
  EXPECT_EQ((*open)[0].next_attempt_ms, 9000);
  EXPECT_EQ((*open)[0].last_error, "HTTP 500");
  EXPECT_FALSE((*open)[0].claimed_by.has_value());

  ASSERT_TRUE(store.claim("wh-b", "proc-2", 12000).isOk());
  ASSERT_TRUE(store.markAttemptFailed("wh-b", "proc-2", 0, 10000, "HTTP 502").isOk());
  EXPECT_TRUE(store.openDeliveries("http://127.0.0.1:9/hook", 10)->empty());
  auto all = store.listDeliveries("", 10);
  ASSERT_TRUE(all.isOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].delivery_id, "wh-c");  // newest first
  EXPECT_EQ((*all)[1].failed_ms.value_or(0), 10000);
  EXPECT_EQ((*all)[1].attempts, 2);
  EXPECT_EQ((*all)[2].delivered_ms.value_or(0), 2000);
  EXPECT_EQ((*all)[2].attempts, 1);
}

TEST_P(StoreContract, RolledBackWebhookAdvanceLeavesNothing) {
  WebhookStore store(*repo_);
  {
    auto tx = Transaction::begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(tx.isOk());
    ASSERT_TRUE(store.putVerdict({"dir-a", "D-1", "overdue"}).isOk());
    ASSERT_TRUE(store.insertDelivery(delivery("wh-a", 1, "D-1")).isOk());
    ASSERT_TRUE(store.saveCursor({3, 19000, 5}).isOk());
  }  // not committed
  EXPECT_FALSE(store.loadCursor()->has_value());
  EXPECT_TRUE(store.listDeliveries("", 10)->empty());
  std::size_t rows = 0;
  ASSERT_TRUE(store.forEachVerdict([&](WebhookVerdictRow&&) { ++rows; }).isOk());
  EXPECT_EQ(rows, 0u);
}

}  // namespace
}  // namespace phaseout::storage
