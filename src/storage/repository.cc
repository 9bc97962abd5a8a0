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
#include "storage/catalog.h"
#include "storage/migrations.h"
#include "storage/rows.h"
#include "storage/sighting_store.h"
#include "storage/source_store.h"

namespace phaseout::storage {
namespace {

using inventory::Device;
using inventory::EmploymentStatus;
using inventory::Person;

const std::string& idOf(const Person& p) { return p.person_id; }
const std::string& idOf(const Device& d) { return d.device_id; }

// Reads versioned records ordered by (id, valid_from, seq) and keeps the last version of each
// id: the version in force on the scanned day. Rows are read in place into the vector (a
// record is not moved after it is read, except when the vector grows); a later version of the
// same id overwrites the one before it.
template <typename Record, typename ReadInto>
Result<std::vector<Record>> loadVersions(Connection& conn, Query query, std::optional<Date> as_of,
                                         ReadInto read_into, const Repository::IdRange& ids = {},
                                         std::size_t reserve = 0) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, query));
  s->hintManyRows();
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

// The same versions as loadVersions, handed to `fn` one record at a time (the version in
// force, once the next id shows it was the last of its record): memory stays flat however many
// records there are.
template <typename Record, typename ReadInto>
Status streamVersions(Connection& conn, Query query, Date as_of, ReadInto read_into,
                      const std::function<Status(const Record&)>& fn,
                      const Repository::IdRange& ids = {}) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, query));
  s->hintManyRows();
  s->bind("day", std::int64_t{as_of.days()});
  if (!ids.from.empty()) s->bind("from", ids.from);
  if (!ids.to.empty()) s->bind("to", ids.to);
  Record current;
  bool have = false;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    if (have && idOf(current) != s->text(0)) PH_RETURN_IF_ERROR(fn(current));
    PH_RETURN_IF_ERROR(read_into(*s, current));
    have = true;
  }
  if (have) PH_RETURN_IF_ERROR(fn(current));
  return Status::ok();
}

// The devices-as-of statement for `fields` and the bounds `ids` has.
Query devicesAsOf(Repository::Fields fields, const Repository::IdRange& ids) {
  static constexpr Query kAll[] = {Query::kDevicesAsOf, Query::kDevicesAsOfFrom,
                                   Query::kDevicesAsOfBelow, Query::kDevicesAsOfBetween};
  static constexpr Query kEvaluation[] = {
      Query::kDevicesAsOfForEvaluation, Query::kDevicesAsOfFromForEvaluation,
      Query::kDevicesAsOfBelowForEvaluation, Query::kDevicesAsOfBetweenForEvaluation};
  static constexpr Query kCounting[] = {
      Query::kDevicesAsOfForCounting, Query::kDevicesAsOfFromForCounting,
      Query::kDevicesAsOfBelowForCounting, Query::kDevicesAsOfBetweenForCounting};
  const std::size_t shape = (ids.from.empty() ? 0 : 1) + (ids.to.empty() ? 0 : 2);
  switch (fields) {
    case Repository::Fields::kAll:
      return kAll[shape];
    case Repository::Fields::kEvaluation:
      return kEvaluation[shape];
    case Repository::Fields::kCounting:
      break;
  }
  return kCounting[shape];
}

// The row reader of the devices-as-of statements for `fields`.
Status (*deviceReader(Repository::Fields fields))(Statement&, Device&) {
  switch (fields) {
    case Repository::Fields::kAll:
      return readDeviceInto;
    case Repository::Fields::kEvaluation:
      return readDeviceForEvaluationInto;
    case Repository::Fields::kCounting:
      break;
  }
  return readDeviceForCountingInto;
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
                                    Query insert_query, const Repository::RowProgress& progress) {
  Connection& conn = repo.connection();
  std::unordered_map<std::string_view, const Record*> by_id;
  by_id.reserve(latest.size());
  for (const Record& r : latest) by_id.emplace(id_of(r), &r);
  // The event comes first so rows can carry its seq; its digest is known only after the rows,
  // so the event is appended last, inside the same transaction, and must get this seq.
  // A bulk path: the rows go out in batches (PostgreSQL: COPY), not one statement each.
  PH_ASSIGN_OR_RETURN(auto insert, prepareBulkInsert(conn, insert_query));
  PH_ASSIGN_OR_RETURN(auto last, prepare(conn, Query::kLastEvent));
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
  PH_RETURN_IF_ERROR(insert->finish());
  records = counts.added + counts.updated + counts.unchanged;
  nlohmann::ordered_json detail;
  detail["source"] = change.source;
  detail["records"] = records;
  detail["added"] = counts.added;
  detail["updated"] = counts.updated;
  detail["unchanged"] = counts.unchanged;
  PH_ASSIGN_OR_RETURN(
      std::int64_t written,
      repo.appendEvent(changeEvent(change, std::string(kind), change.source, detail, digest)));
  if (written != seq) return internalError("event sequence moved during an upsert");
  return counts;
}

}  // namespace

