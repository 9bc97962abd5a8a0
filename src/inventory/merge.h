// One device, many sources: how the records of external sources (MDMs, asset registers) are
// matched to the devices already known, merged into one device each, and where every field of
// a merged device comes from. Pure functions over values; no I/O.
//
// Identity. A source record is the same device as a stored one when (in this order) the source
// already gave this record id before; else its serial number matches; else its IMEI/MEID
// matches; else one of its non-random MAC addresses matches. A matched device keeps its id; a
// new one is "SOURCE:RECORD_ID". Serial numbers compare upper-case without spaces or dashes,
// ignoring placeholders ("0", "unknown", "n/a", "To be filled by O.E.M.", ...); IMEIs and MEIDs
// compare on their first 14 digits (the check digit and software version left out); a MAC
// whose locally administered bit is set is random (a private Wi-Fi address) and never matches.
//
// Values. Each source record keeps only the fields its source gave. A merged device starts
// from its stored version and takes every field from the listed record that gives it and was
// synchronised most recently (ties: the later import, then the source name); fields no source
// gives keep their stored value. Records marked missing (a --full import that lacked them) no
// longer count. When listed records give different holders, platforms or OS versions, that is a
// conflict: the most recent still wins, and conflicts() lists the disagreement.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inventory/importer.h"
#include "inventory/model.h"

namespace phaseout::inventory {

// How a record's holder was matched to a person.
enum class HolderMatch {
  kNone,       // the source named no holder
  kEmail,      // by e-mail address (case-insensitive)
  kUpn,        // by user principal name (case-insensitive)
  kPersonId,   // by person id
  kUnmatched,  // the source named a holder who matches nobody: to be reviewed
};
std::string_view name(HolderMatch match);
std::optional<HolderMatch> parseHolderMatch(std::string_view text);

// One field a source gave, by its import column name ("holder", "platform", "mac"), with its
// canonical text (enums by name, MACs joined by ';', holder as the matched person id).
using FieldValue = std::pair<std::string, std::string>;

// A source's record of a device, as stored: the latest one for (source, record_id).
struct SourceRecord {
  std::string source;
  std::string record_id;
  std::string device_id;
  std::string file;
  std::string location;          // line or JSON pointer in `file`
  std::int64_t exported_ms = 0;  // when the file was exported
  std::int64_t synced_ms = 0;    // when the source last synchronised the record (else exported)
  std::int64_t seq = 0;          // the event that stored it (0: not stored yet)
  bool missing = false;          // a --full import of the source lacked it
  std::string holder_ref;        // the holder as the source named it
  HolderMatch holder_match = HolderMatch::kNone;
  std::vector<FieldValue> fields;  // the fields given, in import column order

  bool operator==(const SourceRecord&) const = default;
};

// The fields a sourced device gives (those in `given`, a ColumnMask of kDeviceColumns), as
// FieldValues; the holder is `holder_person` (omitted when empty).
std::vector<FieldValue> givenFields(const Device& device, std::uint32_t given,
                                    std::string_view holder_person);
// Sets one field of `device` from its canonical text (unknown names are ignored).
void applyField(Device& device, std::string_view field, std::string_view value);
// The canonical text of one field of `device` ("" when it has none).
std::string fieldText(const Device& device, std::string_view field);
// The fields a device has, in import column order (without device_id).
std::span<const std::string_view> mergedFieldNames();

// Identity keys ("" when the value cannot identify a device).
std::string serialKey(std::string_view serial);
std::string imeiKey(std::string_view imei);
bool isRandomMac(std::string_view mac);  // lower-case "aa:bb:..." form

// The listed (not missing) records, most recently synchronised last.
std::vector<const SourceRecord*> byRecency(std::span<const SourceRecord* const> records);
// `base` (the stored version, or a new device) with every field of `records` applied, most
// recently synchronised last.
Device mergeDevice(Device base, std::span<const SourceRecord* const> records);

struct ConflictValue {
  std::string source;
  std::string record_id;
  std::string value;
  std::int64_t synced_ms = 0;
};
struct FieldConflict {
  std::string field;                  // "holder", "platform" or "os_version"
  std::vector<ConflictValue> values;  // one per listed record giving the field, winner last
};
// The disagreements between the listed records of one device.
std::vector<FieldConflict> conflicts(std::span<const SourceRecord* const> records);

// Where a merged field comes from: the record whose value won, or nullptr when no listed record
// gives the field (the value came from a direct import).
const SourceRecord* originOf(std::string_view field, std::span<const SourceRecord* const> records);

// --- planning an import ------------------------------------------------------------------------

struct HolderResolution {
  std::string person_id;  // "" unless matched
  HolderMatch match = HolderMatch::kNone;
};
using HolderResolver = std::function<HolderResolution(std::string_view holder_ref)>;

struct MergeRequest {
  std::string source;
  std::string file;
  std::int64_t exported_ms = 0;
  bool full = false;  // the file is the source's whole inventory
};

enum class RecordOutcome { kAdded, kUpdated, kUnchanged, kMerged };

struct MergeCounts {
  std::size_t added = 0;      // records that made a new device
  std::size_t updated = 0;    // records of this source seen before, changed
  std::size_t unchanged = 0;  // records of this source seen before, unchanged
  std::size_t merged = 0;     // records matched to a device known otherwise
  std::size_t missing = 0;    // records of this source absent from a full import
  std::size_t unmatched_holders = 0;
  std::size_t conflicting_devices = 0;  // devices touched whose sources now disagree
};

struct MergePlan {
  std::vector<Device> versions;       // new device versions (new or changed devices)
  std::vector<SourceRecord> records;  // source records to store (new, changed or missing)
  std::vector<std::string> missing;   // device ids of the records marked missing
  MergeCounts counts;
};

// Matches and merges `incoming` (one file of one source, already checked) into what is stored:
// `stored` the latest version of every device (any order), `current` the current record of
// every (source, record_id). Pure.
MergePlan planMerge(const MergeRequest& request, std::span<const SourcedDevice> incoming,
                    std::span<const Device> stored, std::span<const SourceRecord> current,
                    const HolderResolver& resolve);

}  // namespace phaseout::inventory
