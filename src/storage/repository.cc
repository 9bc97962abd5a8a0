#include "storage/repository.h"

#include <algorithm>
#include <array>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "core/memory.h"
#include "core/strings.h"
#include "storage/migrations.h"
#include "storage/rows.h"
#include "storage/sighting_store.h"

namespace phaseout::storage {
namespace {

using inventory::Device;
using inventory::EmploymentStatus;
using inventory::Person;

// The query catalog: every statement the repository runs, with named parameters.
constexpr std::string_view kInsertPerson =
    "INSERT INTO person_versions (person_id, valid_from, seq, name, email, unit, roles, status) "
    "VALUES (:person_id, :valid_from, :seq, :name, :email, :unit, :roles, :status)";
constexpr std::string_view kSelectPeople =
    "SELECT person_id, valid_from, seq, name, email, unit, roles, status FROM person_versions "
    "WHERE valid_from <= :day ORDER BY person_id, valid_from, seq";
constexpr std::string_view kSelectPersonIds =
    "SELECT DISTINCT person_id FROM person_versions ORDER BY person_id";
constexpr std::string_view kInsertDevice =
    "INSERT INTO device_versions (device_id, valid_from, seq, holder, kind, vendor, model, "
    "platform, os_version, ownership, channel, serial, imei, macs, hostname, state) VALUES "
    "(:device_id, :valid_from, :seq, :holder, :kind, :vendor, :model, :platform, :os_version, "
    ":ownership, :channel, :serial, :imei, :macs, :hostname, :state)";
constexpr std::string_view kSelectDevices =
    "SELECT device_id, valid_from, seq, holder, kind, vendor, model, platform, os_version, "
    "ownership, channel, serial, imei, macs, hostname, state FROM device_versions "
    "WHERE valid_from <= :day ORDER BY device_id, valid_from, seq";
constexpr std::string_view kSelectDirectiveVersions =
    "SELECT directive_id, version, valid_from, seq, title, source_text FROM directive_versions "
    "ORDER BY directive_id, version";
constexpr std::string_view kLatestDirectiveVersion =
    "SELECT version, source_text FROM directive_versions WHERE directive_id = :id "
    "ORDER BY version DESC LIMIT 1";
constexpr std::string_view kInsertDirective =
    "INSERT INTO directive_versions (directive_id, version, valid_from, seq, title, source_text) "
    "VALUES (:id, :version, :valid_from, :seq, :title, :source_text)";
constexpr std::string_view kDirectiveColumns =
    "SELECT d.directive_id, d.version, d.valid_from, d.title, d.source_text, e.recorded_ms, "
    "e.actor FROM directive_versions d JOIN events e ON e.seq = d.seq ";
constexpr std::string_view kLastEvent = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1";
constexpr std::string_view kInsertEvent =
    "INSERT INTO events (seq, effective_day, recorded_ms, actor, kind, subject, payload, "
    "prev_hash, hash) VALUES (:seq, :effective_day, :recorded_ms, :actor, :kind, :subject, "
    ":payload, :prev_hash, :hash)";
constexpr std::string_view kSelectEvents =
    "SELECT seq, effective_day, recorded_ms, actor, kind, subject, payload, prev_hash, hash "
    "FROM events ORDER BY seq";

const std::string& idOf(const Person& p) { return p.person_id; }
const std::string& idOf(const Device& d) { return d.device_id; }

// Reads versioned records ordered by (id, valid_from, seq) and keeps the last version of each
// id: the version in force on the scanned day.
// Reads versioned records ordered by (id, valid_from, seq) and keeps the last version of each
// id: the version in force on the scanned day. Rows are read in place into the vector (a
// record is not moved after it is read, except when the vector grows); a later version of the
// same id overwrites the one before it.
template <typename Record, typename ReadInto>
Result<std::vector<Record>> loadVersions(Connection& conn, std::string_view sql,
                                         std::optional<Date> as_of, ReadInto read_into,
                                         const Repository::IdRange& ids = {},
                                         std::size_t reserve = 0) {
  PH_ASSIGN_OR_RETURN(auto s, conn.prepare(sql));
  s->bind("day", as_of ? std::int64_t{as_of->days()} : std::int64_t{INT32_MAX});
  if (!ids.from.empty()) s->bind("from", ids.from);
  if (!ids.to.empty()) s->bind("to", ids.to);
  std::vector<Record> out;
  out.reserve(reserve);
  adviseHugePages(out.data(), out.capacity() * sizeof(Record));
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    // Versions of one id are adjacent; the last one read is the one in force.
    if (out.empty() || idOf(out.back()) != s->text(0)) out.emplace_back();
    PH_RETURN_IF_ERROR(read_into(*s, out.back()));
  }
  return out;
}

Result<DirectiveRecord> readDirective(Statement& s) {
  DirectiveRecord r;
  r.directive_id = s.text(0);
  r.version = s.integer(1);
  r.valid_from = Date::fromDays(static_cast<std::int32_t>(s.integer(2)));
  r.title = s.text(3);
  r.source_text = s.text(4);
  r.recorded_ms = s.integer(5);
  r.actor = s.text(6);
  return r;
}

// Shared upsert: a new version for what is new or changed; one event for the whole input.
template <typename Record, typename IdOf, typename Bind, typename Encode>
Result<UpsertCounts> upsertVersions(Repository& repo,
                                    const Repository::BatchProducer<Record>& produce,
                                    std::vector<Record> latest, const ChangeContext& change,
                                    std::string_view kind, IdOf id_of, Bind bind, Encode encode,
                                    std::string_view insert_sql,
                                    const Repository::RowProgress& progress) {
  Connection& conn = repo.connection();
  std::unordered_map<std::string_view, const Record*> by_id;
  by_id.reserve(latest.size());
  for (const Record& r : latest) by_id.emplace(id_of(r), &r);
  // The event comes first so rows can carry its seq; its digest is known only after the rows,
  // so the event is appended last, inside the same transaction, and must get this seq.
  PH_ASSIGN_OR_RETURN(auto insert, conn.prepare(insert_sql));
  PH_ASSIGN_OR_RETURN(auto last, conn.prepare(kLastEvent));
  PH_ASSIGN_OR_RETURN(bool has_last, last->step());
  const std::int64_t seq = has_last ? last->integer(0) + 1 : 1;
  last.reset();

  UpsertCounts counts;
  std::size_t records = 0;
  audit::RowSetDigest digest;
  std::string row;  // canonical row buffer, reused
  constexpr std::size_t kProgressEvery = 16384;
  auto store = [&](std::span<const Record> batch) -> Status {
    for (const Record& r : batch) {
      if (progress && ++records % kProgressEvery == 0) progress(records, 0);
      auto it = by_id.find(id_of(r));
      std::int64_t valid_from = change.effective.days();
      if (it == by_id.end()) {
        if (!change.effective_given) valid_from = kBaselineDay;
        ++counts.added;
      } else if (!(*it->second == r)) {
        ++counts.updated;
      } else {
        ++counts.unchanged;
        continue;
      }
      bind(*insert, r);
      insert->bind("valid_from", valid_from);
      insert->bind("seq", seq);
      row.clear();
      encode(row, r, valid_from);
      digest.add(row);
      PH_RETURN_IF_ERROR(insert->execute());
      insert->reset();
    }
    return Status::ok();
  };
  PH_RETURN_IF_ERROR(produce(store));
  records = counts.added + counts.updated + counts.unchanged;
  nlohmann::ordered_json detail;
  detail["source"] = change.source;
  detail["records"] = records;
  detail["added"] = counts.added;
  detail["updated"] = counts.updated;
  detail["unchanged"] = counts.unchanged;
  audit::Event event;
  event.effective_day = change.effective.days();
  event.recorded_ms = change.recorded_ms;
  event.actor = change.actor;
  event.kind = std::string(kind);
  event.subject = change.source;
  event.payload = rowsPayload(detail, digest);
  PH_ASSIGN_OR_RETURN(std::int64_t written, repo.appendEvent(std::move(event)));
  if (written != seq) return internalError("event sequence moved during an upsert");
  return counts;
}

}  // namespace

