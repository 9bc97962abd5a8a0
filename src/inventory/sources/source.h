// An import source: what turns one input file (a CSV file, a JSON array, later an MDM or asset
// export) into raw people or device records with their provenance. Everything after that —
// trimming, encoding checks, normalisation, validation, duplicate ids, all-or-nothing, storing —
// happens once, in the import path (importer.h), whatever the source.
//
// Adding a source: one file sources/<name>_source.cc defining `const Source& <name>Source()`,
// plus one line in sources/registry.cc.
//
// Contract of Source::read:
//   - It reads `input.text` (the whole file; a UTF-16/32 byte-order mark has already been
//     refused, a UTF-8 one is the source's to skip) and hands each record to sink.record(), in
//     file order. A record's fields are indexed by the columns of `input.columns` (columns.h):
//     the source maps its own names or structure to them. Values are handed over raw (untrimmed,
//     unchecked): the import path checks them, so every source reports bad values alike.
//   - A problem with the input's structure (syntax, unknown or missing columns, a wrong value
//     type) goes to sink.problem(), in file order among the records; a record with such a
//     problem is not handed over. After a problem the source goes on, so that one pass lists
//     every problem, unless the rest cannot be read.
//   - It stops as soon as sink.record() returns false.
//   - Views in a RawRecord need to stay valid only until record() returns; views into
//     input.text are the cheapest (the import path copies nothing else it keeps).
// Sources are stateless: `read` is reentrant and may run on any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/columns.h"

namespace phaseout::inventory {

// One column's value in one record.
struct RawField {
  bool present = false;   // the input has this column (for this record)
  bool is_array = false;  // values given apart (a JSON array): `items` holds them, `text` unused
  std::string_view text;  // the value as read; a list column's text is split at ';'
  std::vector<std::string_view> items;
};

// Where a record comes from.
struct Provenance {
  std::string_view file;     // the input as messages name it ("devices.csv")
  std::string_view source;   // the name of the source that read it ("csv")
  std::size_t line = 0;      // 1-based line on which the record starts
  std::string_view pointer;  // RFC 6901 pointer to the record in a structured document ("/12");
                             // empty for sources without one
  // Sources that read another system's export (SourceKind::kExternal) also say:
  std::string_view record_id;  // the record's id in that system (also handed as device_id)
  std::string_view synced_at;  // when that system last synchronised the record, as written
                               // there (ISO 8601, "2024-03-01T10:20:30Z"); empty: not given
};

struct RawRecord {
  Provenance provenance;
  std::vector<RawField> fields;  // one per column of the schema

  // Makes every field absent and empty for the next record (keeps their storage).
  void clearFields() {
    for (RawField& field : fields) {
      field.present = false;
      field.is_array = false;
      field.text = {};
      field.items.clear();
    }
  }
};

// Where a source hands what it reads: the import path.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Takes one record; false when reading should stop (the import has already failed for a
  // reason of its own, e.g. storing a batch failed).
  virtual bool record(const RawRecord& record) = 0;
  // Records "file:line: column: what"; `column` may be empty (a problem of the whole record
  // or file) and is a column name or the input's own label for it.
  virtual void problem(std::size_t line, std::string_view column, std::string_view what) = 0;
  // The same for a structured document located by an RFC 6901 pointer instead of a line:
  // "file:/value/3: column: what". By default folded into problem() with line 0.
  virtual void problemAt(std::string_view pointer, std::string_view column, std::string_view what) {
    problem(0, pointer,
            column.empty() ? std::string(what) : std::string(column) + ": " + std::string(what));
  }
};

struct PeopleMapping;  // sources/people_map.h

// A file read piece by piece, so that a large export need not be held whole: next() gives the
// next piece (valid until the following call; empty at the end of the file), false when
// reading failed (error() says why); rewind() starts again from the beginning.
class InputChunks {
 public:
  virtual ~InputChunks() = default;
  virtual bool next(std::string_view& piece) = 0;
  virtual bool rewind() = 0;
  [[nodiscard]] virtual std::string error() const = 0;
};

struct SourceInput {
  std::string_view text;  // the whole file
  std::string_view file;  // as messages name it
  Columns columns;        // the schema records are read into (kPersonColumns, kDeviceColumns)
  // Directory sources (ldif, scim): which attributes give what; nullptr = the defaults.
  const PeopleMapping* people_map = nullptr;
  // When set, the file is read through it and `text` holds only its start (up to 64 KiB, for
  // shape checks). Only sources with Source::reads_chunks are given one.
  InputChunks* chunks = nullptr;
};

// What a source's records are.
enum class SourceKind {
  // phaseout's own formats: a record's id is the phaseout id; holders are person ids.
  kDirect,
  // Another system's export (an MDM, an asset register, a directory): a record's id is that
  // system's; devices are matched to stored ones by their identifiers and merged, holders are
  // e-mail addresses or user names matched to people (service/import.h).
  kExternal,
};

// Which schema a source can read.
enum class SourceSchema { kPeople, kDevices, kBoth };

struct Source {
  std::string_view name;         // "csv": how a request names it, lower-case
  std::string_view description;  // one line, for help texts
  // File name endings (lower-case, with the dot) for which the source is chosen when a request
  // names none and no source recognises the file's shape.
  std::span<const std::string_view> extensions;
  void (*read)(const SourceInput& input, RecordSink& sink);
  SourceKind kind = SourceKind::kDirect;
  SourceSchema schema = SourceSchema::kBoth;
  // True when `head` (the start of a file, up to 64 KiB) has this source's shape (its
  // distinctive keys or header names); nullptr for sources chosen only by name or extension.
  bool (*recognise)(std::string_view head, SourceSchema schema) = nullptr;
  // Where this source's field names come from (a documentation URL), for help and docs.
  std::string_view documentation;
  // True when `read` reads JSON through SourceInput::chunks (memory bounded by one record, not
  // by the file); such a source still reads `text` whole when no chunks are given.
  bool reads_chunks = false;
};

}  // namespace phaseout::inventory
