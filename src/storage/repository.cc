#include "storage/repository.h"

#include <string_view>
#include <unordered_map>

#include "core/strings.h"
#include "storage/migrations.h"

namespace phaseout::storage {
namespace {

using inventory::Device;
using inventory::EmploymentStatus;
using inventory::Person;

// The query catalog: every statement the repository runs, with named parameters.
constexpr std::string_view kInsertPerson =
    "INSERT INTO people (person_id, name, email, unit, roles, status) "
    "VALUES (:person_id, :name, :email, :unit, :roles, :status)";
constexpr std::string_view kUpdatePerson =
    "UPDATE people SET name = :name, email = :email, unit = :unit, roles = :roles, "
    "status = :status WHERE person_id = :person_id";
constexpr std::string_view kSelectPeople =
    "SELECT person_id, name, email, unit, roles, status FROM people ORDER BY person_id";
constexpr std::string_view kSelectPersonIds = "SELECT person_id FROM people ORDER BY person_id";
constexpr std::string_view kInsertDevice =
    "INSERT INTO devices (device_id, holder, kind, vendor, model, platform, os_version, "
    "ownership, channel, serial, imei, macs, hostname, state) VALUES (:device_id, :holder, "
    ":kind, :vendor, :model, :platform, :os_version, :ownership, :channel, :serial, :imei, "
    ":macs, :hostname, :state)";
constexpr std::string_view kUpdateDevice =
    "UPDATE devices SET holder = :holder, kind = :kind, vendor = :vendor, model = :model, "
    "platform = :platform, os_version = :os_version, ownership = :ownership, "
    "channel = :channel, serial = :serial, imei = :imei, macs = :macs, hostname = :hostname, "
    "state = :state WHERE device_id = :device_id";
constexpr std::string_view kSelectDevices =
    "SELECT device_id, holder, kind, vendor, model, platform, os_version, ownership, channel, "
    "serial, imei, macs, hostname, state FROM devices ORDER BY device_id";
constexpr std::string_view kLatestDirectiveVersion =
    "SELECT version, source_text FROM directives WHERE directive_id = :id "
    "ORDER BY version DESC LIMIT 1";
constexpr std::string_view kInsertDirective =
    "INSERT INTO directives (directive_id, version, title, source_text, added_at_ms) "
    "VALUES (:id, :version, :title, :source_text, :added_at_ms)";
constexpr std::string_view kListDirectives =
    "SELECT d.directive_id, d.version, d.title, d.source_text, d.added_at_ms FROM directives d "
    "WHERE d.version = (SELECT max(version) FROM directives x WHERE x.directive_id = "
    "d.directive_id) ORDER BY d.directive_id";
constexpr std::string_view kGetDirectiveLatest =
    "SELECT directive_id, version, title, source_text, added_at_ms FROM directives "
    "WHERE directive_id = :id ORDER BY version DESC LIMIT 1";
constexpr std::string_view kGetDirectiveVersion =
    "SELECT directive_id, version, title, source_text, added_at_ms FROM directives "
    "WHERE directive_id = :id AND version = :version";

void bindPerson(Statement& s, const Person& p) {
  s.bind("person_id", p.person_id);
  s.bind("name", p.name);
  s.bind("email", p.email);
  s.bind("unit", p.unit);
  s.bind("roles", join(p.roles, ";"));
  s.bind("status", inventory::name(p.status));
}

void bindDevice(Statement& s, const Device& d) {
  s.bind("device_id", d.device_id);
  s.bind("holder", d.holder);
  s.bind("kind", platform::name(d.kind));
  s.bind("vendor", d.vendor);
  s.bind("model", d.model);
  s.bind("platform", platform::name(d.platform));
  s.bind("os_version", d.os_version);
  s.bind("ownership", platform::name(d.ownership));
  s.bind("channel", platform::name(d.channel));
  s.bind("serial", d.serial);
  s.bind("imei", d.imei);
  s.bind("macs", join(d.macs, ";"));
  s.bind("hostname", d.hostname);
  s.bind("state", platform::name(d.state));
}

template <typename T>
Status decodeEnum(std::optional<T> parsed, T& out, std::string_view column, std::string_view id,
                  std::string_view raw) {
  if (!parsed) {
    return dataLoss("stored " + std::string(column) + " of " + std::string(id) +
                    " is not a valid value: \"" + std::string(raw) + "\"");
  }
  out = *parsed;
  return Status::ok();
}

Result<Device> readDevice(Statement& s) {
  Device d;
  d.device_id = s.text(0);
  d.holder = s.text(1);
  PH_RETURN_IF_ERROR(decodeEnum(platform::parseKind(s.text(2)), d.kind, "kind", d.device_id,
                                s.text(2)));
  d.vendor = s.text(3);
  d.model = s.text(4);
  PH_RETURN_IF_ERROR(decodeEnum(platform::parsePlatform(s.text(5)), d.platform, "platform",
                                d.device_id, s.text(5)));
  d.os_version = s.text(6);
  PH_RETURN_IF_ERROR(decodeEnum(platform::parseOwnership(s.text(7)), d.ownership, "ownership",
                                d.device_id, s.text(7)));
  PH_RETURN_IF_ERROR(decodeEnum(platform::parseChannel(s.text(8)), d.channel, "channel",
                                d.device_id, s.text(8)));
  d.serial = s.text(9);
  d.imei = s.text(10);
  d.macs = splitList(s.text(11), ';');
  d.hostname = s.text(12);
  PH_RETURN_IF_ERROR(decodeEnum(platform::parseDeviceState(s.text(13)), d.state, "state",
                                d.device_id, s.text(13)));
  return d;
}

Result<DirectiveRecord> readDirective(Statement& s) {
  DirectiveRecord r;
  r.directive_id = s.text(0);
  r.version = s.integer(1);
  r.title = s.text(2);
  r.source_text = s.text(3);
  r.added_at_ms = s.integer(4);
  return r;
}

// Shared upsert: insert what is new, update what differs, count what is equal.
template <typename Record, typename IdOf, typename Bind>
Result<UpsertCounts> upsert(Connection& conn, const std::vector<Record>& incoming,
                            std::vector<Record> existing, IdOf id_of, Bind bind,
                            std::string_view insert_sql, std::string_view update_sql,
                            const Repository::RowProgress& progress) {
  std::unordered_map<std::string_view, const Record*> by_id;
  by_id.reserve(existing.size());
  for (const Record& r : existing) by_id.emplace(id_of(r), &r);
  PH_ASSIGN_OR_RETURN(auto insert, conn.prepare(insert_sql));
  PH_ASSIGN_OR_RETURN(auto update, conn.prepare(update_sql));
  UpsertCounts counts;
  constexpr std::size_t kProgressEvery = 16384;
  std::size_t done = 0;
  for (const Record& r : incoming) {
    if (progress && ++done % kProgressEvery == 0) progress(done, incoming.size());
    auto it = by_id.find(id_of(r));
    Statement* stmt = nullptr;
    if (it == by_id.end()) {
      stmt = insert.get();
      ++counts.added;
    } else if (!(*it->second == r)) {
      stmt = update.get();
      ++counts.updated;
    } else {
      ++counts.unchanged;
      continue;
    }
    bind(*stmt, r);
    PH_RETURN_IF_ERROR(stmt->execute());
    stmt->reset();
  }
  return counts;
}

}  // namespace

Status Repository::migrate() { return storage::migrate(connection_); }

Status Repository::checkReady() {
  PH_ASSIGN_OR_RETURN(int version, schemaVersion(connection_));
  if (version == 0) {
    return failedPrecondition("the database has no phaseout schema; run 'phaseout init' first");
  }
  if (version != migrations().back().version) {
    return failedPrecondition("the database schema is version " + std::to_string(version) +
                              ", this phaseout expects " +
                              std::to_string(migrations().back().version) +
                              "; run 'phaseout init' to upgrade");
  }
  return Status::ok();
}

Result<UpsertCounts> Repository::upsertPeople(const std::vector<Person>& people,
                                              const RowProgress& progress) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto existing, loadPeople());
  PH_ASSIGN_OR_RETURN(
      auto counts, upsert(connection_, people, std::move(existing),
                          [](const Person& p) -> std::string_view { return p.person_id; },
                          bindPerson, kInsertPerson, kUpdatePerson, progress));
  PH_RETURN_IF_ERROR(tx->commit());
  return counts;
}