Result<std::int64_t> lastEventSeq(Connection& conn) {
  PH_ASSIGN_OR_RETURN(auto s, conn.prepare("SELECT coalesce(max(seq), 0) FROM events"));
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  return row ? s->integer(0) : 0;
}

Status Repository::migrate() { return storage::migrate(connection_); }

Status Repository::checkReady() {
  PH_ASSIGN_OR_RETURN(int version, schemaVersion(connection_));
  if (version == 0) {
    return failedPrecondition("the database has no phaseout schema; run 'phaseout init' first");
  }
  if (version != migrations().back().version) {
    return failedPrecondition(
        "the database schema is version " + std::to_string(version) + ", this phaseout expects " +
        std::to_string(migrations().back().version) + "; run 'phaseout init' to upgrade");
  }
  return Status::ok();
}

Result<UpsertCounts> Repository::upsertPeople(const std::vector<Person>& people,
                                              const ChangeContext& change,
                                              const RowProgress& progress) {
  return upsertPeople(
      [&](const BatchSink<Person>& sink) { return sink(std::span<const Person>(people)); }, change,
      progress);
}

Result<UpsertCounts> Repository::upsertDevices(const std::vector<Device>& devices,
                                               const ChangeContext& change,
                                               const RowProgress& progress) {
  return upsertDevices(
      [&](const BatchSink<Device>& sink) { return sink(std::span<const Device>(devices)); }, change,
      progress);
}

