// The statement catalog: every query the stores run, by name, with named parameters
// (`:device_id`), in portable SQL (BIGINT, TEXT, epoch ms). An engine whose SQL differs for a
// statement supplies its own text for that name (a dialect variant); every other statement is
// shared. Column lists are written once, here, and the row readers find a column's position
// with columnIndex(), so a list and its readers cannot drift apart.
//
// The schema itself (CREATE TABLE ...) is the numbered migrations (migrations.h); its
// engine-specific spots are filled in by dialectSql() there. Internal to storage.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/connection.h"

namespace phaseout::storage {

// --- column lists, in table order (the order of the migrations' CREATE TABLE) ---------------

inline constexpr std::array<std::string_view, 9> kEventColumns = {
    "seq",     "effective_day", "recorded_ms", "actor", "kind",
    "subject", "payload",       "prev_hash",   "hash"};
inline constexpr std::array<std::string_view, 9> kPersonColumns = {
    "person_id", "valid_from", "seq", "name", "email", "unit", "roles", "status", "upn"};
inline constexpr std::array<std::string_view, 16> kDeviceColumns = {
    "device_id",  "valid_from", "seq",     "holder", "kind", "vendor", "model",    "platform",
    "os_version", "ownership",  "channel", "serial", "imei", "macs",   "hostname", "state"};
inline constexpr std::array<std::string_view, 6> kDirectiveColumns = {
    "directive_id", "version", "valid_from", "seq", "title", "source_text"};
inline constexpr std::array<std::string_view, 10> kWaiverColumns = {
    "waiver_id", "directive_id", "device_id", "person_id", "unit",
    "approver",  "reason",       "from_day",  "until_day", "seq"};
inline constexpr std::array<std::string_view, 3> kWaiverRevocationColumns = {"waiver_id",
                                                                             "revoked_from", "seq"};
inline constexpr std::array<std::string_view, 9> kWaiverRequestColumns = {
    "request_id", "directive_id", "device_id",     "requested_by", "reason",
    "from_day",   "until_day",    "requested_day", "seq"};
inline constexpr std::array<std::string_view, 7> kWaiverDecisionColumns = {
    "request_id", "decision", "decided_by", "decided_day", "reason", "waiver_id", "seq"};
inline constexpr std::array<std::string_view, 7> kCaseStepColumns = {
    "seq", "directive_id", "device_id", "stage", "on_day", "actor", "note"};
inline constexpr std::array<std::string_view, 4> kEvidenceColumns = {"sha256", "name", "size_bytes",
                                                                     "content"};
inline constexpr std::array<std::string_view, 7> kNotificationColumns = {
    "directive_id", "device_id", "milestone", "step", "recipient", "sent_day", "seq"};
inline constexpr std::array<std::string_view, 20> kSightingColumns = {
    "seq",   "item",      "sighting_key",   "seen_day", "first_seen_ms", "last_seen_ms", "macs",
    "ips",   "hostnames", "users",          "serial",   "vendor",        "platform",     "kind",
    "model", "level",     "confidence_ppm", "sources",  "services",      "evidence"};
inline constexpr std::array<std::string_view, 4> kCredentialColumns = {"person_id", "password_hash",
                                                                       "locked", "updated_ms"};
inline constexpr std::array<std::string_view, 6> kSessionColumns = {
    "session_hash", "person_id", "csrf_token", "created_ms", "last_seen_ms", "ended_ms"};
inline constexpr std::array<std::string_view, 9> kTokenColumns = {
    "token_id",    "person_id",  "name",       "secret_hash", "scope",
    "expires_day", "created_ms", "revoked_ms", "last_used_ms"};
inline constexpr std::array<std::string_view, 3> kLanguageColumns = {"person_id", "language",
                                                                     "updated_ms"};
inline constexpr std::array<std::string_view, 12> kSourceRecordColumns = {
    "source",      "record_id", "seq",      "device_id",  "file",         "location",
    "exported_ms", "synced_ms", "presence", "holder_ref", "holder_match", "fields"};
inline constexpr std::array<std::string_view, 4> kWebhookCursorColumns = {"name", "event_seq",
                                                                          "day", "updated_ms"};
inline constexpr std::array<std::string_view, 3> kWebhookVerdictColumns = {"directive_id",
                                                                           "device_id", "status"};
inline constexpr std::array<std::string_view, 13> kWebhookDeliveryColumns = {
    "delivery_id",  "ordinal",   "endpoint",        "device_id",  "payload",
    "created_ms",   "attempts",  "next_attempt_ms", "claimed_by", "claim_until_ms",
    "delivered_ms", "failed_ms", "last_error"};
inline constexpr std::array<std::string_view, 4> kIngestedMessageColumns = {"message_id", "seq",
                                                                            "site", "received_ms"};
// What evaluation and campaigns read of a version (Repository::Fields::kEvaluation): the
// streams of millions of rows carry nothing else.
inline constexpr std::array<std::string_view, 4> kPersonEvaluationColumns = {"person_id", "unit",
                                                                             "roles", "status"};
inline constexpr std::array<std::string_view, 8> kDeviceEvaluationColumns = {
    "device_id", "holder", "kind", "vendor", "model", "platform", "os_version", "state"};
// What the status counts read of a device (Repository::Fields::kCounting): the rules read no
// os_version (only the explanations of a verdict quote it), and each column sent costs the
// server as much as the scan of the row.
inline constexpr std::array<std::string_view, 7> kDeviceCountingColumns = {
    "device_id", "holder", "kind", "vendor", "model", "platform", "state"};
// What a directive record is read as: its version row and the event that wrote it.
inline constexpr std::array<std::string_view, 7> kDirectiveRecordColumns = {
    "d.directive_id", "d.version",     "d.valid_from", "d.title",
    "d.source_text",  "e.recorded_ms", "e.actor"};

// Versioned tables (people, devices) start with their id, valid_from and seq: the readers of
// versions read these positions whichever table they scan.
inline constexpr int kVersionValidFrom = 1;
inline constexpr int kVersionSeq = 2;

// The position of `name` in `columns`; a name not in the list does not compile.
template <std::size_t N>
consteval int columnIndex(const std::array<std::string_view, N>& columns, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  throw "column not in the list";
}

template <std::size_t N>
consteval bool hasColumn(const std::array<std::string_view, N>& columns, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (columns[i] == name) return true;
  }
  return false;
}

