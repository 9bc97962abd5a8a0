// The import path: people and devices from any import source, normalised and validated once.
//
// A source (sources/source.h, chosen through sources/registry.h) turns the file into raw
// records; this path trims each value, checks its encoding and syntax, normalises it, checks
// ids for duplicates and holders for existence, and builds the records, whatever the source.
//
// Values (whatever the source)
//   Files are UTF-8 (a leading byte-order mark is skipped; a UTF-16/32 one is refused). Values
//   are trimmed of surrounding spaces, tabs and line breaks; an empty value means "not given".
//
// People columns (* = required column, and its value must not be empty)
//   person_id*  unique within the file, no control characters
//   name, email (an address like name@example.org, when given)
//   unit*       lower-case path: segments of [a-z0-9._-] joined by '/', no empty segment,
//               no "." or ".." segment ("pa/domestic-policy/press")
//   role        list (';'-separated, or apart); lower-cased, duplicates dropped
//   status      active | left (default active)
//   upn         the user principal name (name@domain, when given): devices' holders are
//               matched by it as by e-mail
// Device columns
//   device_id*  unique within the file, no control characters
//   holder      a person_id for which `person_exists` returns true, or empty
//   kind, platform   a canonical name (platform.h), or free text the normalizer interprets
//               on its own ("iPadOS 17.1", "Smartphone"); text that is neither is an error.
//               The stored value is what platform::Normalizer::builtin() makes of the whole
//               row: a canonical name is kept as given (the normalizer may refine it by
//               version: "harmonyos" with os_version "5.0" is harmonyos-next); empty,
//               "unknown" or free text are inferred from vendor, model and OS, and stay
//               unknown when those contradict each other.
//   vendor      free text; stored as the normalizer's canonical vendor id ("Apple Inc." ->
//               "apple"), or lower-cased as given when the normalizer does not know it;
//               empty: inferred from the model
//   model       stored as given
//   os_version  stored as the normalizer extracts it ("iOS 16.4.1" -> "16.4.1"), or as given
//               when it extracts nothing
//   ownership   corporate | personal | unknown (default unknown)
//   channel     official | parallel-import | personal | unknown (default unknown)
//   serial, imei, hostname   free text
//   mac         list of aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff; stored
//               lower-case colon-separated, duplicates dropped
//   state       active | returned | destroyed | transferred | lost | retired (default active)
// Enum values are accepted case-insensitively.
//
// Errors
//   All or nothing: any problem makes the parse return InvalidArgument and no records. The
//   message lists every problem found, in file order, one per line, up to kMaxListedProblems
//   followed by "... and N more problems":
//     devices.csv:14: state: expected one of active, returned, ...; got "broken"
//   The line is the record's provenance line (for CSV the physical line on which the record
//   starts, 1 for the header; for JSON the line on which the element's object opens) and the
//   column is the column's name. Problems of a whole record or file, found by the source
//   (malformed CSV quoting, wrong field count, JSON syntax), omit the column when it is not
//   known.
//
// Thread safety: the functions are reentrant; `person_exists` is called on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "inventory/model.h"
#include "inventory/problems.h"
#include "inventory/sources/source.h"

namespace phaseout::inventory {

// Parses people from `text` read by `source`. `file` prefixes every message (usually the path
// or base name of the input). The result is in file order.
// `mapping` configures directory sources (ldif, scim; sources/people_map.h); nullptr = defaults.
Result<std::vector<Person>> parsePeople(std::string_view text, std::string_view file,
                                        const Source& source,
                                        const PeopleMapping* mapping = nullptr);

// Parses devices. `person_exists` answers whether a holder id names a person, i.e. one already
// stored or one in the same import; an empty function means no person exists (any non-empty
// holder is then an error). The result is in file order.
Result<std::vector<Device>> parseDevices(
    std::string_view text, std::string_view file, const Source& source,
    const std::function<bool(std::string_view)>& person_exists);

// A device as a source of kind SourceKind::kExternal (an MDM, an asset register) gave it: its
// fields checked and normalised like any import, and where it comes from.
struct SourcedDevice {
  Device device;               // device_id: the source's record id; holder: as the source named
                               // it (an e-mail, a user name), not checked against people
  std::string location;        // the record's line ("12") or JSON pointer ("/value/3")
  std::int64_t synced_ms = 0;  // when the source last synchronised it; 0 when not given
  std::uint32_t given = 0;     // the columns the source gave a value for (a ColumnMask)
};

// Parses the devices of an external source. Its holders are not checked; a record's last
// synchronisation must be a timestamp (sources/timestamp.h) when given. Same errors as
// parseDevices, located by line or by JSON pointer ("file:/value/3: mac: expected ...").
// With `chunks` (for a source with Source::reads_chunks), the file is read through it piece by
// piece and `text` is only its start.
Result<std::vector<SourcedDevice>> parseSourcedDevices(std::string_view text, std::string_view file,
                                                       const Source& source,
                                                       InputChunks* chunks = nullptr);

// Streaming forms for large imports: the same parse, but records are handed to `sink` in
// batches of `batch_size`, in file order, while the text is read, so memory stays bounded and
// the records' strings are reused between batches. A span is valid only during the call.
// All-or-nothing still holds for the result, not for the sink: batches before the first
// problem have already been handed over when the parse fails, so a caller that stores them
// must be able to undo that (a transaction). After the first problem the sink is not called
// again; the parse goes on to list every problem and returns the same error as parsePeople /
// parseDevices. If the sink returns an error, the parse stops and returns that error as is.
inline constexpr std::size_t kDefaultBatchSize = 4096;
using PeopleSink = std::function<Status(std::span<const Person>)>;
using DeviceSink = std::function<Status(std::span<const Device>)>;
Status streamPeople(std::string_view text, std::string_view file, const Source& source,
                    const PeopleSink& sink, std::size_t batch_size = kDefaultBatchSize,
                    const PeopleMapping* mapping = nullptr);
Status streamDevices(std::string_view text, std::string_view file, const Source& source,
                     const std::function<bool(std::string_view)>& person_exists,
                     const DeviceSink& sink, std::size_t batch_size = kDefaultBatchSize);

}  // namespace phaseout::inventory