Result<UpsertCounts> Repository::upsertPeople(const BatchProducer<Person>& produce,
                                              const ChangeContext& change,
                                              const RowProgress& progress) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto latest, loadPeople());
  PH_ASSIGN_OR_RETURN(
      auto counts, upsertVersions(
                       *this, produce, std::move(latest), change, "import.people",
                       [](const Person& p) -> std::string_view { return p.person_id; }, bindPerson,
                       appendPersonRow, kInsertPerson, progress));
  PH_RETURN_IF_ERROR(tx->commit());
  return counts;
}

Result<UpsertCounts> Repository::upsertDevices(const BatchProducer<Device>& produce,
                                               const ChangeContext& change,
                                               const RowProgress& progress) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto latest, loadDevices());
  PH_ASSIGN_OR_RETURN(
      auto counts, upsertVersions(
                       *this, produce, std::move(latest), change, "import.devices",
                       [](const Device& d) -> std::string_view { return d.device_id; }, bindDevice,
                       appendDeviceRow, kInsertDevice, progress));
  PH_RETURN_IF_ERROR(tx->commit());
  return counts;
}

Result<std::vector<Person>> Repository::loadPeople(std::optional<Date> as_of, Fields fields) {
  // Every stored version bounds the result: reserved up front, the vector never regrows.
  PH_ASSIGN_OR_RETURN(auto count, connection_.prepare("SELECT count(*) FROM person_versions"));
  PH_ASSIGN_OR_RETURN(bool counted, count->step());
  const auto versions = static_cast<std::size_t>(counted ? count->integer(0) : 0);
  count.reset();
  if (fields == Fields::kAll) {
    return loadVersions<Person>(connection_, kSelectPeople, as_of, readPersonInto, {}, versions);
  }
  // Same column positions as kSelectPeople, with name and email left empty.
  return loadVersions<Person>(
      connection_,
      "SELECT person_id, valid_from, seq, '', '', unit, roles, status FROM person_versions "
      "WHERE valid_from <= :day ORDER BY person_id, valid_from, seq",
      as_of, readPersonInto, {}, versions);
}

Result<std::vector<Device>> Repository::loadDevices(std::optional<Date> as_of, Fields fields,
                                                    const IdRange& ids, std::size_t reserve) {
  // kEvaluation: the same column positions as kSelectDevices, with what evaluation never reads
  // left empty.
  std::string sql = fields == Fields::kAll
                        ? "SELECT device_id, valid_from, seq, holder, kind, vendor, model, "
                          "platform, os_version, ownership, channel, serial, imei, macs, "
                          "hostname, state FROM device_versions WHERE valid_from <= :day"
                        : "SELECT device_id, valid_from, seq, holder, kind, vendor, model, "
                          "platform, os_version, 'unknown', 'unknown', '', '', '', '', state "
                          "FROM device_versions WHERE valid_from <= :day";
  if (!ids.from.empty()) sql += " AND device_id >= :from";
  if (!ids.to.empty()) sql += " AND device_id < :to";
  sql += " ORDER BY device_id, valid_from, seq";
  return loadVersions<Device>(connection_, sql, as_of, readDeviceInto, ids, reserve);
}

