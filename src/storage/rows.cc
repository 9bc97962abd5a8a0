#include "storage/rows.h"

#include "core/strings.h"
#include "storage/catalog.h"

namespace phaseout::storage {

using inventory::Device;
using inventory::EmploymentStatus;
using inventory::Person;

// --- canonical row encodings (what row digests cover) -------------------------------------

void field(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
  out += ';';
}

std::string personRow(const Person& p, std::int64_t valid_from) {
  std::string out;
  appendPersonRow(out, p, valid_from);
  return out;
}

void appendPersonRow(std::string& out, const Person& p, std::int64_t valid_from) {
  out += "person;";
  field(out, p.person_id);
  field(out, std::to_string(valid_from));
  field(out, p.name);
  field(out, p.email);
  field(out, p.unit);
  field(out, join(p.roles, ";"));
  field(out, inventory::name(p.status));
  // Added with migration 11: rows stored before it (no UPN) keep the digest they were chained with.
  if (!p.upn.empty()) field(out, p.upn);
}

std::string deviceRow(const Device& d, std::int64_t valid_from) {
  std::string out;
  appendDeviceRow(out, d, valid_from);
  return out;
}

void appendDeviceRow(std::string& out, const Device& d, std::int64_t valid_from) {
  out += "device;";
  field(out, d.device_id);
  field(out, std::to_string(valid_from));
  field(out, d.holder);
  field(out, platform::name(d.kind));
  field(out, d.vendor);
  field(out, d.model);
  field(out, platform::name(d.platform));
  field(out, d.os_version);
  field(out, platform::name(d.ownership));
  field(out, platform::name(d.channel));
  field(out, d.serial);
  field(out, d.imei);
  field(out, join(d.macs, ";"));
  field(out, d.hostname);
  field(out, platform::name(d.state));
}

std::string directiveRow(std::string_view id, std::int64_t version, std::int64_t valid_from,
                         std::string_view title, std::string_view text) {
  std::string out = "directive;";
  field(out, id);
  field(out, std::to_string(version));
  field(out, std::to_string(valid_from));
  field(out, title);
  field(out, text);
  return out;
}

RowDigests::RowDigests(std::int64_t max_seq)
    : digests_(static_cast<std::size_t>(max_seq < 0 ? 0 : max_seq) + 1) {}

void RowDigests::add(std::int64_t seq, std::string_view canonical_row) {
  if (seq < 1 || static_cast<std::size_t>(seq) >= digests_.size()) {
    if (!first_orphan_ || seq < *first_orphan_) first_orphan_ = seq;
    return;
  }
  digests_[static_cast<std::size_t>(seq)].add(canonical_row);
}

const audit::RowSetDigest* RowDigests::find(std::int64_t seq) const {
  if (seq < 1 || static_cast<std::size_t>(seq) >= digests_.size()) return nullptr;
  const audit::RowSetDigest& d = digests_[static_cast<std::size_t>(seq)];
  return d.rows() == 0 ? nullptr : &d;
}

// --- binding and reading ------------------------------------------------------------------

void bindPerson(Statement& s, const Person& p) {
  s.bindView("person_id", p.person_id);
  s.bindView("name", p.name);
  s.bindView("email", p.email);
  s.bindView("unit", p.unit);
  s.bind("roles", join(p.roles, ";"));
  s.bindView("status", inventory::name(p.status));
  s.bindView("upn", p.upn);
}

void bindDevice(Statement& s, const Device& d) {
  s.bindView("device_id", d.device_id);
  s.bindView("holder", d.holder);
  s.bindView("kind", platform::name(d.kind));
  s.bindView("vendor", d.vendor);
  s.bindView("model", d.model);
  s.bindView("platform", platform::name(d.platform));
  s.bindView("os_version", d.os_version);
  s.bindView("ownership", platform::name(d.ownership));
  s.bindView("channel", platform::name(d.channel));
  s.bindView("serial", d.serial);
  s.bindView("imei", d.imei);
  s.bind("macs", join(d.macs, ";"));
  s.bindView("hostname", d.hostname);
  s.bindView("state", platform::name(d.state));
}

namespace {

template <typename T, typename Parse>
Status decodeEnum(Parse parse, std::string_view raw, T& out, std::string_view column,
                  std::string_view id) {
  const std::optional<T> parsed = parse(raw);
  if (!parsed) {
    return dataLoss("stored " + std::string(column) + " of " + std::string(id) +
                    " is not a valid value: \"" + std::string(raw) + "\"");
  }
  out = *parsed;
  return Status::ok();
}

// A column list's positions and members, asked at compile time.
template <const auto& kColumns>
struct ColumnsOf {
  static consteval int at(std::string_view column) { return columnIndex(kColumns, column); }
  static consteval bool has(std::string_view column) { return hasColumn(kColumns, column); }
};

// Reads a person selected as `kColumns` lists them; a column the list lacks is left empty.
template <const auto& kColumns>
Status readPersonAs(Statement& s, Person& p) {
  using C = ColumnsOf<kColumns>;
  p.person_id = s.text(C::at("person_id"));
  if constexpr (C::has("name")) {
    p.name = s.text(C::at("name"));
  } else {
    p.name.clear();
  }
  if constexpr (C::has("email")) {
    p.email = s.text(C::at("email"));
  } else {
    p.email.clear();
  }
  if constexpr (C::has("upn")) {
    p.upn = s.text(C::at("upn"));
  } else {
    p.upn.clear();
  }
  p.unit = s.text(C::at("unit"));
  p.roles = splitList(s.text(C::at("roles")), ';');
  const std::string_view status = s.text(C::at("status"));
  if (status == "active") {
    p.status = EmploymentStatus::kActive;
  } else if (status == "left") {
    p.status = EmploymentStatus::kLeft;
  } else {
    return dataLoss("stored status of " + p.person_id + " is not valid: \"" + std::string(status) +
                    "\"");
  }
  return Status::ok();
}

// Reads a device selected as `kColumns` lists them; a column the list lacks is left empty
// (its enum unknown).
template <const auto& kColumns>
Status readDeviceAs(Statement& s, Device& d) {
  using C = ColumnsOf<kColumns>;
  d.device_id = s.text(C::at("device_id"));
  d.holder = s.text(C::at("holder"));
  PH_RETURN_IF_ERROR(
      decodeEnum(platform::parseKind, s.text(C::at("kind")), d.kind, "kind", d.device_id));
  d.vendor = s.text(C::at("vendor"));
  d.model = s.text(C::at("model"));
  PH_RETURN_IF_ERROR(decodeEnum(platform::parsePlatform, s.text(C::at("platform")), d.platform,
                                "platform", d.device_id));
  if constexpr (C::has("os_version")) {
    d.os_version = s.text(C::at("os_version"));
  } else {
    d.os_version.clear();
  }
  if constexpr (C::has("ownership")) {
    PH_RETURN_IF_ERROR(decodeEnum(platform::parseOwnership, s.text(C::at("ownership")), d.ownership,
                                  "ownership", d.device_id));
    PH_RETURN_IF_ERROR(decodeEnum(platform::parseChannel, s.text(C::at("channel")), d.channel,
                                  "channel", d.device_id));
    d.serial = s.text(C::at("serial"));
    d.imei = s.text(C::at("imei"));
    d.macs = splitList(s.text(C::at("macs")), ';');
    d.hostname = s.text(C::at("hostname"));
  } else {
    d.ownership = platform::Ownership::kUnknown;
    d.channel = platform::Channel::kUnknown;
    d.serial.clear();
    d.imei.clear();
    d.macs.clear();
    d.hostname.clear();
  }
  return decodeEnum(platform::parseDeviceState, s.text(C::at("state")), d.state, "state",
                    d.device_id);
}

}  // namespace

Status readPersonInto(Statement& s, Person& p) { return readPersonAs<kPersonColumns>(s, p); }
Status readPersonForEvaluationInto(Statement& s, Person& p) {
  return readPersonAs<kPersonEvaluationColumns>(s, p);
}
Status readDeviceInto(Statement& s, Device& d) { return readDeviceAs<kDeviceColumns>(s, d); }
Status readDeviceForEvaluationInto(Statement& s, Device& d) {
  return readDeviceAs<kDeviceEvaluationColumns>(s, d);
}
Status readDeviceForCountingInto(Statement& s, Device& d) {
  return readDeviceAs<kDeviceCountingColumns>(s, d);
}

Result<Person> readPerson(Statement& s) {
  Person p;
  PH_RETURN_IF_ERROR(readPersonInto(s, p));
  return p;
}

Result<Device> readDevice(Statement& s) {
  Device d;
  PH_RETURN_IF_ERROR(readDeviceInto(s, d));
  return d;
}

campaign::Waiver readWaiver(Statement& s) {
  auto at = [](std::string_view column) consteval { return columnIndex(kWaiverColumns, column); };
  campaign::Waiver w;
  w.waiver_id = s.text(at("waiver_id"));
  w.directive_id = s.text(at("directive_id"));
  w.device_id = s.text(at("device_id"));
  w.person_id = s.text(at("person_id"));
  w.unit = s.text(at("unit"));
  w.approver = s.text(at("approver"));
  w.reason = s.text(at("reason"));
  w.from = Date::fromDays(static_cast<std::int32_t>(s.integer(at("from_day"))));
  w.until = Date::fromDays(static_cast<std::int32_t>(s.integer(at("until_day"))));
  return w;
}

Result<campaign::CaseStep> readCaseStep(Statement& s) {
  auto at = [](std::string_view column) consteval { return columnIndex(kCaseStepColumns, column); };
  campaign::CaseStep st;
  st.seq = s.integer(at("seq"));
  st.directive_id = s.text(at("directive_id"));
  st.device_id = s.text(at("device_id"));
  const std::string_view stage = s.text(at("stage"));
  const auto parsed = campaign::parseCaseStage(stage);
  if (!parsed) {
    return dataLoss("stored case step " + std::to_string(st.seq) + " has stage \"" +
                    std::string(stage) + "\"");
  }
  st.stage = *parsed;
  st.on = Date::fromDays(static_cast<std::int32_t>(s.integer(at("on_day"))));
  st.actor = s.text(at("actor"));
  st.note = s.text(at("note"));
  return st;
}

std::optional<std::int64_t> optionalInteger(Statement& s, int column) {
  if (s.isNull(column)) return std::nullopt;
  return s.integer(column);
}

void bindOptional(Statement& s, std::string_view name, std::optional<std::int64_t> value) {
  if (value) {
    s.bind(name, *value);
  } else {
    s.bindNull(name);
  }
}

std::string rowsPayload(const nlohmann::ordered_json& detail, const audit::RowSetDigest& digest) {
  nlohmann::ordered_json j;
  j["detail"] = detail;
  j["rows"] = digest.rows();
  j["rows_digest"] = digest.hex();
  return j.dump();
}

std::string waiverRow(const campaign::Waiver& w) {
  std::string out = "waiver;";
  field(out, w.waiver_id);
  field(out, w.directive_id);
  field(out, w.device_id);
  field(out, w.person_id);
  field(out, w.unit);
  field(out, w.approver);
  field(out, w.reason);
  field(out, std::to_string(w.from.days()));
  field(out, std::to_string(w.until.days()));
  return out;
}

std::string waiverRevocationRow(std::string_view waiver_id, std::int64_t revoked_from) {
  std::string out = "waiver-revocation;";
  field(out, waiver_id);
  field(out, std::to_string(revoked_from));
  return out;
}

std::string waiverRequestRow(const campaign::RequestedWaiver& r) {
  std::string out = "waiver-request;";
  field(out, r.request_id);
  field(out, r.directive_id);
  field(out, r.device_id);
  field(out, r.requested_by);
  field(out, r.reason);
  field(out, std::to_string(r.from.days()));
  field(out, std::to_string(r.until.days()));
  field(out, std::to_string(r.requested_on.days()));
  return out;
}

std::string waiverDecisionRow(const campaign::RequestedWaiver& r) {
  std::string out = "waiver-decision;";
  field(out, r.request_id);
  field(out, campaign::name(r.state));
  field(out, r.decided_by);
  field(out, std::to_string(r.decided_on ? r.decided_on->days() : 0));
  field(out, r.decision_reason);
  field(out, r.waiver_id);
  return out;
}

Result<campaign::RequestedWaiver> readWaiverRequest(Statement& s, int decision_at) {
  auto at = [](std::string_view c) consteval { return columnIndex(kWaiverRequestColumns, c); };
  auto day = [&](int column) {
    return Date::fromDays(static_cast<std::int32_t>(s.integer(column)));
  };
  campaign::RequestedWaiver r;
  r.request_id = s.text(at("request_id"));
  r.directive_id = s.text(at("directive_id"));
  r.device_id = s.text(at("device_id"));
  r.requested_by = s.text(at("requested_by"));
  r.reason = s.text(at("reason"));
  r.from = day(at("from_day"));
  r.until = day(at("until_day"));
  r.requested_on = day(at("requested_day"));
  if (decision_at < 0 || s.isNull(decision_at)) return r;
  auto dc = [](std::string_view c) consteval { return columnIndex(kWaiverDecisionColumns, c); };
  const std::string_view decision = s.text(decision_at + dc("decision"));
  const auto state = campaign::parseWaiverRequestState(decision);
  if (!state || *state == campaign::WaiverRequestState::kPending) {
    return dataLoss("stored decision of waiver request " + r.request_id + " is \"" +
                    std::string(decision) + "\"");
  }
  r.state = *state;
  r.decided_by = s.text(decision_at + dc("decided_by"));
  r.decided_on = day(decision_at + dc("decided_day"));
  r.decision_reason = s.text(decision_at + dc("reason"));
  r.waiver_id = s.text(decision_at + dc("waiver_id"));
  return r;
}

std::string caseStepRow(const campaign::CaseStep& s) {
  std::string out = "case-step;";
  field(out, s.directive_id);
  field(out, s.device_id);
  field(out, campaign::name(s.stage));
  field(out, std::to_string(s.on.days()));
  field(out, s.actor);
  field(out, s.note);
  return out;
}

std::string notificationRow(std::string_view directive_id, std::string_view device_id,
                            std::string_view milestone, std::string_view step,
                            std::string_view recipient, std::int64_t sent_day) {
  std::string out = "notification;";
  field(out, directive_id);
  field(out, device_id);
  field(out, milestone);
  field(out, step);
  field(out, recipient);
  field(out, std::to_string(sent_day));
  return out;
}

}  // namespace phaseout::storage