Result<UpsertCounts> Repository::upsertDevices(const std::vector<Device>& devices,
                                               const RowProgress& progress) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto existing, loadDevices());
  PH_ASSIGN_OR_RETURN(
      auto counts, upsert(connection_, devices, std::move(existing),
                          [](const Device& d) -> std::string_view { return d.device_id; },
                          bindDevice, kInsertDevice, kUpdateDevice, progress));
  PH_RETURN_IF_ERROR(tx->commit());
  return counts;
}

Result<std::vector<Person>> Repository::loadPeople() {
  PH_ASSIGN_OR_RETURN(auto s, connection_.prepare(kSelectPeople));
  std::vector<Person> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    Person p;
    p.person_id = s->text(0);
    p.name = s->text(1);
    p.email = s->text(2);
    p.unit = s->text(3);
    p.roles = splitList(s->text(4), ';');
    const std::string_view status = s->text(5);
    if (status == "active") {
      p.status = EmploymentStatus::kActive;
    } else if (status == "left") {
      p.status = EmploymentStatus::kLeft;
    } else {
      return dataLoss("stored status of " + p.person_id + " is not valid: \"" +
                      std::string(status) + "\"");
    }
    out.push_back(std::move(p));
  }
  return out;
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

Result<std::vector<Device>> Repository::loadDevices() {
  PH_ASSIGN_OR_RETURN(auto s, connection_.prepare(kSelectDevices));
  std::vector<Device> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    PH_ASSIGN_OR_RETURN(Device d, readDevice(*s));
    out.push_back(std::move(d));
  }
  return out;
}

Result<AddDirectiveOutcome> Repository::addDirective(const std::string& directive_id,
                                                     const std::string& title,
                                                     const std::string& source_text,
                                                     std::int64_t added_at_ms) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(connection_, Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto latest, connection_.prepare(kLatestDirectiveVersion));
  latest->bind("id", directive_id);
  PH_ASSIGN_OR_RETURN(bool has_row, latest->step());
  AddDirectiveOutcome outcome;
  if (has_row) {
    outcome.version = latest->integer(0);
    if (latest->text(1) == source_text) return outcome;  // unchanged: no new version
  }
  outcome.version += 1;
  outcome.created = true;
  PH_ASSIGN_OR_RETURN(auto ins, connection_.prepare(kInsertDirective));
  ins->bind("id", directive_id);
  ins->bind("version", outcome.version);
  ins->bind("title", title);
  ins->bind("source_text", source_text);
  ins->bind("added_at_ms", added_at_ms);
  PH_RETURN_IF_ERROR(ins->execute());
  PH_RETURN_IF_ERROR(tx->commit());
  return outcome;
}

Result<std::vector<DirectiveRecord>> Repository::listDirectives() {
  PH_ASSIGN_OR_RETURN(auto s, connection_.prepare(kListDirectives));
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
  PH_ASSIGN_OR_RETURN(auto s,
                      connection_.prepare(version == 0 ? kGetDirectiveLatest : kGetDirectiveVersion));
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

}  // namespace phaseout::storage