Result<Repository::DeviceSplit> Repository::deviceIdAt(double fraction) {
  PH_ASSIGN_OR_RETURN(auto count, connection_.prepare("SELECT count(*) FROM device_versions"));
  PH_ASSIGN_OR_RETURN(bool row, count->step());
  const std::int64_t n = row ? count->integer(0) : 0;
  DeviceSplit split;
  split.versions = static_cast<std::size_t>(n);
  if (n < 2) return split;
  PH_ASSIGN_OR_RETURN(auto at, connection_.prepare("SELECT device_id FROM device_versions "
                                                   "ORDER BY device_id LIMIT 1 OFFSET :k"));
  at->bind("k", static_cast<std::int64_t>(static_cast<double>(n) * std::clamp(fraction, 0.0, 1.0)));
  PH_ASSIGN_OR_RETURN(bool found, at->step());
  if (found) split.device_id = at->text(0);
  return split;
}

Result<inventory::Person> Repository::loadPerson(const std::string& person_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(
      auto s, connection_.prepare("SELECT person_id, valid_from, seq, name, email, unit, roles, "
                                  "status FROM person_versions WHERE person_id = :id AND "
                                  "valid_from <= :day ORDER BY valid_from DESC, seq DESC LIMIT 1"));
  s->bind("id", person_id);
  s->bind("day", std::int64_t{as_of.days()});
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound("no person '" + person_id + "' on " + as_of.toString());
  return readPerson(*s);
}

Result<inventory::Device> Repository::loadDevice(const std::string& device_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(
      auto s, connection_.prepare("SELECT device_id, valid_from, seq, holder, kind, vendor, model, "
                                  "platform, os_version, ownership, channel, serial, imei, macs, "
                                  "hostname, state FROM device_versions WHERE device_id = :id AND "
                                  "valid_from <= :day ORDER BY valid_from DESC, seq DESC LIMIT 1"));
  s->bind("id", device_id);
  s->bind("day", std::int64_t{as_of.days()});
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound("no device '" + device_id + "' on " + as_of.toString());
  return readDevice(*s);
}

Result<bool> Repository::deviceExists(const std::string& device_id) {
  PH_ASSIGN_OR_RETURN(
      auto s, connection_.prepare("SELECT 1 FROM device_versions WHERE device_id = :id LIMIT 1"));
  s->bind("id", device_id);
  return s->step();
}

Result<std::vector<std::string>> Repository::loadPersonIds() {
  PH_ASSIGN_OR_RETURN(auto s, connection_.prepare(kSelectPersonIds));
  std::vector<std::string> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    out.emplace_back(s->text(0));
  }
  return out;
}

Result<AddDirectiveOutcome> Repository::addDirective(const std::string& directive_id,
                                                     const std::string& title,
                                                     const std::string& source_text,
                                                     Date valid_from, const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto latest, connection_.prepare(kLatestDirectiveVersion));
  latest->bind("id", directive_id);
  PH_ASSIGN_OR_RETURN(bool has_row, latest->step());
  AddDirectiveOutcome outcome;
  if (has_row) {
    outcome.version = latest->integer(0);
    if (latest->text(1) == source_text) return outcome;  // unchanged: no new version
  }
  latest.reset();
  outcome.version += 1;
  outcome.created = true;

  audit::RowSetDigest digest;
  digest.add(directiveRow(directive_id, outcome.version, valid_from.days(), title, source_text));
  nlohmann::ordered_json detail;
  detail["version"] = outcome.version;
  detail["valid_from"] = valid_from.toString();
  detail["title"] = title;
  detail["source"] = change.source;
  audit::Event event;
  event.effective_day = valid_from.days();
  event.recorded_ms = change.recorded_ms;
  event.actor = change.actor;
  event.kind = "directive.add";
  event.subject = directive_id;
  event.payload = rowsPayload(detail, digest);
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendEvent(std::move(event)));

  PH_ASSIGN_OR_RETURN(auto ins, connection_.prepare(kInsertDirective));
  ins->bind("id", directive_id);
  ins->bind("version", outcome.version);
  ins->bind("valid_from", std::int64_t{valid_from.days()});
  ins->bind("seq", seq);
  ins->bind("title", title);
  ins->bind("source_text", source_text);
  PH_RETURN_IF_ERROR(ins->execute());
  PH_RETURN_IF_ERROR(tx->commit());
  return outcome;
}

Result<std::vector<DirectiveRecord>> Repository::listDirectives() {
  PH_ASSIGN_OR_RETURN(
      auto s, connection_.prepare(std::string(kDirectiveColumns) +
                                  "WHERE d.version = (SELECT max(version) FROM directive_versions "
                                  "x WHERE x.directive_id = d.directive_id) "
                                  "ORDER BY d.directive_id"));
  std::vector<DirectiveRecord> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    PH_ASSIGN_OR_RETURN(auto r, readDirective(*s));
    out.push_back(std::move(r));
  }
  return out;
}