audit::Event changeEvent(const ChangeContext& change, std::string kind, std::string subject,
                         const nlohmann::ordered_json& detail, const audit::RowSetDigest& digest) {
  audit::Event e;
  e.effective_day = change.effective.days();
  e.recorded_ms = change.recorded_ms;
  e.actor = change.actor;
  e.kind = std::move(kind);
  e.subject = std::move(subject);
  e.payload = rowsPayload(detail, digest);
  return e;
}

Result<std::int64_t> lastEventSeq(Connection& conn) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kLastEventSeq));
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
                       appendPersonRow, Query::kInsertPerson, progress));
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
                       appendDeviceRow, Query::kInsertDevice, progress));
  PH_RETURN_IF_ERROR(tx->commit());
  return counts;
}

Result<std::vector<Person>> Repository::loadPeople(std::optional<Date> as_of, Fields fields) {
  // Every stored version bounds the result: reserved up front, the vector never regrows.
  PH_ASSIGN_OR_RETURN(auto count, prepare(connection_, Query::kCountPersonVersions));
  PH_ASSIGN_OR_RETURN(bool counted, count->step());
  const auto versions = static_cast<std::size_t>(counted ? count->integer(0) : 0);
  count.reset();
  // kEvaluation: what evaluation reads (kPersonEvaluationColumns), the rest left empty.
  if (fields == Fields::kAll) {
    return loadVersions<Person>(connection_, Query::kPeopleAsOf, as_of, readPersonInto, {},
                                versions);
  }
  return loadVersions<Person>(connection_, Query::kPeopleAsOfForEvaluation, as_of,
                              readPersonForEvaluationInto, {}, versions);
}

Result<std::vector<Device>> Repository::loadDevices(std::optional<Date> as_of, Fields fields,
                                                    const IdRange& ids, std::size_t reserve) {
  // kEvaluation / kCounting: what evaluation / the counts read (kDeviceEvaluationColumns /
  // kDeviceCountingColumns), the rest left empty.
  return loadVersions<Device>(connection_, devicesAsOf(fields, ids), as_of, deviceReader(fields),
                              ids, reserve);
}

Status Repository::forEachPerson(Date as_of, Fields fields,
                                 const std::function<Status(const Person&)>& fn,
                                 const IdRange& ids) {
  const bool ranged = !ids.from.empty() || !ids.to.empty();
  if (ranged && (fields == Fields::kAll || (!ids.from.empty() && !ids.to.empty()))) {
    return invalidArgument("forEachPerson: a range is one bound, of evaluation fields");
  }
  if (fields == Fields::kAll) {
    return streamVersions<Person>(connection_, Query::kPeopleAsOf, as_of, readPersonInto, fn);
  }
  const Query query = !ids.from.empty() ? Query::kPeopleAsOfFromForEvaluation
                      : !ids.to.empty() ? Query::kPeopleAsOfBelowForEvaluation
                                        : Query::kPeopleAsOfForEvaluation;
  return streamVersions<Person>(connection_, query, as_of, readPersonForEvaluationInto, fn, ids);
}

Status Repository::forEachDevice(Date as_of, Fields fields,
                                 const std::function<Status(const Device&)>& fn,
                                 const IdRange& ids) {
  return streamVersions<Device>(connection_, devicesAsOf(fields, ids), as_of, deviceReader(fields),
                                fn, ids);
}

namespace {

// The id `fraction` of the way through a table's versions in id order, counted exactly (a
// count, then an index walk to that offset), and the number of versions.
Result<Repository::DeviceSplit> exactIdAt(Connection& conn, Query count_query, Query at_query,
                                          double fraction) {
  PH_ASSIGN_OR_RETURN(auto count, prepare(conn, count_query));
  PH_ASSIGN_OR_RETURN(bool row, count->step());
  const std::int64_t n = row ? count->integer(0) : 0;
  Repository::DeviceSplit split;
  split.versions = static_cast<std::size_t>(n);
  if (n < 2) return split;
  PH_ASSIGN_OR_RETURN(auto at, prepare(conn, at_query));
  at->bind("offset",
           static_cast<std::int64_t>(static_cast<double>(n) * std::clamp(fraction, 0.0, 1.0)));
  PH_ASSIGN_OR_RETURN(bool found, at->step());
  if (found) split.device_id = at->text(0);
  return split;
}

}  // namespace

Result<Repository::DeviceSplit> Repository::deviceIdAt(double fraction) {
  return exactIdAt(connection_, Query::kCountDeviceVersions, Query::kDeviceIdAtOffset, fraction);
}

