// WebhookStore: the state behind `phaseout serve`'s webhooks (migration 7) — the verdicts last
// announced per (directive, device), the cursor saying up to which event and day they were
// computed, and the outbox of deliveries (one row per change and endpoint; its id is the
// receiver's idempotency key).
//
// Server state, not history: these rows change in place and append no audit event (a delivery
// is not a change made by a person; the change it announces already has its event). Writes
// must run inside the caller's write transaction, so a snapshot advance and the deliveries it
// creates commit together; write transactions are serialised by the engine (BEGIN IMMEDIATE,
// PostgreSQL's advisory lock), which is what makes a claim read-then-update safe between
// processes. Not thread-safe; shares the Repository's connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/repository.h"

namespace phaseout::storage {

struct WebhookCursor {
  std::int64_t event_seq = 0;  // the last event seq the stored verdicts reflect
  std::int32_t day = 0;        // Date::days() of the day they were evaluated as of
  std::int64_t updated_ms = 0;
};

struct WebhookVerdictRow {
  std::string directive_id;
  std::string device_id;
  std::string status;  // policy::name(VerdictStatus)
};

struct WebhookDeliveryRecord {
  std::string delivery_id;
  std::int64_t ordinal = 0;  // creation order (per-device order is kept by it)
  std::string endpoint;      // the webhook's URL as configured
  std::string device_id;
  std::string payload;  // the JSON body, exactly as signed and sent
  std::int64_t created_ms = 0;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::optional<std::string> claimed_by;
  std::optional<std::int64_t> claim_until_ms;
  std::optional<std::int64_t> delivered_ms;
  std::optional<std::int64_t> failed_ms;
  std::string last_error;  // why the last attempt failed ("" when none did)
};

class WebhookStore {
 public:
  explicit WebhookStore(Repository& repository) : repo_(repository) {}

  // std::nullopt before the first snapshot was stored.
  Result<std::optional<WebhookCursor>> loadCursor();
  Status saveCursor(const WebhookCursor& cursor);

  // Every stored verdict, ordered by (directive_id, device_id), handed to `row` one at a time.
  Status forEachVerdict(const std::function<void(WebhookVerdictRow&&)>& row);
  Status putVerdict(const WebhookVerdictRow& verdict);
  // Forgets a verdict (the device left the directive's scope).
  Status removeVerdict(const std::string& directive_id, const std::string& device_id);

  // The next ordinal to give a delivery (1 for the first).
  Result<std::int64_t> nextOrdinal();
  Status insertDelivery(const WebhookDeliveryRecord& delivery);

  // The deliveries of `endpoint` neither delivered nor given up, oldest first, at most `limit`.
  Result<std::vector<WebhookDeliveryRecord>> openDeliveries(const std::string& endpoint,
                                                            std::size_t limit);
  // Records that `claimer` sends the delivery until `until_ms`.
  Status claim(const std::string& delivery_id, const std::string& claimer, std::int64_t until_ms);
  // The outcome of an attempt by `claimer`; nothing changes when the claim was lost meanwhile
  // (another process sends it again: at least once).
  Status markDelivered(const std::string& delivery_id, const std::string& claimer,
                       std::int64_t now_ms);
  // A failed attempt: retried at `next_attempt_ms`, or given up when `failed_ms` is set.
  Status markAttemptFailed(const std::string& delivery_id, const std::string& claimer,
                           std::int64_t next_attempt_ms, std::optional<std::int64_t> failed_ms,
                           const std::string& error);

  // The deliveries of `endpoint` ("" = every endpoint), newest first, at most `limit`.
  Result<std::vector<WebhookDeliveryRecord>> listDeliveries(const std::string& endpoint,
                                                            std::size_t limit);

 private:
  Repository& repo_;
};

}  // namespace phaseout::storage