Result<DirectiveRecord> Repository::getDirective(const std::string& directive_id,
                                                 std::int64_t version) {
  PH_ASSIGN_OR_RETURN(
      auto s, connection_.prepare(std::string(kDirectiveColumns) +
                                  (version == 0 ? "WHERE d.directive_id = :id ORDER BY d.version "
                                                  "DESC LIMIT 1"
                                                : "WHERE d.directive_id = :id AND d.version = "
                                                  ":version")));
  s->bind("id", directive_id);
  if (version != 0) s->bind("version", version);
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) {
    return notFound("no directive '" + directive_id + "'" +
                    (version ? " version " + std::to_string(version) : std::string()) +
                    "; see 'phaseout directive list'");
  }
  return readDirective(*s);
}

Result<DirectiveRecord> Repository::directiveInForce(const std::string& directive_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(auto s,
                      connection_.prepare(std::string(kDirectiveColumns) +
                                          "WHERE d.directive_id = :id AND d.valid_from <= :day "
                                          "ORDER BY d.valid_from DESC, d.version DESC LIMIT 1"));
  s->bind("id", directive_id);
  s->bind("day", std::int64_t{as_of.days()});
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (row) return readDirective(*s);
  PH_ASSIGN_OR_RETURN(auto first, getDirective(directive_id, 1));
  return failedPrecondition("directive '" + directive_id + "' was not yet in force on " +
                            as_of.toString() + " (in force from " + first.valid_from.toString() +
                            ")");
}

Result<std::int64_t> Repository::appendEvent(audit::Event event) {
  PH_ASSIGN_OR_RETURN(auto last, connection_.prepare(kLastEvent));
  PH_ASSIGN_OR_RETURN(bool has_last, last->step());
  event.seq = has_last ? last->integer(0) + 1 : 1;
  event.prev_hash = has_last ? std::string(last->text(1)) : std::string(audit::kGenesisHash);
  last.reset();
  event.hash = audit::chainHash(event.prev_hash, event);
  PH_ASSIGN_OR_RETURN(auto ins, connection_.prepare(kInsertEvent));
  ins->bind("seq", event.seq);
  ins->bind("effective_day", std::int64_t{event.effective_day});
  ins->bind("recorded_ms", event.recorded_ms);
  ins->bind("actor", event.actor);
  ins->bind("kind", event.kind);
  ins->bind("subject", event.subject);
  ins->bind("payload", event.payload);
  ins->bind("prev_hash", event.prev_hash);
  ins->bind("hash", event.hash);
  PH_RETURN_IF_ERROR(ins->execute());
  return event.seq;
}

Result<std::int64_t> Repository::recordDeviceVersion(const Device& device,
                                                     const ChangeContext& change,
                                                     std::string_view kind,
                                                     std::string_view subject,
                                                     std::string_view detail_json) {
  const std::int64_t valid_from = change.effective.days();
  audit::RowSetDigest digest;
  digest.add(deviceRow(device, valid_from));
  audit::Event event;
  event.effective_day = change.effective.days();
  event.recorded_ms = change.recorded_ms;
  event.actor = change.actor;
  event.kind = std::string(kind);
  event.subject = std::string(subject);
  try {
    event.payload = rowsPayload(nlohmann::ordered_json::parse(detail_json), digest);
  } catch (const nlohmann::json::exception& e) {
    return internalError(std::string("event detail is not JSON: ") + e.what());
  }
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendEvent(std::move(event)));
  PH_ASSIGN_OR_RETURN(auto ins, connection_.prepare(kInsertDevice));
  bindDevice(*ins, device);
  ins->bind("valid_from", valid_from);
  ins->bind("seq", seq);
  PH_RETURN_IF_ERROR(ins->execute());
  return seq;
}

Status Repository::forEachEvent(const std::function<Status(const audit::Event&)>& fn) {
  PH_ASSIGN_OR_RETURN(auto s, connection_.prepare(kSelectEvents));
  audit::Event e;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    e.seq = s->integer(0);
    e.effective_day = static_cast<std::int32_t>(s->integer(1));
    e.recorded_ms = s->integer(2);
    e.actor = s->text(3);
    e.kind = s->text(4);
    e.subject = s->text(5);
    e.payload = s->text(6);
    e.prev_hash = s->text(7);
    e.hash = s->text(8);
    PH_RETURN_IF_ERROR(fn(e));
  }
  return Status::ok();
}

