#include "storage/catalog.h"

#include <array>
#include <utility>

namespace phaseout::storage {
namespace {

using Columns = std::span<const std::string_view>;

// A column shown as a constant instead of read: `column` is replaced by `literal` at its own
// position, so readers of the full list read the narrower query unchanged.
struct Blank {
  std::string_view column;
  std::string_view literal;
};

// "a, b, c" (each name after `prefix`), with blanked columns as their literal.
std::string columnList(Columns columns, std::string_view prefix = {},
                       std::span<const Blank> blanks = {}) {
  std::string out;
  for (std::string_view c : columns) {
    if (!out.empty()) out += ", ";
    std::string_view literal;
    for (const Blank& b : blanks) {
      if (b.column == c) literal = b.literal;
    }
    if (literal.empty()) {
      out += prefix;
      out += c;
    } else {
      out += literal;
    }
  }
  return out;
}

// "INSERT INTO t (a, b) VALUES (:a, :b)": every parameter is named after its column.
std::string insertInto(std::string_view table, Columns columns) {
  return "INSERT INTO " + std::string(table) + " (" + columnList(columns) + ") VALUES (" +
         columnList(columns, ":") + ")";
}

// "SELECT a, b FROM t " (trailing space: a clause may follow).
std::string selectFrom(std::string_view table, Columns columns,
                       std::span<const Blank> blanks = {}) {
  return "SELECT " + columnList(columns, {}, blanks) + " FROM " + std::string(table) + " ";
}

// Campaigns read every version with its valid_from and seq, but not these: constants in their
// loads of millions of rows.
constexpr std::array<Blank, 6> kDeviceCampaignBlanks = {{{"ownership", "'unknown'"},
                                                         {"channel", "'unknown'"},
                                                         {"serial", "''"},
                                                         {"imei", "''"},
                                                         {"macs", "''"},
                                                         {"hostname", "''"}}};

constexpr std::string_view kVersionOrder = "ORDER BY device_id, valid_from, seq";
constexpr std::string_view kPersonOrder = "ORDER BY person_id, valid_from, seq";

struct Portable {
  std::array<std::string, kQueryCount> sql;
  std::array<std::string_view, kQueryCount> names;
};

const Portable& portable() {
  static const Portable kPortable = [] {
    Portable p;
    auto put = [&p](Query q, std::string_view name, std::string sql) {
      p.names[static_cast<std::size_t>(q)] = name;
      p.sql[static_cast<std::size_t>(q)] = std::move(sql);
    };
    const std::string people = selectFrom("person_versions", kPersonColumns);
    const std::string people_eval = selectFrom("person_versions", kPersonEvaluationColumns);
    const std::string devices = selectFrom("device_versions", kDeviceColumns);
    const std::string devices_eval = selectFrom("device_versions", kDeviceEvaluationColumns);
    const std::string devices_counting = selectFrom("device_versions", kDeviceCountingColumns);
    const std::string devices_campaign =
        selectFrom("device_versions", kDeviceColumns, kDeviceCampaignBlanks);
    const std::string directive_records = "SELECT " + columnList(kDirectiveRecordColumns) +
                                          " FROM directive_versions d JOIN events e ON e.seq = "
                                          "d.seq ";
    const std::string as_of = "WHERE valid_from <= :day ";
    const std::string from = "AND device_id >= :from ";
    const std::string below = "AND device_id < :to ";

    put(Query::kCreateSchemaVersion, "create_schema_version",
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
    put(Query::kSchemaVersionTableExists, "schema_version_table_exists",
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    put(Query::kSchemaVersion, "schema_version", "SELECT max(version) FROM schema_version");
    put(Query::kInsertSchemaVersion, "insert_schema_version",
        "INSERT INTO schema_version (version) VALUES (:version)");

    put(Query::kLastEvent, "last_event", "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
    put(Query::kLastEventSeq, "last_event_seq", "SELECT coalesce(max(seq), 0) FROM events");
    put(Query::kInsertEvent, "insert_event", insertInto("events", kEventColumns));
    put(Query::kSelectEvents, "select_events",
        selectFrom("events", kEventColumns) + "ORDER BY seq");
    put(Query::kEventsAfter, "events_after",
        selectFrom("events", kEventColumns) + "WHERE seq > :after ORDER BY seq LIMIT :limit");
    // A case step's event names "<directive>/<device>"; its row in case_steps names the
    // device. Both through an index (events_by_subject, case_steps_by_device: migration 10),
    // never a scan of the trail.
    put(Query::kEventsAbout, "events_about",
        selectFrom("events", kEventColumns) +
            "WHERE subject = :subject OR seq IN (SELECT seq FROM case_steps WHERE device_id = "
            ":subject) ORDER BY seq");

    put(Query::kInsertPerson, "insert_person", insertInto("person_versions", kPersonColumns));
    put(Query::kCountPersonVersions, "count_person_versions",
        "SELECT count(*) FROM person_versions");
    put(Query::kPeopleAsOf, "people_as_of", people + as_of + std::string(kPersonOrder));
    put(Query::kPeopleAsOfForEvaluation, "people_as_of_for_evaluation",
        people_eval + as_of + std::string(kPersonOrder));
    put(Query::kPeopleAsOfFromForEvaluation, "people_as_of_from_for_evaluation",
        people_eval + as_of + "AND person_id >= :from " + std::string(kPersonOrder));
    put(Query::kPeopleAsOfBelowForEvaluation, "people_as_of_below_for_evaluation",
        people_eval + as_of + "AND person_id < :to " + std::string(kPersonOrder));
    put(Query::kPersonIdAtOffset, "person_id_at_offset",
        "SELECT person_id FROM person_versions ORDER BY person_id LIMIT 1 OFFSET :offset");
    // SQLite has no sampling: no rows, and the split falls back to the exact offset.
    put(Query::kPersonIdSample, "person_id_sample",
        "SELECT person_id FROM person_versions WHERE 0 = 1");
    put(Query::kPersonAsOf, "person_as_of",
        people +
            "WHERE person_id = :id AND valid_from <= :day "
            "ORDER BY valid_from DESC, seq DESC LIMIT 1");
    put(Query::kPersonIds, "person_ids",
        "SELECT DISTINCT person_id FROM person_versions ORDER BY person_id");
    put(Query::kPersonVersions, "person_versions", people + std::string(kPersonOrder));
    put(Query::kVersionsOfPerson, "versions_of_person",
        people + "WHERE person_id = :id ORDER BY valid_from, seq");
    put(Query::kPersonRows, "person_rows", people);

    put(Query::kInsertDevice, "insert_device", insertInto("device_versions", kDeviceColumns));
    put(Query::kCountDeviceVersions, "count_device_versions",
        "SELECT count(*) FROM device_versions");
    const std::string order(kVersionOrder);
    // The four devices-as-of statements of one column list: open, from, below, between.
    using Named = std::pair<Query, std::string_view>;
    const auto devices_as_of = [&](const std::array<Named, 4>& q, const std::string& select) {
      put(q[0].first, q[0].second, select + as_of + order);
      put(q[1].first, q[1].second, select + as_of + from + order);
      put(q[2].first, q[2].second, select + as_of + below + order);
      put(q[3].first, q[3].second, select + as_of + from + below + order);
    };
    devices_as_of({{{Query::kDevicesAsOf, "devices_as_of"},
                    {Query::kDevicesAsOfFrom, "devices_as_of_from"},
                    {Query::kDevicesAsOfBelow, "devices_as_of_below"},
                    {Query::kDevicesAsOfBetween, "devices_as_of_between"}}},
                  devices);
    devices_as_of(
        {{{Query::kDevicesAsOfForEvaluation, "devices_as_of_for_evaluation"},
          {Query::kDevicesAsOfFromForEvaluation, "devices_as_of_from_for_evaluation"},
          {Query::kDevicesAsOfBelowForEvaluation, "devices_as_of_below_for_evaluation"},
          {Query::kDevicesAsOfBetweenForEvaluation, "devices_as_of_between_for_evaluation"}}},
        devices_eval);
    devices_as_of({{{Query::kDevicesAsOfForCounting, "devices_as_of_for_counting"},
                    {Query::kDevicesAsOfFromForCounting, "devices_as_of_from_for_counting"},
                    {Query::kDevicesAsOfBelowForCounting, "devices_as_of_below_for_counting"},
                    {Query::kDevicesAsOfBetweenForCounting, "devices_as_of_between_for_counting"}}},
                  devices_counting);
    put(Query::kDeviceAsOf, "device_as_of",
        devices +
            "WHERE device_id = :id AND valid_from <= :day "
            "ORDER BY valid_from DESC, seq DESC LIMIT 1");
    put(Query::kDeviceExists, "device_exists",
        "SELECT 1 FROM device_versions WHERE device_id = :id LIMIT 1");
    put(Query::kDeviceIdAtOffset, "device_id_at_offset",
        "SELECT device_id FROM device_versions ORDER BY device_id LIMIT 1 OFFSET :offset");
    put(Query::kDeviceIdSample, "device_id_sample",
        "SELECT device_id FROM device_versions WHERE 0 = 1");
    put(Query::kDeviceVersions, "device_versions", devices + order);
    put(Query::kDeviceVersionsForCampaign, "device_versions_for_campaign",
        devices_campaign + order);
    put(Query::kDeviceVersionsForCampaignBelow, "device_versions_for_campaign_below",
        devices_campaign + "WHERE device_id < :split " + order);
    put(Query::kDeviceVersionsForCampaignFrom, "device_versions_for_campaign_from",
        devices_campaign + "WHERE device_id >= :split " + order);
    put(Query::kDeviceVersionAtOffset, "device_version_at_offset",
        "SELECT device_id, valid_from, seq FROM device_versions " + order +
            " LIMIT 1 OFFSET :offset");
    put(Query::kCountEarlierVersionsOfDevice, "count_earlier_versions_of_device",
        "SELECT count(*) FROM device_versions WHERE device_id = :id AND (valid_from < "
        ":valid_from OR (valid_from = :valid_from AND seq < :seq))");
    put(Query::kVersionsOfDevice, "versions_of_device",
        devices + "WHERE device_id = :id ORDER BY valid_from, seq");
    put(Query::kOtherDevicesOfHolder, "other_devices_of_holder",
        devices + "WHERE holder = :holder AND device_id <> :id");
    put(Query::kDeviceRows, "device_rows", devices);

    put(Query::kInsertDirective, "insert_directive",
        insertInto("directive_versions", kDirectiveColumns));
    put(Query::kLatestDirectiveText, "latest_directive_text",
        "SELECT version, source_text FROM directive_versions WHERE directive_id = :directive_id "
        "ORDER BY version DESC LIMIT 1");
    put(Query::kDirectiveRows, "directive_rows",
        selectFrom("directive_versions", kDirectiveColumns) + "ORDER BY directive_id, version");
    put(Query::kLatestDirectives, "latest_directives",
        directive_records +
            "WHERE d.version = (SELECT max(version) FROM directive_versions x WHERE "
            "x.directive_id = d.directive_id) ORDER BY d.directive_id");
    put(Query::kLatestDirective, "latest_directive",
        directive_records + "WHERE d.directive_id = :directive_id ORDER BY d.version DESC LIMIT 1");
    put(Query::kDirectiveVersion, "directive_version",
        directive_records + "WHERE d.directive_id = :directive_id AND d.version = :version");
    put(Query::kDirectiveInForce, "directive_in_force",
        directive_records +
            "WHERE d.directive_id = :directive_id AND d.valid_from <= :day "
            "ORDER BY d.valid_from DESC, d.version DESC LIMIT 1");
    put(Query::kDirectiveVersionsOf, "directive_versions_of",
        "SELECT version, valid_from, source_text FROM directive_versions WHERE directive_id = "
        ":directive_id ORDER BY valid_from, version");
    put(Query::kAllDirectiveVersions, "all_directive_versions",
        "SELECT directive_id, version, valid_from, source_text FROM directive_versions ORDER BY "
        "directive_id, valid_from, version");

    put(Query::kCountWaivers, "count_waivers", "SELECT count(*) FROM waivers");
    put(Query::kInsertWaiver, "insert_waiver", insertInto("waivers", kWaiverColumns));
    put(Query::kWaiverRevocationOf, "waiver_revocation_of",
        "SELECT w.waiver_id, r.revoked_from FROM waivers w LEFT JOIN waiver_revocations r ON "
        "r.waiver_id = w.waiver_id WHERE w.waiver_id = :waiver_id");
    put(Query::kInsertWaiverRevocation, "insert_waiver_revocation",
        insertInto("waiver_revocations", kWaiverRevocationColumns));
    put(Query::kWaivers, "waivers",
        "SELECT " + columnList(kWaiverColumns, "w.") +
            ", r.revoked_from FROM waivers w LEFT JOIN waiver_revocations r ON r.waiver_id = "
            "w.waiver_id WHERE :directive_id = '' OR w.directive_id = :directive_id ORDER BY "
            "w.waiver_id");
    put(Query::kWaiverRows, "waiver_rows", selectFrom("waivers", kWaiverColumns));
    put(Query::kWaiverRevocationRows, "waiver_revocation_rows",
        selectFrom("waiver_revocations", kWaiverRevocationColumns));

    put(Query::kCountWaiverRequests, "count_waiver_requests",
        "SELECT count(*) FROM waiver_requests");
    put(Query::kInsertWaiverRequest, "insert_waiver_request",
        insertInto("waiver_requests", kWaiverRequestColumns));
    put(Query::kInsertWaiverDecision, "insert_waiver_decision",
        insertInto("waiver_decisions", kWaiverDecisionColumns));
    put(Query::kWaiverRequests, "waiver_requests",
        "SELECT " + columnList(kWaiverRequestColumns, "r.") + ", " +
            columnList(kWaiverDecisionColumns, "d.") +
            " FROM waiver_requests r LEFT JOIN waiver_decisions d ON d.request_id = "
            "r.request_id WHERE :directive_id = '' OR r.directive_id = :directive_id ORDER BY "
            "r.request_id");
    put(Query::kWaiverRequestRows, "waiver_request_rows",
        selectFrom("waiver_requests", kWaiverRequestColumns));
    put(Query::kWaiverDecisionRows, "waiver_decision_rows",
        selectFrom("waiver_decisions", kWaiverDecisionColumns));

    put(Query::kInsertCaseStep, "insert_case_step", insertInto("case_steps", kCaseStepColumns));
    put(Query::kCaseStepsOf, "case_steps_of",
        selectFrom("case_steps", kCaseStepColumns) +
            "WHERE directive_id = :directive_id ORDER BY on_day, seq");
    put(Query::kCaseStepRows, "case_step_rows", selectFrom("case_steps", kCaseStepColumns));

    // Stored once per content: a second file with the same bytes is the same evidence.
    put(Query::kInsertEvidence, "insert_evidence",
        insertInto("evidence", kEvidenceColumns) + " ON CONFLICT (sha256) DO NOTHING");
    put(Query::kEvidenceContent, "evidence_content",
        "SELECT content FROM evidence WHERE sha256 = :sha256");
    put(Query::kEvidenceRows, "evidence_rows",
        "SELECT sha256, content FROM evidence ORDER BY sha256");

    put(Query::kInsertNotification, "insert_notification",
        insertInto("notifications", kNotificationColumns));
    put(Query::kNotificationSent, "notification_sent",
        "SELECT 1 FROM notifications WHERE directive_id = :directive_id AND device_id = "
        ":device_id AND milestone = :milestone AND step = :step");
    put(Query::kNotificationsOf, "notifications_of",
        selectFrom("notifications", kNotificationColumns) +
            "WHERE directive_id = :directive_id ORDER BY sent_day, seq");
    put(Query::kNotificationRows, "notification_rows",
        selectFrom("notifications", kNotificationColumns));

    put(Query::kInsertSighting, "insert_sighting", insertInto("sightings", kSightingColumns));
    put(Query::kSightingsBetween, "sightings_between",
        selectFrom("sightings", kSightingColumns) +
            "WHERE seen_day >= :since AND seen_day <= :until ORDER BY seen_day, seq, item");
    put(Query::kSightingRows, "sighting_rows", selectFrom("sightings", kSightingColumns));

    put(Query::kPersonIdsByEmail, "person_ids_by_email",
        "SELECT DISTINCT person_id FROM person_versions "
        "WHERE lower(email) = :email OR lower(upn) = :email ORDER BY person_id");
    put(Query::kCredentialOf, "credential_of",
        selectFrom("account_credentials", kCredentialColumns) + "WHERE person_id = :person_id");
    put(Query::kSetPasswordHash, "set_password_hash",
        "INSERT INTO account_credentials (" + columnList(kCredentialColumns) +
            ") VALUES (:person_id, :password_hash, 0, :updated_ms) ON CONFLICT (person_id) DO "
            "UPDATE SET password_hash = excluded.password_hash, updated_ms = excluded.updated_ms");
    put(Query::kSetLocked, "set_locked",
        "INSERT INTO account_credentials (" + columnList(kCredentialColumns) +
            ") VALUES (:person_id, '', :locked, :updated_ms) ON CONFLICT (person_id) DO UPDATE "
            "SET locked = excluded.locked, updated_ms = excluded.updated_ms");
    put(Query::kInsertSession, "insert_session", insertInto("sessions", kSessionColumns));
    put(Query::kSessionOf, "session_of",
        selectFrom("sessions", kSessionColumns) + "WHERE session_hash = :session_hash");
    put(Query::kTouchSession, "touch_session",
        "UPDATE sessions SET last_seen_ms = :last_seen_ms WHERE session_hash = :session_hash");
    put(Query::kEndSession, "end_session",
        "UPDATE sessions SET ended_ms = :ended_ms WHERE session_hash = :session_hash AND "
        "ended_ms IS NULL");
    put(Query::kEndSessionsOf, "end_sessions_of",
        "UPDATE sessions SET ended_ms = :ended_ms WHERE person_id = :person_id AND ended_ms IS "
        "NULL");
    put(Query::kDeleteSessionsBefore, "delete_sessions_before",
        "DELETE FROM sessions WHERE last_seen_ms < :before");
    put(Query::kInsertToken, "insert_token", insertInto("tokens", kTokenColumns));
    put(Query::kCountTokens, "count_tokens", "SELECT count(*) FROM tokens");
    const std::string tokens = selectFrom("tokens", kTokenColumns);
    put(Query::kTokenOf, "token_of", tokens + "WHERE token_id = :token_id");
    put(Query::kTokenBySecret, "token_by_secret", tokens + "WHERE secret_hash = :secret_hash");
    put(Query::kTokenByName, "token_by_name",
        tokens + "WHERE person_id = :person_id AND name = :name");
    // "tok-9" before "tok-10": ids are numbered, so order by length first.
    put(Query::kTokens, "tokens",
        tokens +
            "WHERE :person_id = '' OR person_id = :person_id ORDER BY length(token_id), "
            "token_id");
    put(Query::kRevokeToken, "revoke_token",
        "UPDATE tokens SET revoked_ms = :revoked_ms WHERE token_id = :token_id AND revoked_ms IS "
        "NULL");
    put(Query::kTouchToken, "touch_token",
        "UPDATE tokens SET last_used_ms = :last_used_ms WHERE token_id = :token_id");
    const std::string source_records = selectFrom("source_records", kSourceRecordColumns);
    const std::string record_order = "ORDER BY source, record_id, seq";
    put(Query::kInsertSourceRecord, "insert_source_record",
        insertInto("source_records", kSourceRecordColumns));
    put(Query::kSourceRecords, "source_records", source_records + record_order);
    put(Query::kSourceRecordsOfDevice, "source_records_of_device",
        source_records + "WHERE device_id = :device_id " + record_order);
    put(Query::kSourceRecordRows, "source_record_rows", source_records);
    put(Query::kWebhookCursor, "webhook_cursor",
        selectFrom("webhook_cursor", kWebhookCursorColumns) + "WHERE name = :name");
    put(Query::kUpsertWebhookCursor, "upsert_webhook_cursor",
        insertInto("webhook_cursor", kWebhookCursorColumns) +
            " ON CONFLICT (name) DO UPDATE SET event_seq = excluded.event_seq, day = "
            "excluded.day, updated_ms = excluded.updated_ms");
    put(Query::kWebhookVerdicts, "webhook_verdicts",
        selectFrom("webhook_verdicts", kWebhookVerdictColumns) +
            "ORDER BY directive_id, device_id");
    put(Query::kUpsertWebhookVerdict, "upsert_webhook_verdict",
        insertInto("webhook_verdicts", kWebhookVerdictColumns) +
            " ON CONFLICT (directive_id, device_id) DO UPDATE SET status = excluded.status");
    put(Query::kDeleteWebhookVerdict, "delete_webhook_verdict",
        "DELETE FROM webhook_verdicts WHERE directive_id = :directive_id AND device_id = "
        ":device_id");
    put(Query::kMaxWebhookOrdinal, "max_webhook_ordinal",
        "SELECT max(ordinal) FROM webhook_deliveries");
    put(Query::kInsertWebhookDelivery, "insert_webhook_delivery",
        insertInto("webhook_deliveries", kWebhookDeliveryColumns));
    const std::string deliveries = selectFrom("webhook_deliveries", kWebhookDeliveryColumns);
    put(Query::kOpenWebhookDeliveries, "open_webhook_deliveries",
        deliveries +
            "WHERE endpoint = :endpoint AND delivered_ms IS NULL AND failed_ms IS NULL ORDER BY "
            "ordinal LIMIT :limit");
    put(Query::kClaimWebhookDelivery, "claim_webhook_delivery",
        "UPDATE webhook_deliveries SET claimed_by = :claimed_by, claim_until_ms = "
        ":claim_until_ms WHERE delivery_id = :delivery_id AND delivered_ms IS NULL AND failed_ms "
        "IS NULL");
    put(Query::kWebhookDelivered, "webhook_delivered",
        "UPDATE webhook_deliveries SET delivered_ms = :delivered_ms, attempts = attempts + 1, "
        "claimed_by = NULL, claim_until_ms = NULL, last_error = '' WHERE delivery_id = "
        ":delivery_id AND claimed_by = :claimed_by");
    put(Query::kWebhookAttemptFailed, "webhook_attempt_failed",
        "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_ms = "
        ":next_attempt_ms, failed_ms = :failed_ms, last_error = :last_error, claimed_by = NULL, "
        "claim_until_ms = NULL WHERE delivery_id = :delivery_id AND claimed_by = :claimed_by");
    put(Query::kWebhookDeliveries, "webhook_deliveries",
        deliveries +
            "WHERE :endpoint = '' OR endpoint = :endpoint ORDER BY ordinal DESC LIMIT :limit");
    put(Query::kIngestedMessage, "ingested_message",
        selectFrom("ingested_messages", kIngestedMessageColumns) +
            "WHERE message_id = :message_id");
    put(Query::kInsertIngestedMessage, "insert_ingested_message",
        insertInto("ingested_messages", kIngestedMessageColumns));

    put(Query::kLanguageOf, "language_of",
        selectFrom("person_languages", kLanguageColumns) + "WHERE person_id = :person_id");
    put(Query::kSetLanguage, "set_language",
        "INSERT INTO person_languages (" + columnList(kLanguageColumns) +
            ") VALUES (:person_id, :language, :updated_ms) ON CONFLICT (person_id) DO UPDATE "
            "SET language = excluded.language, updated_ms = excluded.updated_ms");
    put(Query::kLanguages, "languages",
        selectFrom("person_languages", kLanguageColumns) + "ORDER BY person_id");
    return p;
  }();
  return kPortable;
}

}  // namespace

std::span<const Variant> dialectVariants(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return {};  // the portable text is SQLite's
    case Dialect::kPostgres: {
      // Every statement's portable text runs on PostgreSQL as it is (the engine numbers the
      // :name parameters; TEXT columns are COLLATE "C", so ORDER BY agrees with SQLite's). A
      // statement whose SQL must differ there is listed here.
      static constexpr Variant kPostgres[] = {
          {Query::kSchemaVersionTableExists,
           "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND "
           "tablename = 'schema_version'"},
          // About one page in 500 (some 20,000 ids of 10M rows): where to split a load in parts
          // of about equal size, without counting or walking half the table.
          {Query::kPersonIdSample,
           "SELECT person_id FROM person_versions TABLESAMPLE SYSTEM (0.2) ORDER BY person_id"},
          {Query::kDeviceIdSample,
           "SELECT device_id FROM device_versions TABLESAMPLE SYSTEM (0.2) ORDER BY device_id"},
      };
      return kPostgres;
    }
  }
  return {};
}

Catalog::Catalog(std::span<const Variant> variants)
    : sql_(portable().sql), names_(portable().names) {
  for (const Variant& v : variants) sql_[static_cast<std::size_t>(v.query)] = std::string(v.sql);
}

const Catalog& catalog(Dialect dialect) {
  static const Catalog kSqlite(dialectVariants(Dialect::kSqlite));
  static const Catalog kPostgres(dialectVariants(Dialect::kPostgres));
  return dialect == Dialect::kSqlite ? kSqlite : kPostgres;
}

Result<std::unique_ptr<Statement>> prepare(Connection& connection, Query query) {
  const Catalog& c = catalog(connection.dialect());
  auto prepared = connection.prepare(c.sql(query));
  if (!prepared.isOk()) {
    return Status(prepared.status().code(),
                  std::string(c.name(query)) + ": " + prepared.status().message());
  }
  return prepared;
}

Result<std::unique_ptr<BulkInsert>> prepareBulkInsert(Connection& connection, Query insert) {
  BulkTable target;
  switch (insert) {
    case Query::kInsertPerson:
      target = {"person_versions", kPersonColumns, {}};
      break;
    case Query::kInsertDevice:
      target = {"device_versions", kDeviceColumns, {}};
      break;
    case Query::kInsertSighting:
      target = {"sightings", kSightingColumns, {}};
      break;
    case Query::kInsertEvent:
      target = {"events", kEventColumns, {}};
      break;
    default:
      return invalidArgument("no bulk insert for statement " +
                             std::string(catalog(connection.dialect()).name(insert)));
  }
  const Catalog& c = catalog(connection.dialect());
  target.insert_sql = c.sql(insert);
  auto bulk = connection.bulkInsert(target);
  if (!bulk.isOk()) {
    return Status(bulk.status().code(),
                  std::string(c.name(insert)) + ": " + bulk.status().message());
  }
  return bulk;
}

}  // namespace phaseout::storage
