#include "storage/sighting_store.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>

#include "policy/directive.h"
#include "storage/catalog.h"
#include "storage/rows.h"

namespace phaseout::storage {
namespace {

using campaign::ServiceUse;
using campaign::Sighting;

constexpr double kPpm = 1'000'000.0;

// A sightings row as stored: what is bound, what is read back, and what the digest covers.
struct Columns {
  std::int64_t item = 0;
  std::string key;
  std::int64_t seen_day = 0;
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::string macs, ips, hostnames, users;
  std::string serial, vendor, platform, kind, model, level;
  std::int64_t confidence_ppm = 0;
  std::string sources, services, evidence;
};

std::string jsonList(const std::vector<std::string>& values) {
  return nlohmann::ordered_json(values).dump();
}

std::string servicesJson(const std::vector<ServiceUse>& uses) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& u : uses) {
    out.push_back({{"service", u.service},
                   {"user", u.user},
                   {"user_agent", u.user_agent},
                   {"ua_kind", platform::name(u.ua_kind)},
                   {"ua_platform", platform::name(u.ua_platform)},
                   {"where", u.where},
                   {"count", u.count}});
  }
  return out.dump();
}

Columns toColumns(const Sighting& s, std::int64_t item) {
  Columns c;
  c.item = item;
  c.key = s.key;
  c.seen_day = s.seen_on.days();
  c.first_seen_ms = s.first_seen_ms;
  c.last_seen_ms = s.last_seen_ms;
  c.macs = jsonList(s.macs);
  c.ips = jsonList(s.ips);
  c.hostnames = jsonList(s.hostnames);
  c.users = jsonList(s.users);
  c.serial = s.serial;
  c.vendor = s.vendor;
  c.platform = platform::name(s.platform);
  c.kind = platform::name(s.kind);
  c.model = s.model;
  c.level = campaign::name(s.level);
  c.confidence_ppm = std::llround(std::clamp(s.confidence, 0.0, 1.0) * kPpm);
  c.sources = jsonList(s.sources);
  c.services = servicesJson(s.services);
  c.evidence = jsonList(s.evidence);
  return c;
}

// The canonical encoding the event's row digest covers (rows.h's field encoding).
std::string sightingRow(const Columns& c) {
  std::string out = "sighting;";
  field(out, std::to_string(c.item));
  field(out, c.key);
  field(out, std::to_string(c.seen_day));
  field(out, std::to_string(c.first_seen_ms));
  field(out, std::to_string(c.last_seen_ms));
  for (const std::string* v : {&c.macs, &c.ips, &c.hostnames, &c.users, &c.serial, &c.vendor,
                               &c.platform, &c.kind, &c.model, &c.level}) {
    field(out, *v);
  }
  field(out, std::to_string(c.confidence_ppm));
  field(out, c.sources);
  field(out, c.services);
  field(out, c.evidence);
  return out;
}

constexpr int kSeqColumn = columnIndex(kSightingColumns, "seq");

// Reads a row selected as kSightingColumns lists them (seq apart).
Columns readColumns(Statement& s) {
  auto at = [](std::string_view c) consteval { return columnIndex(kSightingColumns, c); };
  Columns c;
  c.item = s.integer(at("item"));
  c.key = s.text(at("sighting_key"));
  c.seen_day = s.integer(at("seen_day"));
  c.first_seen_ms = s.integer(at("first_seen_ms"));
  c.last_seen_ms = s.integer(at("last_seen_ms"));
  c.macs = s.text(at("macs"));
  c.ips = s.text(at("ips"));
  c.hostnames = s.text(at("hostnames"));
  c.users = s.text(at("users"));
  c.serial = s.text(at("serial"));
  c.vendor = s.text(at("vendor"));
  c.platform = s.text(at("platform"));
  c.kind = s.text(at("kind"));
  c.model = s.text(at("model"));
  c.level = s.text(at("level"));
  c.confidence_ppm = s.integer(at("confidence_ppm"));
  c.sources = s.text(at("sources"));
  c.services = s.text(at("services"));
  c.evidence = s.text(at("evidence"));
  return c;
}

std::string sightingId(std::int64_t seq, std::int64_t item) {
  return "S" + std::to_string(seq) + "." + std::to_string(item);
}