static_assert(columnIndex(kPersonColumns, "valid_from") == kVersionValidFrom &&
              columnIndex(kDeviceColumns, "valid_from") == kVersionValidFrom &&
              columnIndex(kPersonColumns, "seq") == kVersionSeq &&
              columnIndex(kDeviceColumns, "seq") == kVersionSeq);

// --- statements ----------------------------------------------------------------------------

enum class Query {
  // schema_version (migrations.h)
  kCreateSchemaVersion,
  kSchemaVersionTableExists,  // 1 when the table exists (reading it never creates it)
  kSchemaVersion,
  kInsertSchemaVersion,
  // events
  kLastEvent,
  kLastEventSeq,
  kInsertEvent,
  kSelectEvents,
  kEventsAfter,  // seq > :after, in seq order, at most :limit
  kEventsAbout,  // subject :subject, or a case step of device :subject, in seq order
  // people
  kInsertPerson,
  kCountPersonVersions,
  kPeopleAsOf,
  kPeopleAsOfForEvaluation,
  kPeopleAsOfFromForEvaluation,   // person_id >= :from
  kPeopleAsOfBelowForEvaluation,  // person_id < :to
  kPersonIdAtOffset,
  kPersonIdSample,  // a sample of person ids in order, to split a load (PostgreSQL; else none)
  kPersonAsOf,
  kPersonIds,
  kPersonVersions,    // every version, ordered by (person_id, valid_from, seq)
  kVersionsOfPerson,  // one person's versions, ordered
  kPersonRows,        // every version, unordered (audit digests)
  // devices
  kInsertDevice,
  kCountDeviceVersions,
  kDevicesAsOf,
  kDevicesAsOfFrom,     // device_id >= :from
  kDevicesAsOfBelow,    // device_id < :to
  kDevicesAsOfBetween,  // :from <= device_id < :to
  kDevicesAsOfForEvaluation,
  kDevicesAsOfFromForEvaluation,
  kDevicesAsOfBelowForEvaluation,
  kDevicesAsOfBetweenForEvaluation,
  kDevicesAsOfForCounting,
  kDevicesAsOfFromForCounting,
  kDevicesAsOfBelowForCounting,
  kDevicesAsOfBetweenForCounting,
  kDeviceAsOf,
  kDeviceExists,
  kDeviceIdAtOffset,
  kDeviceIdSample,  // a sample of device ids in order, to split a load (PostgreSQL; else none)
  kDeviceVersions,  // every version, ordered by (device_id, valid_from, seq)
  kDeviceVersionsForCampaign,       // the same, only the columns campaigns read
  kDeviceVersionsForCampaignBelow,  // ... device_id < :split
  kDeviceVersionsForCampaignFrom,   // ... device_id >= :split
  kDeviceVersionAtOffset,           // id, valid_from, seq of the :at-th version in order
  kCountEarlierVersionsOfDevice,    // versions of :id before (:v, :s)
  kVersionsOfDevice,                // one device's versions, ordered
  kOtherDevicesOfHolder,            // versions of devices held by :holder, except :id
  kDeviceRows,                      // every version, unordered (audit digests)
  // directives
  kInsertDirective,
  kLatestDirectiveText,
  kDirectiveRows,  // every version, ordered by (directive_id, version)
  kLatestDirectives,
  kLatestDirective,
  kDirectiveVersion,
  kDirectiveInForce,
  kDirectiveVersionsOf,   // version, valid_from, source_text of :directive_id
  kAllDirectiveVersions,  // directive_id, version, valid_from, source_text
  // waivers
  kCountWaivers,
  kInsertWaiver,
  kWaiverRevocationOf,
  kInsertWaiverRevocation,
  kWaivers,  // with revoked_from; of :directive_id unless it is ''
  kWaiverRows,
  kWaiverRevocationRows,
  // waiver requests
  kCountWaiverRequests,
  kInsertWaiverRequest,
  kInsertWaiverDecision,
  kWaiverRequests,  // with their decision columns; of :directive_id unless it is ''
  kWaiverRequestRows,
  kWaiverDecisionRows,
  // case steps
  kInsertCaseStep,
  kCaseStepsOf,
  kCaseStepRows,
  // evidence
  kInsertEvidence,
  kEvidenceContent,
  kEvidenceRows,
  // notifications
  kInsertNotification,
  kNotificationSent,
  kNotificationsOf,
  kNotificationRows,
  // sightings
  kInsertSighting,
  kSightingsBetween,
  kSightingRows,
  // accounts (account_store.h)
  kPersonIdsByEmail,  // people ever stored with lower(email) or lower(upn) = :email
  kCredentialOf,
  kSetPasswordHash,  // inserts the credential or replaces its hash (keeps the lock)
  kSetLocked,        // inserts the credential (no password) or sets its lock
  kInsertSession,
  kSessionOf,
  kTouchSession,
  kEndSession,
  kEndSessionsOf,
  kDeleteSessionsBefore,  // sessions last seen before :before
  kInsertToken,
  kCountTokens,
  kTokenOf,
  kTokenBySecret,
  kTokenByName,
  kTokens,  // of :person_id unless it is '', in id order
  kRevokeToken,
  kTouchToken,
  // source records (import provenance)
  kInsertSourceRecord,
  kSourceRecords,          // every row, ordered by (source, record_id, seq)
  kSourceRecordsOfDevice,  // the rows of :device_id, ordered the same way
  kSourceRecordRows,       // every row, unordered (audit digests)
  // webhooks (webhook_store.h)
  kWebhookCursor,
  kUpsertWebhookCursor,
  kWebhookVerdicts,  // every row, ordered by (directive_id, device_id)
  kUpsertWebhookVerdict,
  kDeleteWebhookVerdict,
  kMaxWebhookOrdinal,
  kInsertWebhookDelivery,
  kOpenWebhookDeliveries,  // of :endpoint, neither delivered nor failed, by ordinal, :limit
  kClaimWebhookDelivery,
  kWebhookDelivered,      // only while :claimed_by holds the claim
  kWebhookAttemptFailed,  // the same
  kWebhookDeliveries,     // of :endpoint unless it is '', newest first, :limit
  // messages ingested from the bus (ingest_store.h)
  kIngestedMessage,  // the row of :message_id
  kInsertIngestedMessage,
  // people's languages (language_store.h)
  kLanguageOf,   // the language of :person_id
  kSetLanguage,  // inserts or replaces it
  kLanguages,    // every person's, ordered by person id