Result<std::string> Repository::splitPoint(Records records, double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const bool people = records == Records::kPeople;
  {
    PH_ASSIGN_OR_RETURN(auto sample, prepare(connection_, people ? Query::kPersonIdSample
                                                                 : Query::kDeviceIdSample));
    std::vector<std::string> ids;
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, sample->step());
      if (!row) break;
      ids.emplace_back(sample->text(0));
    }
    // Enough for parts within a few percent of the asked size; a small table is split exactly.
    constexpr std::size_t kEnough = 1000;
    if (ids.size() >= kEnough) {
      return ids[std::min(ids.size() - 1, static_cast<std::size_t>(fraction * ids.size()))];
    }
  }
  PH_ASSIGN_OR_RETURN(auto exact, people ? exactIdAt(connection_, Query::kCountPersonVersions,
                                                     Query::kPersonIdAtOffset, fraction)
                                         : exactIdAt(connection_, Query::kCountDeviceVersions,
                                                     Query::kDeviceIdAtOffset, fraction));
  return exact.device_id;
}

Result<inventory::Person> Repository::loadPerson(const std::string& person_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kPersonAsOf));
  s->bind("id", person_id);
  s->bind("day", std::int64_t{as_of.days()});
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound("no person '" + person_id + "' on " + as_of.toString());
  return readPerson(*s);
}

Result<inventory::Device> Repository::loadDevice(const std::string& device_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kDeviceAsOf));
  s->bind("id", device_id);
  s->bind("day", std::int64_t{as_of.days()});
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound("no device '" + device_id + "' on " + as_of.toString());
  return readDevice(*s);
}

Result<bool> Repository::deviceExists(const std::string& device_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kDeviceExists));
  s->bind("id", device_id);
  return s->step();
}

Result<std::vector<std::string>> Repository::loadPersonIds() {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kPersonIds));
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
  PH_ASSIGN_OR_RETURN(auto latest, prepare(connection_, Query::kLatestDirectiveText));
  latest->bind("directive_id", directive_id);
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
  audit::Event event = changeEvent(change, "directive.add", directive_id, detail, digest);
  event.effective_day = valid_from.days();
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendEvent(std::move(event)));

  PH_ASSIGN_OR_RETURN(auto ins, prepare(connection_, Query::kInsertDirective));
  ins->bind("directive_id", directive_id);
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
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kLatestDirectives));
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
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, version == 0 ? Query::kLatestDirective
                                                                : Query::kDirectiveVersion));
  s->bind("directive_id", directive_id);
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
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kDirectiveInForce));
  s->bind("directive_id", directive_id);
  s->bind("day", std::int64_t{as_of.days()});
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (row) return readDirective(*s);
  PH_ASSIGN_OR_RETURN(auto first, getDirective(directive_id, 1));
  return failedPrecondition("directive '" + directive_id + "' was not yet in force on " +
                            as_of.toString() + " (in force from " + first.valid_from.toString() +
                            ")");
}

Result<std::int64_t> Repository::appendEvent(audit::Event event) {
  PH_ASSIGN_OR_RETURN(auto last, prepare(connection_, Query::kLastEvent));
  PH_ASSIGN_OR_RETURN(bool has_last, last->step());
  event.seq = has_last ? last->integer(0) + 1 : 1;
  event.prev_hash = has_last ? std::string(last->text(1)) : std::string(audit::kGenesisHash);
  last.reset();
  event.hash = audit::chainHash(event.prev_hash, event);
  PH_ASSIGN_OR_RETURN(auto ins, prepare(connection_, Query::kInsertEvent));
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
  nlohmann::ordered_json detail;
  try {
    detail = nlohmann::ordered_json::parse(detail_json);
  } catch (const nlohmann::json::exception& e) {
    return internalError(std::string("event detail is not JSON: ") + e.what());
  }
  PH_ASSIGN_OR_RETURN(
      std::int64_t seq,
      appendEvent(changeEvent(change, std::string(kind), std::string(subject), detail, digest)));
  PH_ASSIGN_OR_RETURN(auto ins, prepare(connection_, Query::kInsertDevice));
  bindDevice(*ins, device);
  ins->bind("valid_from", valid_from);
  ins->bind("seq", seq);
  PH_RETURN_IF_ERROR(ins->execute());
  return seq;
}

namespace {

// Hands each event row of `s` to `fn`, in the statement's order.
Status eachEventOf(Statement& s, const std::function<Status(const audit::Event&)>& fn) {
  audit::Event e;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    auto at = [](std::string_view c) consteval { return columnIndex(kEventColumns, c); };
    e.seq = s.integer(at("seq"));
    e.effective_day = static_cast<std::int32_t>(s.integer(at("effective_day")));
    e.recorded_ms = s.integer(at("recorded_ms"));
    e.actor = s.text(at("actor"));
    e.kind = s.text(at("kind"));
    e.subject = s.text(at("subject"));
    e.payload = s.text(at("payload"));
    e.prev_hash = s.text(at("prev_hash"));
    e.hash = s.text(at("hash"));
    PH_RETURN_IF_ERROR(fn(e));
  }
  return Status::ok();
}

}  // namespace

