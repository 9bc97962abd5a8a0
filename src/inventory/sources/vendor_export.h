// The shared reader of device exports of other systems (MDMs, asset registers): each source
// (intune_source.cc, jamf_source.cc, ...) is a table saying which of the export's keys or
// columns gives which import column, and this reader does the rest, alike for all of them.
//
// JSON exports: one document, or several one after the other (API pages saved back to back),
// or an array of pages. A page is either an object holding the records in one of the layout's
// `containers` keys ({"value": [...]}, {"results": [...]}), an array of records, or a single
// record. Paths are "/"-separated keys ("location/emailAddress"; "email/0" is an array's first
// element); keys match case-sensitively first, then case-insensitively (Snipe-IT's custom
// fields are keyed by their display name). Strings are taken as they are, numbers written in
// decimal, null and booleans are absent. Records are located by their RFC 6901 pointer
// ("/value/3", "/1/value/3" in the second page), and problems read "file:/value/3: what", a
// syntax error too ("file:/value/3/model: expected valid JSON; syntax error"). The JSON is read
// as a stream of parse events, through SourceInput::chunks when given (else from the whole
// text): only the record being read is held, never the file or a tree of it.
//
// CSV exports: a header line; columns are matched to paths by name, case-insensitively;
// columns the layout does not name are ignored (exports carry many). Records are located by
// line.
//
// For every record, the device_id column and provenance.record_id are the record's id in the
// exporting system (required), provenance.synced_at its last synchronisation; a list column
// (mac) collects every path that has a value; a bare 12-digit hex MAC ("A1B2C3D4E5F6", as
// Intune writes them) is given colon-separated. Thread-safe (no state).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "inventory/sources/source.h"

namespace phaseout::inventory {

// Pseudo-columns of a layout: the record's id, and when the system last synchronised it.
inline constexpr std::size_t kRecordIdField = 1000;
inline constexpr std::size_t kSyncedAtField = 1001;

struct VendorField {
  std::size_t column;                       // a DeviceColumn, kRecordIdField or kSyncedAtField
  std::span<const std::string_view> paths;  // JSON paths or CSV header names, first non-empty wins
  // The export's vocabulary to the import's ("company" -> "corporate"); nullptr: as is. Returns
  // a view of static text or of its argument.
  std::string_view (*translate)(std::string_view value) = nullptr;
};

struct VendorLayout {
  std::string_view source;                       // provenance.source
  std::span<const std::string_view> containers;  // keys of a page holding its records
  std::span<const VendorField> json_fields;
  std::span<const VendorField> csv_fields;
};

// Reads `input` as JSON when its first non-space character is '{' or '[', else as CSV.
void readVendorExport(const VendorLayout& layout, const SourceInput& input, RecordSink& sink);

// Source::read of a source that is one layout: `&readLayout<kLayout>`.
template <const VendorLayout& kLayout>
void readLayout(const SourceInput& input, RecordSink& sink) {
  readVendorExport(kLayout, input, sink);
}

// Source::recognise of a device export: never for people; for devices, `kShape` (true when
// `head` has the export's distinctive keys or columns).
template <bool (*kShape)(std::string_view head)>
bool recogniseDeviceExport(std::string_view head, SourceSchema schema) {
  return schema != SourceSchema::kPeople && kShape(head);
}

// The Source of a device export that `kLayout` reads: named as kLayout.source, SourceKind::
// kExternal, devices only, no file name endings (chosen by name or recognised by `kShape`).
template <const VendorLayout& kLayout, bool (*kShape)(std::string_view head)>
Source deviceExportSource(std::string_view description, std::string_view documentation) {
  return Source{kLayout.source,
                description,
                {},
                &readLayout<kLayout>,
                SourceKind::kExternal,
                SourceSchema::kDevices,
                &recogniseDeviceExport<kShape>,
                documentation,
                /*reads_chunks=*/true};
}

// Shape checks for Source::recognise: the first line of `head` (CSV header) holds every name
// in `names` as a column (case-insensitive); `head` holds every key in `keys` as a JSON key
// ("\"key\"" followed by ':').
bool csvHeaderHas(std::string_view head, std::span<const std::string_view> names);
bool jsonHasKeys(std::string_view head, std::span<const std::string_view> keys);
// True when the first non-space character of `head` opens JSON.
bool looksLikeJson(std::string_view head);

}  // namespace phaseout::inventory
