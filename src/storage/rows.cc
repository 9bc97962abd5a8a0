#include "storage/rows.h"

#include "core/strings.h"

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

}  // namespace

// Columns from kSelectPeople: person_id, valid_from, seq, name, email, unit, roles, status.
Status readPersonInto(Statement& s, Person& p) {
  p.person_id = s.text(0);
  p.name = s.text(3);
  p.email = s.text(4);
  p.unit = s.text(5);
  p.roles = splitList(s.text(6), ';');
  const std::string_view status = s.text(7);
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

Result<Person> readPerson(Statement& s) {
  Person p;
  PH_RETURN_IF_ERROR(readPersonInto(s, p));
  return p;
}

// Columns from kSelectDevices: device_id, valid_from, seq, then the record's fields.
Status readDeviceInto(Statement& s, Device& d) {
  d.device_id = s.text(0);
  d.holder = s.text(3);
  PH_RETURN_IF_ERROR(decodeEnum(platform::parseKind, s.text(4), d.kind, "kind", d.device_id));
  d.vendor = s.text(5);
  d.model = s.text(6);
  PH_RETURN_IF_ERROR(
      decodeEnum(platform::parsePlatform, s.text(7), d.platform, "platform", d.device_id));
  d.os_version = s.text(8);
  PH_RETURN_IF_ERROR(
      decodeEnum(platform::parseOwnership, s.text(9), d.ownership, "ownership", d.device_id));
  PH_RETURN_IF_ERROR(
      decodeEnum(platform::parseChannel, s.text(10), d.channel, "channel", d.device_id));
  d.serial = s.text(11);
  d.imei = s.text(12);
  d.macs = splitList(s.text(13), ';');
  d.hostname = s.text(14);
  return decodeEnum(platform::parseDeviceState, s.text(15), d.state, "state", d.device_id);
}

Result<Device> readDevice(Statement& s) {
  Device d;
  PH_RETURN_IF_ERROR(readDeviceInto(s, d));
  return d;
}

campaign::Waiver readWaiver(Statement& s) {
  campaign::Waiver w;
  w.waiver_id = s.text(0);
  w.directive_id = s.text(1);
  w.device_id = s.text(2);
  w.person_id = s.text(3);
  w.unit = s.text(4);
  w.approver = s.text(5);
  w.reason = s.text(6);
  w.from = Date::fromDays(static_cast<std::int32_t>(s.integer(7)));
  w.until = Date::fromDays(static_cast<std::int32_t>(s.integer(8)));
  return w;
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
