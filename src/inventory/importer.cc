#include "inventory/importer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>

#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/field_syntax.h"
#include "inventory/id_registry.h"
#include "inventory/sources/timestamp.h"
#include "platform/normalizer.h"

namespace phaseout::inventory {
namespace {

template <typename Names>
std::string oneOf(const Names& names) {
  // Canonical names with "unknown" moved last: it is accepted, but rarely what a file means.
  std::string out = "one of ";
  bool has_unknown = false;
  bool first = true;
  for (std::string_view n : names) {
    if (n == "unknown") {
      has_unknown = true;
      continue;
    }
    if (!first) out += ", ";
    out += n;
    first = false;
  }
  if (has_unknown) out += ", unknown";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checks of one record's values

// Shared checks of one row. Each returns false (after recording the problem) when the value
// cannot be used.
class RowChecker {
 public:
  RowChecker(ProblemList& problems, Columns specs) : problems_(problems), specs_(specs) {}

  void startRow(const RawRecord& row) {
    row_ = &row;
    row_ok_ = true;
  }
  [[nodiscard]] bool rowOk() const { return row_ok_; }

  void problem(std::size_t column, std::string_view what) {
    problemNamed(specs_[column].name, what);
  }
  // A problem of a value the schema does not name (a source's own field).
  void problemNamed(std::string_view label, std::string_view what) {
    if (row_->provenance.line == 0) {
      problems_.addAt(row_->provenance.pointer, label, what);
    } else {
      problems_.add(row_->provenance.line, label, what);
    }
    row_ok_ = false;
  }

  // The trimmed text of a single-valued column ("" when absent, or after an encoding problem).
  std::string_view text(std::size_t column) {
    bad_encoding_ = false;
    const RawField& cell = row_->fields[column];
    if (!cell.present) return {};
    const std::string_view value = trim(cell.text);
    if (!checkEncoding(column, value)) {
      bad_encoding_ = true;
      return {};
    }
    return value;
  }

  // The text of a required column; an empty value is a problem (reported once).
  std::string_view required(std::size_t column) {
    const std::string_view value = text(column);
    if (value.empty() && !bad_encoding_)
      problem(column, "expected a value; the column is required");
    return value;
  }

  // The trimmed, non-empty items of a list column.
  void items(std::size_t column, std::vector<std::string_view>& out) {
    out.clear();
    const RawField& cell = row_->fields[column];
    if (!cell.present) return;
    const auto take = [&](std::string_view item) {
      item = trim(item);
      if (!item.empty() && checkEncoding(column, item)) out.push_back(item);
    };
    if (cell.is_array) {
      for (std::string_view item : cell.items) {
        if (item.find(';') != std::string_view::npos) {
          problem(column, "expected one value per array element; got " + quoteValue(item));
          continue;
        }
        take(item);
      }
      return;
    }
    std::string_view rest = cell.text;
    while (true) {
      const std::size_t semi = rest.find(';');
      take(rest.substr(0, semi));
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }

  // A required identifier: non-empty, no control characters ("" when it is not usable).
  std::string_view id(std::size_t column) {
    const std::string_view value = required(column);
    if (value.empty()) return {};
    if (hasControlCharacter(value)) {
      problem(column, "expected an id without control characters; got " + quoteValue(value));
      return {};
    }
    return value;
  }

  // The uniqueness check of an id, `hash` being registry.prefetch(value). Records located by a
  // pointer (line 0) are registered by ordinal, and a duplicate names the first one's pointer.
  void unique(std::size_t column, std::string_view value, std::uint64_t hash,
              IdRegistry& registry) {
    if (row_->provenance.line == 0) {
      pointers_.emplace_back(row_->provenance.pointer);
      const std::size_t first = registry.firstLine(value, hash, pointers_.size());
      if (first != 0) {
        problem(column, "expected a unique id; " + quoteValue(value) + " is already at " +
                            pointers_[first - 1]);
      }
      return;
    }
    const std::size_t first = registry.firstLine(value, hash, row_->provenance.line);
    if (first != 0) {
      problem(column, "expected a unique id; " + quoteValue(value) + " is already on line " +
                          std::to_string(first));
    }
  }

  // `names` is called only to word an error: building the list for every row would cost more
  // than the parse itself.
  template <typename E, typename Parse, typename Names>
  E enumValue(std::size_t column, E fallback, Parse parse, Names names) {
    const std::string_view value = text(column);
    if (value.empty()) return fallback;
    if (const std::optional<E> parsed = parse(value)) return *parsed;
    problem(column, "expected " + oneOf(names()) + "; got " + quoteValue(value));
    return fallback;
  }

 private:
  bool checkEncoding(std::size_t column, std::string_view value) {
    const std::size_t bad = invalidUtf8At(value);
    if (bad == std::string_view::npos) return true;
    problem(column, "expected UTF-8 text; got byte " +
                        hexByte(static_cast<std::uint8_t>(value[bad])) + " at offset " +
                        std::to_string(bad) + " of the value");
    return false;
  }

  ProblemList& problems_;
  Columns specs_;
  const RawRecord* row_ = nullptr;
  bool row_ok_ = true;
  bool bad_encoding_ = false;
  std::vector<std::string> pointers_;  // of records located by pointer, in order
};

// ---------------------------------------------------------------------------------------------
// Builders: rows to records

platform::RawDeviceFields rawFields(std::string_view vendor, std::string_view model,
                                    std::string_view platform_text, std::string_view os_version,
                                    std::string_view kind) {
  platform::RawDeviceFields raw;
  raw.vendor = vendor;
  raw.model = model;
  raw.platform = platform_text;
  raw.os_version = os_version;
  raw.kind = kind;
  return raw;
}

// An estimate of the record count, to size the output and the id table once: the number of
// lines (exact for CSV without quoted line breaks, an over-estimate otherwise). Counting is a
// memchr pass, cheap next to the reallocations it saves.
std::size_t expectedRecords(std::string_view text) {
  std::size_t lines = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (nl == nullptr) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

// Where built records go: into a vector (parsePeople, parseDevices), or in batches to a sink
// (streamPeople, streamDevices). In batch mode the records of a batch are reused from one batch
// to the next, so their strings keep their capacity and a long import allocates little.
template <typename Record>
class RecordOutput {
 public:
  using Sink = std::function<Status(std::span<const Record>)>;

  RecordOutput(ProblemList& problems, std::size_t expected) : problems_(problems) {
    records_.reserve(expected);
  }
  RecordOutput(ProblemList& problems, const Sink& sink, std::size_t batch_size)
      : problems_(problems), sink_(&sink), records_(std::max<std::size_t>(batch_size, 1)) {}

  // The record to fill next (it may hold the values of an earlier record: fill every field).
  Record& slot() {
    if (sink_ != nullptr) return records_[count_];
    if (!problems_.empty()) return spare_;
    return records_.emplace_back();
  }

  // Keeps the slot's record while the file has no problem so far; after the first problem
  // nothing will be returned, so nothing more is kept (or handed to the sink).
  void commit() {
    if (!problems_.empty()) {
      if (sink_ == nullptr && !records_.empty()) records_ = {};
      return;
    }
    if (sink_ == nullptr) return;
    if (++count_ == records_.size()) flush();
  }

  // Hands the last partial batch to the sink, when all went well.
  void finish() {
    if (sink_ != nullptr && problems_.empty() && sink_status_.isOk() && count_ > 0) flush();
  }

  // True once the sink has failed: the parse stops and returns the sink's status.
  [[nodiscard]] bool stopped() const { return !sink_status_.isOk(); }
  [[nodiscard]] const Status& sinkStatus() const { return sink_status_; }
  std::vector<Record> take() { return std::move(records_); }

 private:
  void flush() {
    sink_status_ = (*sink_)(std::span<const Record>(records_.data(), count_));
    count_ = 0;
  }

  ProblemList& problems_;
  const Sink* sink_ = nullptr;
  std::vector<Record> records_;
  Record spare_;  // filled only to check rows once the result is known to be an error
  std::size_t count_ = 0;
  Status sink_status_;
};

// Replaces the contents of `list` with `items` (after `transform`, skipping duplicates and
// items for which it returns false), reusing the strings already in it.
template <typename Transform>
void assignList(std::vector<std::string>& list, const std::vector<std::string_view>& items,
                Transform transform) {
  std::size_t used = 0;
  for (std::string_view item : items) {
    if (used == list.size()) list.emplace_back();
    std::string& target = list[used];
    if (!transform(item, target)) continue;
    if (std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(used), target) ==
        list.begin() + static_cast<std::ptrdiff_t>(used)) {
      ++used;
    }
  }
  list.resize(used);
}

class PersonBuilder {
 public:
  using Record = Person;
  static constexpr Columns kSpecs{kPersonColumns};

  PersonBuilder(std::string_view text, std::size_t expected, ProblemList& problems,
                RecordOutput<Person>& output)
      : ids_(text, expected), check_(problems, kSpecs), output_(output) {}

  void add(const RawRecord& row) {
    fill(row, output_.slot());
    output_.commit();
  }
  [[nodiscard]] bool stopped() const { return output_.stopped(); }

 private:
  void fill(const RawRecord& row, Person& person) {
    check_.startRow(row);
    const std::string_view id = check_.id(kPersonId);
    const std::uint64_t id_hash = id.empty() ? 0 : ids_.prefetch(id);
    person.person_id.assign(id);
    person.name.assign(check_.text(kPersonName));
    const std::string_view email = check_.text(kEmail);
    if (!email.empty() && !isPlausibleEmail(email)) {
      check_.problem(kEmail, "expected an address like name@example.org; got " + quoteValue(email));
    }
    person.email.assign(email);
    const std::string_view upn = check_.text(kUpn);
    if (!upn.empty() && !isPlausibleEmail(upn)) {
      check_.problem(kUpn, "expected a user principal name like name@corp.example.org; got " +
                               quoteValue(upn));
    }
    person.upn.assign(upn);
    const std::string_view unit = check_.required(kUnit);
    if (!unit.empty() && !isValidUnitPath(unit)) {
      check_.problem(kUnit,
                     "expected a unit path of lower-case segments [a-z0-9._-] separated by '/', "
                     "like \"pa/domestic-policy\"; got " +
                         quoteValue(unit));
    }
    person.unit.assign(unit);
    check_.items(kRole, items_);
    assignList(person.roles, items_, [](std::string_view role, std::string& out) {
      out.assign(role);
      for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      return true;
    });
    person.status = check_.enumValue(
        kStatus, EmploymentStatus::kActive,
        [](std::string_view v) -> std::optional<EmploymentStatus> {
          if (iequals(v, "active")) return EmploymentStatus::kActive;
          if (iequals(v, "left")) return EmploymentStatus::kLeft;
          return std::nullopt;
        },
        [] {
          return std::array<std::string_view, 2>{"active", "left"};
        });
    if (!id.empty()) check_.unique(kPersonId, id, id_hash, ids_);
  }

  IdRegistry ids_;
  RowChecker check_;
  RecordOutput<Person>& output_;
  std::vector<std::string_view> items_;
};

Device& deviceOf(Device& device) { return device; }
Device& deviceOf(SourcedDevice& sourced) { return sourced.device; }

// Devices (Device), or devices of an external source with their provenance (SourcedDevice),
// whose holders are not person ids and are not checked here.
template <typename DeviceRecord>
class DeviceBuilder {
 public:
  using Record = DeviceRecord;
  static constexpr Columns kSpecs{kDeviceColumns};
  static constexpr bool kSourced = std::is_same_v<DeviceRecord, SourcedDevice>;

  DeviceBuilder(std::string_view text, std::size_t expected, ProblemList& problems,
                RecordOutput<DeviceRecord>& output,
                const std::function<bool(std::string_view)>& person_exists)
      : ids_(text, expected),
        check_(problems, kSpecs),
        output_(output),
        person_exists_(person_exists),
        normalizer_(platform::Normalizer::builtin()) {}

  void add(const RawRecord& row) {
    DeviceRecord& slot = output_.slot();
    fill(row, deviceOf(slot));
    if constexpr (kSourced) provenance(row, slot);
    output_.commit();
  }
  [[nodiscard]] bool stopped() const { return output_.stopped(); }

 private:
  void fill(const RawRecord& row, Device& device) {
    check_.startRow(row);
    const std::string_view id = check_.id(kDeviceId);
    const std::uint64_t id_hash = id.empty() ? 0 : ids_.prefetch(id);
    device.device_id.assign(id);

    const std::string_view holder = check_.text(kHolder);
    if (!kSourced && !holder.empty() && !(person_exists_ && person_exists_(holder))) {
      check_.problem(kHolder,
                     "expected the person_id of an existing person; got " + quoteValue(holder));
    }
    device.holder.assign(holder);

    inferPlatform(device);

    device.ownership = check_.enumValue(kOwnership, platform::Ownership::kUnknown,
                                        platform::parseOwnership, platform::ownershipNames);
    device.channel = check_.enumValue(kChannel, platform::Channel::kUnknown, platform::parseChannel,
                                      platform::channelNames);
    device.serial.assign(check_.text(kSerial));
    device.imei.assign(check_.text(kImei));
    check_.items(kMac, items_);
    assignList(device.macs, items_, [this](std::string_view item, std::string& out) {
      if (normalizeMac(item, out)) return true;
      check_.problem(kMac,
                     "expected a MAC address like aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or "
                     "aabb.ccdd.eeff; got " +
                         quoteValue(item));
      return false;
    });
    device.hostname.assign(check_.text(kHostname));
    device.state = check_.enumValue(kState, platform::DeviceState::kActive,
                                    platform::parseDeviceState, platform::deviceStateNames);
    if (!id.empty()) check_.unique(kDeviceId, id, id_hash, ids_);
  }
  // Kind, vendor, platform and OS version, as the normalizer reads them. Free text in the kind
  // or platform column must mean something on its own (so "toaster" is an error even when the
  // model would have told us the kind). An explicit canonical kind/platform is kept: the
  // normalizer keeps it too, except that it may refine one by version ("harmonyos" with
  // os_version 5.0 is harmonyos-next); "unknown" means "infer", like an empty field.
  void inferPlatform(Device& device) {
    const std::string_view kind_text = check_.text(kKind);
    const std::string_view vendor_text = check_.text(kVendor);
    const std::string_view model_text = check_.text(kModel);
    const std::string_view platform_text = check_.text(kPlatform);
    const std::string_view os_text = check_.text(kOsVersion);

    std::optional<platform::Kind> kind;
    if (!kind_text.empty()) {
      kind = platform::parseKind(kind_text);
      if (!kind && normalizer_.normalize(rawFields({}, {}, {}, {}, kind_text)).kind ==
                       platform::Kind::kUnknown) {
        check_.problem(kKind, "expected " + oneOf(platform::kindNames()) +
                                  " (or a description such as \"smartphone\"); got " +
                                  quoteValue(kind_text));
      }
    }
    std::optional<platform::Platform> os;
    if (!platform_text.empty()) {
      os = platform::parsePlatform(platform_text);
      if (!os && !normalizer_.parseOs(platform_text).recognized) {
        check_.problem(kPlatform, "expected " + oneOf(platform::platformNames()) +
                                      " (or an OS description such as \"iOS 16.4\"); got " +
                                      quoteValue(platform_text));
      }
    }
    if (!check_.rowOk()) return;

    const platform::NormalizedDevice n = normalizer_.normalize(
        rawFields(vendor_text, model_text, platform_text, os_text, kind_text));
    device.kind = n.kind;
    if (kind && *kind != platform::Kind::kUnknown && n.kind == platform::Kind::kUnknown) {
      device.kind = *kind;
    }
    device.platform = n.platform;
    if (os && *os != platform::Platform::kUnknown && n.platform == platform::Platform::kUnknown) {
      device.platform = *os;
    }
    if (!n.vendor.empty()) {
      device.vendor.assign(n.vendor);
    } else {
      device.vendor.assign(vendor_text);
      for (char& c : device.vendor) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
    }
    device.model.assign(model_text);
    device.os_version.assign(!n.os_version.empty() ? std::string_view(n.os_version) : os_text);
  }

  void provenance(const RawRecord& row, SourcedDevice& sourced) {
    sourced.location = row.provenance.line != 0 ? std::to_string(row.provenance.line)
                                                : std::string(row.provenance.pointer);
    sourced.synced_ms = 0;
    sourced.given = 0;
    for (std::size_t c = 0; c < row.fields.size(); ++c) {
      const RawField& field = row.fields[c];
      if (field.present && (field.is_array ? !field.items.empty() : !trim(field.text).empty())) {
        sourced.given |= ColumnMask{1} << c;
      }
    }
    const std::string_view synced = trim(row.provenance.synced_at);
    if (synced.empty()) return;
    if (const std::optional<std::int64_t> ms = parseTimestampMs(synced)) {
      sourced.synced_ms = *ms;
    } else {
      check_.problemNamed("last synchronised",
                          "expected a timestamp like 2024-03-01T10:20:30Z; got " +
                              quoteValue(invalidUtf8At(synced) == std::string_view::npos
                                             ? synced
                                             : std::string_view("(not UTF-8)")));
    }
  }

  IdRegistry ids_;
  RowChecker check_;
  RecordOutput<DeviceRecord>& output_;
  const std::function<bool(std::string_view)>& person_exists_;
  const platform::Normalizer& normalizer_;
  std::vector<std::string_view> items_;
};

// ---------------------------------------------------------------------------------------------
// Whole-file checks shared by every source

// Rejects text that is visibly not UTF-8 as a whole (UTF-16/32 byte-order marks), before it
// turns into a confusing list of per-field problems.
bool checkFileEncoding(std::string_view text, ProblemList& problems) {
  const auto starts = [&](std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
  };
  if (starts(std::string_view("\xFF\xFE\x00\x00", 4)) ||
      starts(std::string_view("\x00\x00\xFE\xFF", 4))) {
    problems.add(1, "", "expected UTF-8 text; the file starts with a UTF-32 byte-order mark");
    return false;
  }
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    problems.add(1, "", "expected UTF-8 text; the file starts with a UTF-16 byte-order mark");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The seam: a source reads into a BuilderSink

template <typename Builder>
class BuilderSink final : public RecordSink {
 public:
  BuilderSink(ProblemList& problems, Builder& builder) : problems_(problems), builder_(builder) {}

  bool record(const RawRecord& record) override {
    builder_.add(record);
    return !builder_.stopped();
  }
  void problem(std::size_t line, std::string_view column, std::string_view what) override {
    problems_.add(line, column, what);
  }
  void problemAt(std::string_view pointer, std::string_view column,
                 std::string_view what) override {
    problems_.addAt(pointer, column, what);
  }

 private:
  ProblemList& problems_;
  Builder& builder_;
};

template <typename Builder>
void readAny(std::string_view text, std::string_view file, const Source& source,
             ProblemList& problems, Builder& builder, const PeopleMapping* mapping = nullptr,
             InputChunks* chunks = nullptr) {
  if (!checkFileEncoding(text, problems)) return;
  BuilderSink<Builder> sink(problems, builder);
  source.read(
      SourceInput{text, file, Builder::kSpecs, mapping, source.reads_chunks ? chunks : nullptr},
      sink);
}

}  // namespace

Result<std::vector<Person>> parsePeople(std::string_view text, std::string_view file,
                                        const Source& source, const PeopleMapping* mapping) {
  ProblemList problems(file);
  const std::size_t expected = expectedRecords(text);
  RecordOutput<Person> output(problems, expected);
  PersonBuilder builder(text, expected, problems, output);
  readAny(text, file, source, problems, builder, mapping);
  if (!problems.empty()) return problems.toStatus();
  return output.take();
}

Result<std::vector<Device>> parseDevices(
    std::string_view text, std::string_view file, const Source& source,
    const std::function<bool(std::string_view)>& person_exists) {
  ProblemList problems(file);
  const std::size_t expected = expectedRecords(text);
  RecordOutput<Device> output(problems, expected);
  DeviceBuilder<Device> builder(text, expected, problems, output, person_exists);
  readAny(text, file, source, problems, builder);
  if (!problems.empty()) return problems.toStatus();
  return output.take();
}

Result<std::vector<SourcedDevice>> parseSourcedDevices(std::string_view text, std::string_view file,
                                                       const Source& source, InputChunks* chunks) {
  ProblemList problems(file);
  const std::size_t expected = expectedRecords(text);
  RecordOutput<SourcedDevice> output(problems, expected);
  const std::function<bool(std::string_view)> no_check;
  DeviceBuilder<SourcedDevice> builder(text, expected, problems, output, no_check);
  readAny(text, file, source, problems, builder, nullptr, chunks);
  if (!problems.empty()) return problems.toStatus();
  return output.take();
}

Status streamPeople(std::string_view text, std::string_view file, const Source& source,
                    const PeopleSink& sink, std::size_t batch_size, const PeopleMapping* mapping) {
  ProblemList problems(file);
  RecordOutput<Person> output(problems, sink, batch_size);
  PersonBuilder builder(text, expectedRecords(text), problems, output);
  readAny(text, file, source, problems, builder, mapping);
  if (output.stopped()) return output.sinkStatus();
  if (!problems.empty()) return problems.toStatus();
  output.finish();
  return output.sinkStatus();
}

Status streamDevices(std::string_view text, std::string_view file, const Source& source,
                     const std::function<bool(std::string_view)>& person_exists,
                     const DeviceSink& sink, std::size_t batch_size) {
  ProblemList problems(file);
  RecordOutput<Device> output(problems, sink, batch_size);
  DeviceBuilder<Device> builder(text, expectedRecords(text), problems, output, person_exists);
  readAny(text, file, source, problems, builder);
  if (output.stopped()) return output.sinkStatus();
  if (!problems.empty()) return problems.toStatus();
  output.finish();
  return output.sinkStatus();
}

}  // namespace phaseout::inventory
