#include "inventory/merge.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "core/strings.h"
#include "inventory/columns.h"

namespace phaseout::inventory {
namespace {

constexpr std::array<std::string_view, 13> kFieldNames{
    "holder",  "kind",   "vendor", "model", "platform", "os_version", "ownership",
    "channel", "serial", "imei",   "mac",   "hostname", "state"};
constexpr std::array<std::string_view, 3> kConflictFields{"holder", "platform", "os_version"};

std::string joinMacs(const std::vector<std::string>& macs) { return join(macs, ";"); }

const std::string* valueOf(const SourceRecord& record, std::string_view field) {
  for (const FieldValue& value : record.fields) {
    if (value.first == field) return &value.second;
  }
  return nullptr;
}

bool isPlaceholderSerial(const std::string& key) {
  static constexpr std::array<std::string_view, 14> kPlaceholders{"0",
                                                                  "00000000",
                                                                  "UNKNOWN",
                                                                  "NA",
                                                                  "NONE",
                                                                  "NULL",
                                                                  "DEFAULT",
                                                                  "DEFAULTSTRING",
                                                                  "NOTAVAILABLE",
                                                                  "NOTSPECIFIED",
                                                                  "TOBEFILLEDBYOEM",
                                                                  "SYSTEMSERIALNUMBER",
                                                                  "123456789",
                                                                  "NOTAPPLICABLE"};
  if (key.empty()) return true;
  if (std::all_of(key.begin(), key.end(), [](char c) { return c == '0'; })) return true;
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), key) != kPlaceholders.end();
}

}  // namespace

std::string_view name(HolderMatch match) {
  switch (match) {
    case HolderMatch::kNone:
      return "none";
    case HolderMatch::kEmail:
      return "email";
    case HolderMatch::kUpn:
      return "upn";
    case HolderMatch::kPersonId:
      return "person_id";
    case HolderMatch::kUnmatched:
      return "unmatched";
  }
  return "none";
}

std::optional<HolderMatch> parseHolderMatch(std::string_view text) {
  for (HolderMatch m : {HolderMatch::kNone, HolderMatch::kEmail, HolderMatch::kUpn,
                        HolderMatch::kPersonId, HolderMatch::kUnmatched}) {
    if (name(m) == text) return m;
  }
  return std::nullopt;
}

std::span<const std::string_view> mergedFieldNames() { return kFieldNames; }

std::string fieldText(const Device& d, std::string_view field) {
  if (field == "holder") return d.holder;
  if (field == "kind") return d.kind == platform::Kind::kUnknown ? "" : std::string(name(d.kind));
  if (field == "vendor") return d.vendor;
  if (field == "model") return d.model;
  if (field == "platform") {
    return d.platform == platform::Platform::kUnknown ? "" : std::string(name(d.platform));
  }
  if (field == "os_version") return d.os_version;
  if (field == "ownership") {
    return d.ownership == platform::Ownership::kUnknown ? "" : std::string(name(d.ownership));
  }
  if (field == "channel") {
    return d.channel == platform::Channel::kUnknown ? "" : std::string(name(d.channel));
  }
  if (field == "serial") return d.serial;
  if (field == "imei") return d.imei;
  if (field == "mac") return joinMacs(d.macs);
  if (field == "hostname") return d.hostname;
  if (field == "state") return std::string(name(d.state));
  return "";
}

void applyField(Device& d, std::string_view field, std::string_view value) {
  if (field == "holder") {
    d.holder = value;
  } else if (field == "kind") {
    d.kind = platform::parseKind(value).value_or(d.kind);
  } else if (field == "vendor") {
    d.vendor = value;
  } else if (field == "model") {
    d.model = value;
  } else if (field == "platform") {
    d.platform = platform::parsePlatform(value).value_or(d.platform);
  } else if (field == "os_version") {
    d.os_version = value;
  } else if (field == "ownership") {
    d.ownership = platform::parseOwnership(value).value_or(d.ownership);
  } else if (field == "channel") {
    d.channel = platform::parseChannel(value).value_or(d.channel);
  } else if (field == "serial") {
    d.serial = value;
  } else if (field == "imei") {
    d.imei = value;
  } else if (field == "mac") {
    d.macs = splitList(value, ';');
  } else if (field == "hostname") {
    d.hostname = value;
  } else if (field == "state") {
    d.state = platform::parseDeviceState(value).value_or(d.state);
  }
}

std::vector<FieldValue> givenFields(const Device& device, std::uint32_t given,
                                    std::string_view holder_person) {
  std::vector<FieldValue> out;
  for (std::string_view field : kFieldNames) {
    if (field == "holder") {
      if (!holder_person.empty()) out.emplace_back("holder", holder_person);
      continue;
    }
    const std::optional<std::size_t> column = findColumn(kDeviceColumns, field);
    if (!column || (given & (ColumnMask{1} << *column)) == 0) continue;
    std::string text = fieldText(device, field);
    // Inferred kind/vendor/platform count as given only when the normalizer found something.
    if (!text.empty()) out.emplace_back(std::string(field), std::move(text));
  }
  return out;
}