namespace {

// The "rows_digest" an event's payload recorded, or "" when it has none. Payloads written by
// rowsPayload() end with ,"rows_digest":"<64 hex>"} and are read from that suffix (a JSON
// parse per event is most of a million-event check); anything else is parsed.
std::string recordedRowsDigest(std::string_view payload) {
  constexpr std::string_view kKey = ",\"rows_digest\":\"";
  constexpr std::size_t kHexLength = 64;
  const std::size_t tail = kKey.size() + kHexLength + 2;  // key, digest, closing quote and brace
  if (payload.size() > tail && payload.substr(payload.size() - 2) == "\"}" &&
      payload.substr(payload.size() - tail, kKey.size()) == kKey) {
    const std::string_view hex = payload.substr(payload.size() - kHexLength - 2, kHexLength);
    const bool is_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (is_hex) return std::string(hex);
  }
  try {
    const auto json = nlohmann::json::parse(payload);
    if (json.is_object() && json.contains("rows_digest") && json["rows_digest"].is_string()) {
      return json["rows_digest"].get<std::string>();
    }
  } catch (const nlohmann::json::exception&) {
  }
  return "";
}

}  // namespace

namespace {

struct StoredRows {
  Status status;
  std::int64_t max_seq = -1;  // the snapshot read: the last event's seq
  std::unique_ptr<RowDigests> digests;
  std::int64_t rows = 0;
  std::vector<std::string> altered_evidence;
  std::optional<std::int64_t> unreadable_seq;  // a row that cannot be decoded, and why
  std::string unreadable;
};

// Recomputes the digest of the rows each event wrote, from every stored row, and checks each
// stored evidence file against its key. Must run inside a read transaction on `conn`.
Status digestStoredRows(Connection& conn, StoredRows& out) {
  out.digests = std::make_unique<RowDigests>(out.max_seq);
  RowDigests& digests = *out.digests;
  std::string row_text;  // canonical row buffer, reused
  {
    PH_ASSIGN_OR_RETURN(auto s,
                        conn.prepare("SELECT person_id, valid_from, seq, name, email, unit, roles, "
                                     "status FROM person_versions"));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      PH_ASSIGN_OR_RETURN(Person p, readPerson(*s));
      row_text.clear();
      appendPersonRow(row_text, p, s->integer(1));
      digests.add(s->integer(2), row_text);
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s,
                        conn.prepare("SELECT device_id, valid_from, seq, holder, kind, vendor, "
                                     "model, platform, os_version, ownership, channel, serial, "
                                     "imei, macs, hostname, state FROM device_versions"));
    Device d;  // reused: its strings keep their storage from row to row
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      if (Status read = readDeviceInto(*s, d); !read.isOk()) {
        out.unreadable_seq = s->integer(2);
        out.unreadable = "a device row it wrote is unreadable: " + read.message();
        return Status::ok();
      }
      row_text.clear();
      appendDeviceRow(row_text, d, s->integer(1));
      digests.add(s->integer(2), row_text);
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, conn.prepare(kSelectDirectiveVersions));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      digests.add(s->integer(3),
                  directiveRow(s->text(0), s->integer(1), s->integer(2), s->text(4), s->text(5)));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s,
                        conn.prepare("SELECT waiver_id, directive_id, device_id, person_id, unit, "
                                     "approver, reason, from_day, until_day, seq FROM waivers"));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      digests.add(s->integer(9), waiverRow(readWaiver(*s)));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(
        auto s, conn.prepare("SELECT waiver_id, revoked_from, seq FROM waiver_revocations"));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      digests.add(s->integer(2), waiverRevocationRow(s->text(0), s->integer(1)));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s,
                        conn.prepare("SELECT seq, directive_id, device_id, stage, on_day, actor, "
                                     "note FROM case_steps"));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      campaign::CaseStep st;
      st.directive_id = s->text(1);
      st.device_id = s->text(2);
      auto stage = campaign::parseCaseStage(s->text(3));
      if (!stage) {
        out.unreadable_seq = s->integer(0);
        out.unreadable = "the case step it wrote has an invalid stage";
        return Status::ok();
      }
      st.stage = *stage;
      st.on = Date::fromDays(static_cast<std::int32_t>(s->integer(4)));
      st.actor = s->text(5);
      st.note = s->text(6);
      digests.add(s->integer(0), caseStepRow(st));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s,
                        conn.prepare("SELECT directive_id, device_id, milestone, step, recipient, "
                                     "sent_day, seq FROM notifications"));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      digests.add(s->integer(6), notificationRow(s->text(0), s->text(1), s->text(2), s->text(3),
                                                 s->text(4), s->integer(5)));
      ++out.rows;
    }
  }
  PH_RETURN_IF_ERROR(addSightingDigests(conn, digests, out.rows));
  {
    PH_ASSIGN_OR_RETURN(auto s, conn.prepare("SELECT sha256, content FROM evidence "
                                             "ORDER BY sha256"));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      if (audit::sha256Hex(s->blob(1)) != s->text(0)) {
        out.altered_evidence.emplace_back(s->text(0));
      }
    }
  }
  return Status::ok();
}