Result<std::vector<std::string>> parseList(const std::string& text, const std::string& what) {
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_array()) return dataLoss(what + " is not a JSON list");
    std::vector<std::string> out;
    for (const auto& v : j) {
      if (!v.is_string()) return dataLoss(what + " holds a non-string");
      out.push_back(v.get<std::string>());
    }
    return out;
  } catch (const nlohmann::json::exception&) {
    return dataLoss(what + " is not valid JSON");
  }
}

Result<std::vector<ServiceUse>> parseServices(const std::string& text, const std::string& what) {
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_array()) return dataLoss(what + " is not a JSON list");
    std::vector<ServiceUse> out;
    for (const auto& v : j) {
      ServiceUse u;
      u.service = v.at("service").get<std::string>();
      u.user = v.at("user").get<std::string>();
      u.user_agent = v.at("user_agent").get<std::string>();
      auto kind = platform::parseKind(v.at("ua_kind").get<std::string>());
      auto p = platform::parsePlatform(v.at("ua_platform").get<std::string>());
      if (!kind || !p) return dataLoss(what + " holds an unknown kind or platform");
      u.ua_kind = *kind;
      u.ua_platform = *p;
      u.where = v.at("where").get<std::string>();
      u.count = v.at("count").get<std::uint64_t>();
      out.push_back(std::move(u));
    }
    return out;
  } catch (const nlohmann::json::exception&) {
    return dataLoss(what + " is not a valid list of service uses");
  }
}

Result<Sighting> fromColumns(std::int64_t seq, const Columns& c) {
  Sighting s;
  s.id = sightingId(seq, c.item);
  const std::string what = "stored sighting " + s.id;
  s.key = c.key;
  s.seen_on = Date::fromDays(static_cast<std::int32_t>(c.seen_day));
  s.first_seen_ms = c.first_seen_ms;
  s.last_seen_ms = c.last_seen_ms;
  PH_ASSIGN_OR_RETURN(s.macs, parseList(c.macs, what + " macs"));
  PH_ASSIGN_OR_RETURN(s.ips, parseList(c.ips, what + " ips"));
  PH_ASSIGN_OR_RETURN(s.hostnames, parseList(c.hostnames, what + " hostnames"));
  PH_ASSIGN_OR_RETURN(s.users, parseList(c.users, what + " users"));
  s.serial = c.serial;
  s.vendor = c.vendor;
  auto p = platform::parsePlatform(c.platform);
  auto kind = platform::parseKind(c.kind);
  auto level = campaign::parseSightingLevel(c.level);
  if (!p || !kind || !level) {
    return dataLoss(what + " has platform \"" + c.platform + "\", kind \"" + c.kind +
                    "\", level \"" + c.level + "\"");
  }
  s.platform = *p;
  s.kind = *kind;
  s.level = *level;
  s.model = c.model;
  s.confidence = static_cast<double>(c.confidence_ppm) / kPpm;
  PH_ASSIGN_OR_RETURN(s.sources, parseList(c.sources, what + " sources"));
  PH_ASSIGN_OR_RETURN(s.services, parseServices(c.services, what + " services"));
  PH_ASSIGN_OR_RETURN(s.evidence, parseList(c.evidence, what + " evidence"));
  return s;
}

// Appends to `out` every version `query` (kPersonVersions, kDeviceVersions) selects, `read`
// reading its record.
template <class Record>
Status loadVersions(Connection& conn, Query query, Result<Record> (*read)(Statement&),
                    std::vector<campaign::Versioned<Record>>& out) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, query));
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::Versioned<Record> v;
    v.valid_from = static_cast<std::int32_t>(s->integer(kVersionValidFrom));
    v.seq = s->integer(kVersionSeq);
    PH_ASSIGN_OR_RETURN(v.record, read(*s));
    out.push_back(std::move(v));
  }
  return Status::ok();
}

}  // namespace