std::string serialKey(std::string_view serial) {
  std::string key;
  for (char c : serial) {
    if (c == ' ' || c == '-' || c == '.' || c == '_' || c == '/' || c == '\t') continue;
    key += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return isPlaceholderSerial(key) ? std::string() : key;
}

std::string imeiKey(std::string_view imei) {
  std::string key;
  for (char c : imei) {
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) key += c;
    if (c >= 'a' && c <= 'f') key += static_cast<char>(c - 'a' + 'A');
  }
  // IMEI: 14 digits + check digit (15) or + software version (IMEISV, 16); MEID: 14 hex digits.
  if (key.size() < 14) return "";
  key.resize(14);
  if (std::all_of(key.begin(), key.end(), [](char c) { return c == '0'; })) return "";
  return key;
}

bool isRandomMac(std::string_view mac) {
  if (mac.size() < 2) return true;
  const char c = mac[1];
  int nibble = 0;
  if (c >= '0' && c <= '9') {
    nibble = c - '0';
  } else if (c >= 'a' && c <= 'f') {
    nibble = c - 'a' + 10;
  } else if (c >= 'A' && c <= 'F') {
    nibble = c - 'A' + 10;
  }
  return (nibble & 0x2) != 0 || mac == "00:00:00:00:00:00" || mac == "ff:ff:ff:ff:ff:ff";
}

std::vector<const SourceRecord*> byRecency(std::span<const SourceRecord* const> records) {
  std::vector<const SourceRecord*> out;
  for (const SourceRecord* r : records) {
    if (!r->missing) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const SourceRecord* a, const SourceRecord* b) {
    if (a->synced_ms != b->synced_ms) return a->synced_ms < b->synced_ms;
    // Not stored yet (seq 0) is the newest import.
    const auto order = [](const SourceRecord* r) { return r->seq == 0 ? INT64_MAX : r->seq; };
    if (order(a) != order(b)) return order(a) < order(b);
    return a->source < b->source;
  });
  return out;
}

Device mergeDevice(Device base, std::span<const SourceRecord* const> records) {
  for (const SourceRecord* record : byRecency(records)) {
    for (const FieldValue& value : record->fields) applyField(base, value.first, value.second);
  }
  return base;
}

std::vector<FieldConflict> conflicts(std::span<const SourceRecord* const> records) {
  const std::vector<const SourceRecord*> ordered = byRecency(records);
  std::vector<FieldConflict> out;
  for (std::string_view field : kConflictFields) {
    FieldConflict conflict;
    conflict.field = field;
    bool differ = false;
    for (const SourceRecord* record : ordered) {
      std::string value;
      if (field == "holder") {
        // An unmatched holder still disagrees with a matched one: compare what was named.
        if (const std::string* v = valueOf(*record, field)) {
          value = *v;
        } else if (record->holder_match == HolderMatch::kUnmatched) {
          value = record->holder_ref;
        }
      } else if (const std::string* v = valueOf(*record, field)) {
        value = *v;
      }
      if (value.empty()) continue;
      if (!conflict.values.empty() && !iequals(conflict.values.front().value, value)) {
        differ = true;
      }
      conflict.values.push_back({record->source, record->record_id, value, record->synced_ms});
    }
    if (differ) out.push_back(std::move(conflict));
  }
  return out;
}

const SourceRecord* originOf(std::string_view field, std::span<const SourceRecord* const> records) {
  const std::vector<const SourceRecord*> ordered = byRecency(records);
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
    if (valueOf(**it, field) != nullptr) return *it;
  }
  return nullptr;
}