// The same on a connection of its own, in a read transaction of its own (a second thread).
StoredRows digestStoredRowsOn(Connection& conn) {
  StoredRows out;
  out.status = [&]() -> Status {
    PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(conn, Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(out.max_seq, lastEventSeq(conn));
    PH_RETURN_IF_ERROR(digestStoredRows(conn, out));
    return tx->commit();
  }();
  return out;
}

}  // namespace

Result<AuditVerification> Repository::verifyAudit(Connection* rows_connection) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kRead));
  AuditVerification result;
  PH_ASSIGN_OR_RETURN(const std::int64_t max_seq, lastEventSeq(connection_));
  // 1. The stored rows' digests: on the second connection while this thread walks the chain,
  //    when one is given (the two halves take about the same time).
  std::future<StoredRows> stored_rows;
  if (rows_connection != nullptr) {
    stored_rows = std::async(std::launch::async, digestStoredRowsOn, std::ref(*rows_connection));
  }
  // 2. Walk the chain, keeping the row digest each event recorded.
  audit::ChainVerifier chain;
  std::vector<std::array<char, 64>> recorded;
  recorded.reserve(static_cast<std::size_t>(max_seq));
  const std::string empty_digest = audit::RowSetDigest().hex();
  Status walk = forEachEvent([&](const audit::Event& e) -> Status {
    chain.add(e);
    if (!chain.result().ok()) return Status(StatusCode::kDataLoss, "stop");
    std::string digest = recordedRowsDigest(e.payload);
    if (digest.size() != 64) digest = digest.empty() ? empty_digest : std::string(64, '?');
    std::array<char, 64> entry;
    std::copy(digest.begin(), digest.end(), entry.begin());
    recorded.push_back(entry);
    return Status::ok();
  });
  StoredRows rows;
  if (stored_rows.valid()) rows = stored_rows.get();
  // Both reads must have seen the same snapshot; otherwise (a write in between) read again here.
  if (!rows.status.isOk() || rows.max_seq != max_seq || !rows.digests) {
    rows = StoredRows();
    rows.max_seq = max_seq;
    PH_RETURN_IF_ERROR(digestStoredRows(connection_, rows));
  }
  result.rows = rows.rows;
  result.altered_evidence = std::move(rows.altered_evidence);
  if (!walk.isOk() && walk.code() != StatusCode::kDataLoss) return walk;
  if (rows.unreadable_seq) {
    result.first_broken_seq = rows.unreadable_seq;
    result.problem = rows.unreadable;
    return result;
  }
  // 3. Each event's recorded digest must match its rows; the first mismatch, or the first break
  //    of the chain, whichever comes first, is the first broken entry.
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const auto seq = static_cast<std::int64_t>(i + 1);
    const audit::RowSetDigest* digest = rows.digests->find(seq);
    const std::string actual = digest == nullptr ? empty_digest : digest->hex();
    if (std::string_view(recorded[i].data(), recorded[i].size()) != actual) {
      result.events = seq;
      result.first_broken_seq = seq;
      result.problem = "the rows it wrote were altered, added or removed after it was recorded";
      return result;
    }
  }
  result.events = chain.result().checked;
  if (!chain.result().ok()) {
    result.first_broken_seq = chain.result().first_broken_seq;
    result.problem = chain.result().problem;
    return result;
  }
  if (rows.digests->firstOrphan()) {
    result.first_broken_seq = *rows.digests->firstOrphan();
    result.problem = "rows refer to entry " + std::to_string(*rows.digests->firstOrphan()) +
                     ", which is not in the chain";
  }
  return result;
}

}  // namespace phaseout::storage
