#include "inventory/sources/csv_writer.h"

#include "core/strings.h"
#include "inventory/columns.h"

namespace phaseout::inventory {
namespace {

void appendField(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void appendList(std::string& out, const std::vector<std::string>& items) {
  appendField(out, join(items, ";"));
}

template <typename E>
std::string_view unknownAsEmpty(E value) {
  return value == E::kUnknown ? std::string_view() : platform::name(value);
}

void appendHeader(std::string& out, Columns specs) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i) out += ',';
    out += specs[i].name;
  }
  out += '\n';
}

}  // namespace

void appendPeopleCsvHeader(std::string& out) { appendHeader(out, kPersonColumns); }

void appendPersonCsvRecord(const Person& person, std::string& out) {
  appendField(out, person.person_id);
  out += ',';
  appendField(out, person.name);
  out += ',';
  appendField(out, person.email);
  out += ',';
  appendField(out, person.unit);
  out += ',';
  appendList(out, person.roles);
  out += ',';
  out += name(person.status);
  out += ',';
  appendField(out, person.upn);
  out += '\n';
}

void appendDevicesCsvHeader(std::string& out) { appendHeader(out, kDeviceColumns); }

void appendDeviceCsvRecord(const Device& device, std::string& out) {
  appendField(out, device.device_id);
  out += ',';
  appendField(out, device.holder);
  out += ',';
  out += unknownAsEmpty(device.kind);
  out += ',';
  appendField(out, device.vendor);
  out += ',';
  appendField(out, device.model);
  out += ',';
  out += unknownAsEmpty(device.platform);
  out += ',';
  appendField(out, device.os_version);
  out += ',';
  out += unknownAsEmpty(device.ownership);
  out += ',';
  out += unknownAsEmpty(device.channel);
  out += ',';
  appendField(out, device.serial);
  out += ',';
  appendField(out, device.imei);
  out += ',';
  appendList(out, device.macs);
  out += ',';
  appendField(out, device.hostname);
  out += ',';
  out += platform::name(device.state);
  out += '\n';
}

std::string writePeopleCsv(std::span<const Person> people) {
  std::string out;
  appendPeopleCsvHeader(out);
  for (const Person& person : people) appendPersonCsvRecord(person, out);
  return out;
}

std::string writeDevicesCsv(std::span<const Device> devices) {
  std::string out;
  appendDevicesCsvHeader(out);
  for (const Device& device : devices) appendDeviceCsvRecord(device, out);
  return out;
}

}  // namespace phaseout::inventory