MergePlan planMerge(const MergeRequest& request, std::span<const SourcedDevice> incoming,
                    std::span<const Device> stored, std::span<const SourceRecord> current,
                    const HolderResolver& resolve) {
  MergePlan plan;
  // Stored devices and the identifier indexes (the first device, by id, wins a shared key).
  std::map<std::string, Device> devices;
  for (const Device& d : stored) devices.emplace(d.device_id, d);
  std::unordered_map<std::string, std::string> by_serial, by_imei, by_mac;
  const auto index = [&](const Device& d) {
    if (std::string key = serialKey(d.serial); !key.empty()) by_serial.emplace(key, d.device_id);
    if (std::string key = imeiKey(d.imei); !key.empty()) by_imei.emplace(key, d.device_id);
    for (const std::string& mac : d.macs) {
      if (!isRandomMac(mac)) by_mac.emplace(mac, d.device_id);
    }
  };
  for (const auto& [id, d] : devices) index(d);

  // Current records by (source, record_id), and by device.
  std::map<std::pair<std::string, std::string>, SourceRecord> records;
  for (const SourceRecord& r : current) records[{r.source, r.record_id}] = r;

  std::map<std::string, bool> touched;  // device id -> existed before
  std::map<std::string, bool> in_file;  // record ids of this import
  for (const SourcedDevice& sourced : incoming) {
    const Device& d = sourced.device;
    const std::string& record_id = d.device_id;
    in_file[record_id] = true;
    const auto key = std::make_pair(request.source, record_id);
    const auto previous = records.find(key);
    std::string device_id;
    bool merged = false;
    if (previous != records.end()) {
      device_id = previous->second.device_id;
    } else {
      const auto find = [](const auto& table, const std::string& k) -> std::string {
        if (k.empty()) return "";
        const auto it = table.find(k);
        return it == table.end() ? std::string() : it->second;
      };
      device_id = find(by_serial, serialKey(d.serial));
      if (device_id.empty()) device_id = find(by_imei, imeiKey(d.imei));
      for (const std::string& mac : d.macs) {
        if (!device_id.empty()) break;
        if (!isRandomMac(mac)) device_id = find(by_mac, mac);
      }
      merged = !device_id.empty();
      if (device_id.empty()) device_id = request.source + ":" + record_id;
      if (!merged && devices.count(device_id) != 0) merged = true;
    }

    SourceRecord record;
    record.source = request.source;
    record.record_id = record_id;
    record.device_id = device_id;
    record.file = request.file;
    record.location = sourced.location;
    record.exported_ms = request.exported_ms;
    record.synced_ms = sourced.synced_ms != 0 ? sourced.synced_ms : request.exported_ms;
    record.holder_ref = d.holder;
    HolderResolution holder;
    if (!d.holder.empty()) {
      holder = resolve ? resolve(d.holder) : HolderResolution{"", HolderMatch::kUnmatched};
    }
    record.holder_match = holder.match;
    if (holder.match == HolderMatch::kUnmatched) ++plan.counts.unmatched_holders;
    record.fields = givenFields(d, sourced.given, holder.person_id);

    const bool existed = devices.count(device_id) != 0;
    if (!touched.count(device_id)) touched[device_id] = existed;
    if (!existed) {
      Device fresh;
      fresh.device_id = device_id;
      fresh = mergeDevice(fresh, std::array<const SourceRecord*, 1>{&record});
      devices.emplace(device_id, fresh);
    }

    RecordOutcome outcome;
    if (previous != records.end()) {
      SourceRecord old = previous->second;
      // Same content apart from where and when it was read: unchanged.
      const bool same = old.fields == record.fields && old.holder_ref == record.holder_ref &&
                        old.holder_match == record.holder_match && !old.missing;
      outcome = same ? RecordOutcome::kUnchanged : RecordOutcome::kUpdated;
      if (!same || old.synced_ms != record.synced_ms || old.file != record.file ||
          old.location != record.location) {
        plan.records.push_back(record);
      }
    } else {
      outcome = !existed ? RecordOutcome::kAdded : RecordOutcome::kMerged;
      plan.records.push_back(record);
    }
    switch (outcome) {
      case RecordOutcome::kAdded:
        ++plan.counts.added;
        break;
      case RecordOutcome::kUpdated:
        ++plan.counts.updated;
        break;
      case RecordOutcome::kUnchanged:
        ++plan.counts.unchanged;
        break;
      case RecordOutcome::kMerged:
        ++plan.counts.merged;
        break;
    }
    records[key] = record;
    index(devices[device_id]);
    // Identifiers of this record also identify the device for the rest of the file.
    Device ids;
    ids.device_id = device_id;
    ids.serial = d.serial;
    ids.imei = d.imei;
    ids.macs = d.macs;
    index(ids);
  }

  if (request.full) {
    for (auto& [key, record] : records) {
      if (key.first != request.source || record.missing || in_file.count(key.second)) continue;
      record.missing = true;
      record.seq = 0;
      record.file = request.file;
      record.exported_ms = request.exported_ms;
      plan.records.push_back(record);
      plan.missing.push_back(record.device_id);
      ++plan.counts.missing;
    }
  }

  // The merged value of every device touched, from its stored version and its records.
  std::map<std::string, std::vector<const SourceRecord*>> of_device;
  for (const auto& [key, record] : records) {
    if (touched.count(record.device_id)) of_device[record.device_id].push_back(&record);
  }
  std::map<std::string, Device> stored_by_id;
  for (const Device& d : stored) stored_by_id.emplace(d.device_id, d);
  for (const auto& [device_id, existed] : touched) {
    const auto& listed = of_device[device_id];
    Device base;
    base.device_id = device_id;
    const auto it = stored_by_id.find(device_id);
    if (it != stored_by_id.end()) base = it->second;
    Device merged = mergeDevice(base, listed);
    if (it == stored_by_id.end() || !(merged == it->second)) {
      plan.versions.push_back(std::move(merged));
    }
    if (!conflicts(listed).empty()) ++plan.counts.conflicting_devices;
  }
  return plan;
}

}  // namespace phaseout::inventory
