#include "storage/webhook_store.h"

#include "storage/catalog.h"
#include "storage/rows.h"

namespace phaseout::storage {
namespace {

constexpr std::string_view kVerdictCursor = "verdicts";

WebhookDeliveryRecord readDelivery(Statement& s) {
  auto at = [](std::string_view c) consteval { return columnIndex(kWebhookDeliveryColumns, c); };
  WebhookDeliveryRecord d;
  d.delivery_id = s.text(at("delivery_id"));
  d.ordinal = s.integer(at("ordinal"));
  d.endpoint = s.text(at("endpoint"));
  d.device_id = s.text(at("device_id"));
  d.payload = s.text(at("payload"));
  d.created_ms = s.integer(at("created_ms"));
  d.attempts = s.integer(at("attempts"));
  d.next_attempt_ms = s.integer(at("next_attempt_ms"));
  if (!s.isNull(at("claimed_by"))) d.claimed_by = std::string(s.text(at("claimed_by")));
  d.claim_until_ms = optionalInteger(s, at("claim_until_ms"));
  d.delivered_ms = optionalInteger(s, at("delivered_ms"));
  d.failed_ms = optionalInteger(s, at("failed_ms"));
  d.last_error = s.text(at("last_error"));
  return d;
}

Result<std::vector<WebhookDeliveryRecord>> readDeliveries(Statement& s) {
  std::vector<WebhookDeliveryRecord> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    out.push_back(readDelivery(s));
  }
  return out;
}

}  // namespace

Result<std::optional<WebhookCursor>> WebhookStore::loadCursor() {
  auto at = [](std::string_view c) consteval { return columnIndex(kWebhookCursorColumns, c); };
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWebhookCursor));
  s->bind("name", kVerdictCursor);
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return std::optional<WebhookCursor>();
  WebhookCursor c;
  c.event_seq = s->integer(at("event_seq"));
  c.day = static_cast<std::int32_t>(s->integer(at("day")));
  c.updated_ms = s->integer(at("updated_ms"));
  return std::optional<WebhookCursor>(c);
}

Status WebhookStore::saveCursor(const WebhookCursor& cursor) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kUpsertWebhookCursor));
  s->bind("name", kVerdictCursor);
  s->bind("event_seq", cursor.event_seq);
  s->bind("day", std::int64_t{cursor.day});
  s->bind("updated_ms", cursor.updated_ms);
  return s->execute();
}

Status WebhookStore::forEachVerdict(const std::function<void(WebhookVerdictRow&&)>& row) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWebhookVerdicts));
  while (true) {
    PH_ASSIGN_OR_RETURN(bool more, s->step());
    if (!more) break;
    row(WebhookVerdictRow{std::string(s->text(0)), std::string(s->text(1)),
                          std::string(s->text(2))});
  }
  return Status::ok();
}

Status WebhookStore::putVerdict(const WebhookVerdictRow& verdict) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kUpsertWebhookVerdict));
  s->bind("directive_id", verdict.directive_id);
  s->bind("device_id", verdict.device_id);
  s->bind("status", verdict.status);
  return s->execute();
}

Status WebhookStore::removeVerdict(const std::string& directive_id, const std::string& device_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kDeleteWebhookVerdict));
  s->bind("directive_id", directive_id);
  s->bind("device_id", device_id);
  return s->execute();
}

Result<std::int64_t> WebhookStore::nextOrdinal() {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kMaxWebhookOrdinal));
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row || s->isNull(0)) return std::int64_t{1};
  return s->integer(0) + 1;
}

Status WebhookStore::insertDelivery(const WebhookDeliveryRecord& d) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kInsertWebhookDelivery));
  s->bind("delivery_id", d.delivery_id);
  s->bind("ordinal", d.ordinal);
  s->bind("endpoint", d.endpoint);
  s->bind("device_id", d.device_id);
  s->bind("payload", d.payload);
  s->bind("created_ms", d.created_ms);
  s->bind("attempts", d.attempts);
  s->bind("next_attempt_ms", d.next_attempt_ms);
  if (d.claimed_by) {
    s->bind("claimed_by", *d.claimed_by);
  } else {
    s->bindNull("claimed_by");
  }
  bindOptional(*s, "claim_until_ms", d.claim_until_ms);
  bindOptional(*s, "delivered_ms", d.delivered_ms);
  bindOptional(*s, "failed_ms", d.failed_ms);
  s->bind("last_error", d.last_error);
  return s->execute();
}

Result<std::vector<WebhookDeliveryRecord>> WebhookStore::openDeliveries(const std::string& endpoint,
                                                                        std::size_t limit) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kOpenWebhookDeliveries));
  s->bind("endpoint", endpoint);
  s->bind("limit", static_cast<std::int64_t>(limit));
  return readDeliveries(*s);
}

Status WebhookStore::claim(const std::string& delivery_id, const std::string& claimer,
                           std::int64_t until_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kClaimWebhookDelivery));
  s->bind("delivery_id", delivery_id);
  s->bind("claimed_by", claimer);
  s->bind("claim_until_ms", until_ms);
  return s->execute();
}

Status WebhookStore::markDelivered(const std::string& delivery_id, const std::string& claimer,
                                   std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWebhookDelivered));
  s->bind("delivery_id", delivery_id);
  s->bind("claimed_by", claimer);
  s->bind("delivered_ms", now_ms);
  return s->execute();
}

Status WebhookStore::markAttemptFailed(const std::string& delivery_id, const std::string& claimer,
                                       std::int64_t next_attempt_ms,
                                       std::optional<std::int64_t> failed_ms,
                                       const std::string& error) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWebhookAttemptFailed));
  s->bind("delivery_id", delivery_id);
  s->bind("claimed_by", claimer);
  s->bind("next_attempt_ms", next_attempt_ms);
  bindOptional(*s, "failed_ms", failed_ms);
  s->bind("last_error", error);
  return s->execute();
}

Result<std::vector<WebhookDeliveryRecord>> WebhookStore::listDeliveries(const std::string& endpoint,
                                                                        std::size_t limit) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWebhookDeliveries));
  s->bind("endpoint", endpoint);
  s->bind("limit", static_cast<std::int64_t>(limit));
  return readDeliveries(*s);
}

}  // namespace phaseout::storage
