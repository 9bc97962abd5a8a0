#include "storage/migrations.h"

#include <cctype>
#include <string>

#include "storage/catalog.h"

namespace phaseout::storage {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "event log, people/device/directive versions", R"sql(
CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  effective_day BIGINT NOT NULL,
  recorded_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE person_versions (
  person_id TEXT NOT NULL,
  valid_from BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  unit TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (person_id, valid_from, seq)
){without_rowid};
CREATE TABLE device_versions (
  device_id TEXT NOT NULL,
  valid_from BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  holder TEXT NOT NULL,
  kind TEXT NOT NULL,
  vendor TEXT NOT NULL,
  model TEXT NOT NULL,
  platform TEXT NOT NULL,
  os_version TEXT NOT NULL,
  ownership TEXT NOT NULL,
  channel TEXT NOT NULL,
  serial TEXT NOT NULL,
  imei TEXT NOT NULL,
  macs TEXT NOT NULL,
  hostname TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (device_id, valid_from, seq)
){without_rowid};
CREATE TABLE directive_versions (
  directive_id TEXT NOT NULL,
  version BIGINT NOT NULL,
  valid_from BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  title TEXT NOT NULL,
  source_text TEXT NOT NULL,
  PRIMARY KEY (directive_id, version)
);
)sql"},
      {2, "waivers, case steps, evidence files, notifications", R"sql(
CREATE TABLE waivers (
  waiver_id TEXT PRIMARY KEY,
  directive_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  unit TEXT NOT NULL,
  approver TEXT NOT NULL,
  reason TEXT NOT NULL,
  from_day BIGINT NOT NULL,
  until_day BIGINT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE TABLE waiver_revocations (
  waiver_id TEXT PRIMARY KEY,
  revoked_from BIGINT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE TABLE case_steps (
  seq BIGINT PRIMARY KEY,
  directive_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  stage TEXT NOT NULL,
  on_day BIGINT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL
);
CREATE TABLE evidence (
  sha256 TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  content {blob} NOT NULL
);
CREATE TABLE notifications (
  directive_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  milestone TEXT NOT NULL,
  step TEXT NOT NULL,
  recipient TEXT NOT NULL,
  sent_day BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (directive_id, device_id, milestone, step)
);
)sql"},
      {3, "network sightings", R"sql(
CREATE TABLE sightings (
  seq BIGINT NOT NULL,
  item BIGINT NOT NULL,
  sighting_key TEXT NOT NULL,
  seen_day BIGINT NOT NULL,
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  macs TEXT NOT NULL,
  ips TEXT NOT NULL,
  hostnames TEXT NOT NULL,
  users TEXT NOT NULL,
  serial TEXT NOT NULL,
  vendor TEXT NOT NULL,
  platform TEXT NOT NULL,
  kind TEXT NOT NULL,
  model TEXT NOT NULL,
  level TEXT NOT NULL,
  confidence_ppm BIGINT NOT NULL,
  sources TEXT NOT NULL,
  services TEXT NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (seq, item)
);
CREATE INDEX sightings_by_day ON sightings (seen_day);
)sql"},
      // Accounts hold current state (a password replaced, a token revoked, a session's last
      // request), not history: their changes are audit events (account.*, token.*) that name
      // what changed but never a password, a hash or a secret, and carry no row digest.
      {4, "accounts, sessions, tokens", R"sql(
CREATE TABLE account_credentials (
  person_id TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  locked BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
CREATE TABLE sessions (
  session_hash TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  ended_ms BIGINT
);
CREATE INDEX sessions_by_person ON sessions (person_id);
CREATE TABLE tokens (
  token_id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  expires_day BIGINT,
  created_ms BIGINT NOT NULL,
  revoked_ms BIGINT,
  last_used_ms BIGINT,
  UNIQUE (person_id, name)
);
)sql"},
      {5, "import provenance: each source's record of each device", R"sql(
CREATE TABLE source_records (
  source TEXT NOT NULL,
  record_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  device_id TEXT NOT NULL,
  file TEXT NOT NULL,
  location TEXT NOT NULL,
  exported_ms BIGINT NOT NULL,
  synced_ms BIGINT NOT NULL,
  presence TEXT NOT NULL,
  holder_ref TEXT NOT NULL,
  holder_match TEXT NOT NULL,
  fields TEXT NOT NULL,
  PRIMARY KEY (source, record_id, seq)
){without_rowid};
CREATE INDEX source_records_by_device ON source_records (device_id);
)sql"},
      // The language each person reads the pages, API sentences and e-mails in: a preference
      // kept with the person (current state; each change is an audit event), apart from the
      // versioned directory record so that changing it never makes a new person version.
      {6, "people's languages", R"sql(
CREATE TABLE person_languages (
  person_id TEXT NOT NULL PRIMARY KEY,
  language TEXT NOT NULL,
  updated_ms BIGINT NOT NULL
);
)sql"},
      // Webhooks (server/webhooks.h): the verdicts last announced, how far the event log was
      // read for them, and the outbox of deliveries, written together in one transaction so
      // that a crash neither loses nor invents a change. Server state, not history: no event.
      {7, "webhook verdict snapshot and delivery outbox", R"sql(
CREATE TABLE webhook_cursor (
  name TEXT PRIMARY KEY,
  event_seq BIGINT NOT NULL,
  day BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
CREATE TABLE webhook_verdicts (
  directive_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (directive_id, device_id)
){without_rowid};
CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,
  ordinal BIGINT NOT NULL UNIQUE,
  endpoint TEXT NOT NULL,
  device_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_ms BIGINT NOT NULL,
  claimed_by TEXT,
  claim_until_ms BIGINT,
  delivered_ms BIGINT,
  failed_ms BIGINT,
  last_error TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (endpoint, delivered_ms, failed_ms, ordinal);
)sql"},
      // A request is written once; its decision (approved, with the waiver it granted, or
      // refused, with why) is a row of its own: rows are never updated, so each event's row
      // digest stays checkable.
      {8, "waiver requests and their decisions", R"sql(
CREATE TABLE waiver_requests (
  request_id TEXT PRIMARY KEY,
  directive_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  from_day BIGINT NOT NULL,
  until_day BIGINT NOT NULL,
  requested_day BIGINT NOT NULL,
  seq BIGINT NOT NULL
);
CREATE TABLE waiver_decisions (
  request_id TEXT PRIMARY KEY,
  decision TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_day BIGINT NOT NULL,
  reason TEXT NOT NULL,
  waiver_id TEXT NOT NULL,
  seq BIGINT NOT NULL
);
)sql"},
      // A batch of sightings that came over the bus (phaseout ingest) is stored once: its
      // message id is kept with the audit event that stored it, in the same transaction, and a
      // re-delivery finds it here.
      {9, "sightings ingested from the bus, by message id", R"sql(
CREATE TABLE ingested_messages (
  message_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  site TEXT NOT NULL,
  received_ms BIGINT NOT NULL
);
)sql"},
      {10, "events by subject: a device's history without reading the whole audit trail", R"sql(
CREATE INDEX events_by_subject ON events (subject);
CREATE INDEX case_steps_by_device ON case_steps (device_id);
)sql"},
      {11, "people's user principal names, a second key for devices' holders", R"sql(
ALTER TABLE person_versions ADD COLUMN upn TEXT NOT NULL DEFAULT '';
)sql"},
  };
  return kMigrations;
}

std::string_view Migration::sqlFor(Dialect dialect) const {
  for (const MigrationVariant& v : variants) {
    if (v.dialect == dialect) return v.sql;
  }
  return sql;
}

namespace {

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Every TEXT type (the whole word, outside quotes) followed by `suffix`.
std::string suffixTextType(std::string_view sql, std::string_view suffix) {
  constexpr std::string_view kText = "TEXT";
  std::string out;
  out.reserve(sql.size() + 64);
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    const bool word = sql.substr(i, kText.size()) == kText && (i == 0 || !isWordChar(sql[i - 1])) &&
                      (i + kText.size() == sql.size() || !isWordChar(sql[i + kText.size()]));
    if (word) {
      out += kText;
      out += suffix;
      i += kText.size() - 1;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string dialectSql(Dialect dialect, std::string_view sql) {
  // Clustered tables make the as-of scans (ordered by id, then valid_from) sequential reads.
  constexpr std::string_view kWithoutRowid = "{without_rowid}";
  std::string out(sql);
  const std::string_view replacement = dialect == Dialect::kSqlite ? " WITHOUT ROWID" : "";
  for (auto pos = out.find(kWithoutRowid); pos != std::string::npos;
       pos = out.find(kWithoutRowid, pos)) {
    out.replace(pos, kWithoutRowid.size(), replacement);
  }
  constexpr std::string_view kBlob = "{blob}";
  const std::string_view blob = dialect == Dialect::kSqlite ? "BLOB" : "BYTEA";
  for (auto pos = out.find(kBlob); pos != std::string::npos; pos = out.find(kBlob, pos)) {
    out.replace(pos, kBlob.size(), blob);
  }
  if (dialect == Dialect::kPostgres) out = suffixTextType(out, " COLLATE \"C\"");
  return out;
}

Result<int> schemaVersion(Connection& connection) {
  // Reading the version never creates anything: a reader on a brand-new database would
  // otherwise race the CREATE of a migration running in another process (on PostgreSQL two
  // concurrent CREATE TABLE IF NOT EXISTS can both try to insert the table's catalog row).
  PH_ASSIGN_OR_RETURN(auto exists, prepare(connection, Query::kSchemaVersionTableExists));
  PH_ASSIGN_OR_RETURN(bool found, exists->step());
  if (!found || exists->integer(0) == 0) return 0;
  exists.reset();
  PH_ASSIGN_OR_RETURN(auto stmt, prepare(connection, Query::kSchemaVersion));
  PH_ASSIGN_OR_RETURN(bool row, stmt->step());
  if (!row || stmt->isNull(0)) return 0;
  return static_cast<int>(stmt->integer(0));
}

Status migrate(Connection& connection) {
  // The write transaction is the engines' one-writer lock (SQLite: BEGIN IMMEDIATE;
  // PostgreSQL: a transaction-scoped advisory lock): processes migrating at once run one after
  // the other, and the later ones find the schema current. The version table is created under
  // it too, never by a reader.
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto create, prepare(connection, Query::kCreateSchemaVersion));
  PH_RETURN_IF_ERROR(create->execute());
  create.reset();
  PH_ASSIGN_OR_RETURN(int current, schemaVersion(connection));
  const int latest = migrations().back().version;
  if (current > latest) {
    return failedPrecondition("database schema version " + std::to_string(current) +
                              " is newer than this phaseout understands (" +
                              std::to_string(latest) + "); upgrade phaseout");
  }
  for (const Migration& m : migrations()) {
    if (m.version <= current) continue;
    PH_RETURN_IF_ERROR(
        connection.exec(dialectSql(connection.dialect(), m.sqlFor(connection.dialect()))));
    PH_ASSIGN_OR_RETURN(auto ins, prepare(connection, Query::kInsertSchemaVersion));
    ins->bind("version", std::int64_t{m.version});
    PH_RETURN_IF_ERROR(ins->execute());
  }
  return tx->commit();
}

}  // namespace phaseout::storage