  kCount  // not a statement
};

inline constexpr std::size_t kQueryCount = static_cast<std::size_t>(Query::kCount);

// A dialect's own text for one statement.
struct Variant {
  Query query;
  std::string_view sql;
};

// The variants of `dialect` (empty for SQLite, whose text is the portable one).
std::span<const Variant> dialectVariants(Dialect dialect);

// The statements' text for one dialect: the portable text, replaced by `variants` where given.
class Catalog {
 public:
  explicit Catalog(std::span<const Variant> variants = {});
  const std::string& sql(Query query) const { return sql_[static_cast<std::size_t>(query)]; }
  // The statement's name, e.g. "insert_device" (the same for every dialect).
  std::string_view name(Query query) const { return names_[static_cast<std::size_t>(query)]; }

 private:
  std::array<std::string, kQueryCount> sql_;
  std::array<std::string_view, kQueryCount> names_;
};

// The catalog of `dialect`, built once (thread-safe).
const Catalog& catalog(Dialect dialect);

// Prepares the statement for the connection's dialect; a failure names the statement.
Result<std::unique_ptr<Statement>> prepare(Connection& connection, Query query);

// A bulk insert (Connection::bulkInsert) for one of the INSERT statements built from a column
// list (kInsertPerson, kInsertDevice, kInsertSighting, kInsertEvent); InvalidArgument for any
// other statement. A failure names the statement.
Result<std::unique_ptr<BulkInsert>> prepareBulkInsert(Connection& connection, Query insert);

}  // namespace phaseout::storage