Status Repository::forEachEvent(const std::function<Status(const audit::Event&)>& fn) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kSelectEvents));
  return eachEventOf(*s, fn);
}

Status Repository::forEachEventAfter(std::int64_t after_seq, std::size_t limit,
                                     const std::function<Status(const audit::Event&)>& fn) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kEventsAfter));
  s->bind("after", after_seq);
  s->bind("limit", static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  return eachEventOf(*s, fn);
}

Status Repository::forEachEventAbout(const std::string& subject,
                                     const std::function<Status(const audit::Event&)>& fn) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection_, Query::kEventsAbout));
  s->bind("subject", subject);
  return eachEventOf(*s, fn);
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
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kPersonRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      PH_ASSIGN_OR_RETURN(Person p, readPerson(*s));
      row_text.clear();
      appendPersonRow(row_text, p, s->integer(columnIndex(kPersonColumns, "valid_from")));
      digests.add(s->integer(columnIndex(kPersonColumns, "seq")), row_text);
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kDeviceRows));
    Device d;  // reused: its strings keep their storage from row to row
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      if (Status read = readDeviceInto(*s, d); !read.isOk()) {
        out.unreadable_seq = s->integer(columnIndex(kDeviceColumns, "seq"));
        out.unreadable = "a device row it wrote is unreadable: " + read.message();
        return Status::ok();
      }
      row_text.clear();
      appendDeviceRow(row_text, d, s->integer(columnIndex(kDeviceColumns, "valid_from")));
      digests.add(s->integer(columnIndex(kDeviceColumns, "seq")), row_text);
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kDirectiveRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      auto at = [](std::string_view c) consteval { return columnIndex(kDirectiveColumns, c); };
      digests.add(s->integer(at("seq")),
                  directiveRow(s->text(at("directive_id")), s->integer(at("version")),
                               s->integer(at("valid_from")), s->text(at("title")),
                               s->text(at("source_text"))));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kWaiverRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      digests.add(s->integer(columnIndex(kWaiverColumns, "seq")), waiverRow(readWaiver(*s)));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kWaiverRevocationRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      auto at = [](std::string_view c) consteval {
        return columnIndex(kWaiverRevocationColumns, c);
      };
      digests.add(s->integer(at("seq")),
                  waiverRevocationRow(s->text(at("waiver_id")), s->integer(at("revoked_from"))));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kWaiverRequestRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      PH_ASSIGN_OR_RETURN(auto r, readWaiverRequest(*s));
      digests.add(s->integer(columnIndex(kWaiverRequestColumns, "seq")), waiverRequestRow(r));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kWaiverDecisionRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      auto at = [](std::string_view c) consteval { return columnIndex(kWaiverDecisionColumns, c); };
      campaign::RequestedWaiver r;
      r.request_id = s->text(at("request_id"));
      const auto state = campaign::parseWaiverRequestState(s->text(at("decision")));
      if (!state || *state == campaign::WaiverRequestState::kPending) {
        out.unreadable_seq = s->integer(at("seq"));
        out.unreadable = "the waiver decision it wrote has an invalid decision";
        return Status::ok();
      }
      r.state = *state;
      r.decided_by = s->text(at("decided_by"));
      r.decided_on = Date::fromDays(static_cast<std::int32_t>(s->integer(at("decided_day"))));
      r.decision_reason = s->text(at("reason"));
      r.waiver_id = s->text(at("waiver_id"));
      digests.add(s->integer(at("seq")), waiverDecisionRow(r));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kCaseStepRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      auto st = readCaseStep(*s);
      if (!st.isOk()) {
        out.unreadable_seq = s->integer(columnIndex(kCaseStepColumns, "seq"));
        out.unreadable = "the case step it wrote has an invalid stage";
        return Status::ok();
      }
      digests.add(st->seq, caseStepRow(*st));
      ++out.rows;
    }
  }
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kNotificationRows));
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      auto at = [](std::string_view c) consteval { return columnIndex(kNotificationColumns, c); };
      digests.add(s->integer(at("seq")),
                  notificationRow(s->text(at("directive_id")), s->text(at("device_id")),
                                  s->text(at("milestone")), s->text(at("step")),
                                  s->text(at("recipient")), s->integer(at("sent_day"))));
      ++out.rows;
    }
  }
  PH_RETURN_IF_ERROR(addSightingDigests(conn, digests, out.rows));
  PH_RETURN_IF_ERROR(addSourceRecordDigests(conn, digests, out.rows));
  {
    PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kEvidenceRows));
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