Result<RecordedBatch> SightingStore::recordSightings(const std::vector<Sighting>& sightings,
                                                     const std::vector<std::string>& sources,
                                                     const ChangeContext& change) {
  if (sightings.empty()) return invalidArgument("no sightings to record");
  std::vector<Columns> rows;
  rows.reserve(sightings.size());
  audit::RowSetDigest digest;
  Date first = sightings.front().seen_on;
  Date last = first;
  for (std::size_t i = 0; i < sightings.size(); ++i) {
    if (sightings[i].key.empty()) {
      return invalidArgument("sighting " + std::to_string(i + 1) + " has no key");
    }
    first = std::min(first, sightings[i].seen_on);
    last = std::max(last, sightings[i].seen_on);
    rows.push_back(toColumns(sightings[i], static_cast<std::int64_t>(i + 1)));
    digest.add(sightingRow(rows.back()));
  }
  std::string subject;
  for (const auto& source : sources) subject += (subject.empty() ? "" : ", ") + source;
  nlohmann::ordered_json detail{{"sightings", sightings.size()},
                                {"sources", sources},
                                {"seen_from", first.toString()},
                                {"seen_to", last.toString()}};
  PH_ASSIGN_OR_RETURN(
      std::int64_t seq,
      repo_.appendEvent(changeEvent(change, "sightings.record",
                                    subject.empty() ? change.source : subject, detail, digest)));
  PH_ASSIGN_OR_RETURN(auto ins, prepareBulkInsert(repo_.connection(), Query::kInsertSighting));
  for (const Columns& c : rows) {
    ins->bind("seq", seq);
    ins->bind("item", c.item);
    ins->bind("sighting_key", c.key);
    ins->bind("seen_day", c.seen_day);
    ins->bind("first_seen_ms", c.first_seen_ms);
    ins->bind("last_seen_ms", c.last_seen_ms);
    ins->bind("macs", c.macs);
    ins->bind("ips", c.ips);
    ins->bind("hostnames", c.hostnames);
    ins->bind("users", c.users);
    ins->bind("serial", c.serial);
    ins->bind("vendor", c.vendor);
    ins->bind("platform", c.platform);
    ins->bind("kind", c.kind);
    ins->bind("model", c.model);
    ins->bind("level", c.level);
    ins->bind("confidence_ppm", c.confidence_ppm);
    ins->bind("sources", c.sources);
    ins->bind("services", c.services);
    ins->bind("evidence", c.evidence);
    PH_RETURN_IF_ERROR(ins->execute());
    ins->reset();
  }
  PH_RETURN_IF_ERROR(ins->finish());
  return RecordedBatch{seq, sightings.size()};
}

Result<std::vector<Sighting>> SightingStore::loadSightings(const SightingQuery& query) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSightingsBetween));
  s->bind("since", query.since ? std::int64_t{query.since->days()}
                               : std::numeric_limits<std::int64_t>::min());
  s->bind("until", query.as_of ? std::int64_t{query.as_of->days()}
                               : std::numeric_limits<std::int64_t>::max());
  std::vector<Sighting> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    PH_ASSIGN_OR_RETURN(Sighting sighting, fromColumns(s->integer(kSeqColumn), readColumns(*s)));
    out.push_back(std::move(sighting));
  }
  return out;
}

Result<SightingStore::ReconcileInputs> SightingStore::loadReconcileInputs() {
  ReconcileInputs in;
  Connection& conn = repo_.connection();
  PH_RETURN_IF_ERROR(loadVersions(conn, Query::kPersonVersions, readPerson, in.people));
  PH_RETURN_IF_ERROR(loadVersions(conn, Query::kDeviceVersions, readDevice, in.devices));
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kAllDirectiveVersions));
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::DirectiveVersion v;
    const std::string id(s->text(0));
    v.version = s->integer(1);
    v.valid_from = static_cast<std::int32_t>(s->integer(2));
    auto parsed = policy::parseDirective(s->text(3), id + " v" + std::to_string(v.version));
    if (!parsed.isOk()) {
      return dataLoss("stored directive " + id + " version " + std::to_string(v.version) +
                      " no longer parses: " + parsed.status().message());
    }
    v.directive = std::move(parsed).value();
    in.directives.push_back(std::move(v));
  }
  return in;
}

Status addSightingDigests(Connection& connection, RowDigests& digests, std::int64_t& rows) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection, Query::kSightingRows));
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    digests.add(s->integer(kSeqColumn), sightingRow(readColumns(*s)));
    ++rows;
  }
  return Status::ok();
}

}  // namespace phaseout::storage
