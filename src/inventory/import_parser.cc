#include "inventory/import_parser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/strings.h"
#include "inventory/csv_reader.h"
#include "inventory/field_syntax.h"
#include "platform/normalizer.h"

namespace phaseout::inventory {
namespace {

// ---------------------------------------------------------------------------------------------
// Columns

struct ColumnSpec {
  std::string_view name;
  bool required;  // the column must exist and its value must not be empty
  bool list;      // ';'-separated in CSV, a string or an array of strings in JSON
};

enum PersonColumn : std::size_t { kPersonId, kPersonName, kEmail, kUnit, kRole, kStatus };
constexpr std::array<ColumnSpec, 6> kPersonColumns{{
    {"person_id", true, false},
    {"name", false, false},
    {"email", false, false},
    {"unit", true, false},
    {"role", false, true},
    {"status", false, false},
}};

enum DeviceColumn : std::size_t {
  kDeviceId,
  kHolder,
  kKind,
  kVendor,
  kModel,
  kPlatform,
  kOsVersion,
  kOwnership,
  kChannel,
  kSerial,
  kImei,
  kMac,
  kHostname,
  kState,
};
constexpr std::array<ColumnSpec, 14> kDeviceColumns{{
    {"device_id", true, false},
    {"holder", false, false},
    {"kind", false, false},
    {"vendor", false, false},
    {"model", false, false},
    {"platform", false, false},
    {"os_version", false, false},
    {"ownership", false, false},
    {"channel", false, false},
    {"serial", false, false},
    {"imei", false, false},
    {"mac", false, true},
    {"hostname", false, false},
    {"state", false, false},
}};

// Column sets are small enough for a bit mask (the JSON "same keys" check uses it).
using ColumnMask = std::uint32_t;

std::optional<std::size_t> findColumn(std::span<const ColumnSpec> specs, std::string_view name) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (iequals(specs[i].name, name)) return i;
  }
  return std::nullopt;
}

std::string columnList(std::span<const ColumnSpec> specs) {
  std::string out;
  for (const ColumnSpec& spec : specs) {
    if (!out.empty()) out += ", ";
    out += spec.name;
  }
  return out;
}

std::string maskNames(std::span<const ColumnSpec> specs, ColumnMask mask) {
  std::string out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if ((mask & (ColumnMask{1} << i)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += specs[i].name;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text checks and message helpers

// Offset of the first byte that is not valid UTF-8 (a NUL byte counts as invalid: it only
// appears in text that is really UTF-16 or binary), or npos.
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;  // the top bit of each byte
constexpr std::uint64_t kLowBits = 0x0101010101010101ULL;   // the low bit of each byte

std::size_t invalidUtf8At(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // Fast path: eight ASCII bytes, none of them NUL.
    if (i + 8 <= n) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s.data() + i, 8);
      if ((chunk & kHighBits) == 0 && ((chunk - kLowBits) & ~chunk & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<std::uint8_t>(s[i]);
    if (c != 0 && c < 0x80) {
      ++i;
      continue;
    }
    if (c == 0) return i;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<std::uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

constexpr char kHexDigits[] = "0123456789ABCDEF";

std::string hexByte(std::uint8_t b) {
  std::string out = "0x";
  out += kHexDigits[b >> 4];
  out += kHexDigits[b & 0xF];
  return out;
}

bool hasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7F;
  });
}

// A value as shown in a message: quoted, control characters escaped, long values cut (on a
// character boundary) so one bad field cannot flood the report. `s` must be valid UTF-8.
constexpr std::size_t kMaxShownBytes = 60;

std::string quoteValue(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (i >= kMaxShownBytes && (b & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    if (b == '"' || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
    } else if (b < 0x20 || b == 0x7F) {
      out += "\\x";
      out += hexByte(b).substr(2);
    } else {
      out += static_cast<char>(b);
    }
  }
  out += '"';
  return out;
}

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
// Problems: the error list of one parse

class Problems {
 public:
  explicit Problems(std::string_view source) : source_(source) {}

  // Adds "source:line: column: what" (the column part is omitted when `column` is empty).
  void add(std::size_t line, std::string_view column, std::string_view what) {
    ++total_;
    if (listed_.size() >= kMaxListedProblems) return;
    std::string text(source_);
    text += ':';
    text += std::to_string(line);
    text += ": ";
    if (!column.empty()) {
      text += column;
      text += ": ";
    }
    text += what;
    listed_.push_back(std::move(text));
  }

  [[nodiscard]] bool empty() const { return total_ == 0; }

  Status toStatus() const {
    std::string message = join(listed_, "\n");
    if (total_ > listed_.size()) {
      message += "\n... and " + std::to_string(total_ - listed_.size()) + " more problems";
    }
    return invalidArgument(std::move(message));
  }

 private:
  std::string_view source_;
  std::vector<std::string> listed_;
  std::size_t total_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Rows: one record as the builders see it, whatever the file format

struct Cell {
  bool present = false;   // the column exists in this file / object
  bool is_array = false;  // a JSON array: `items` holds the values, `text` is unused
  std::string_view text;
  std::vector<std::string_view> items;
};

struct Row {
  std::size_t line = 0;
  std::vector<Cell> cells;  // indexed by column
};

// The ids seen so far, for the duplicate check: an open-addressing table of (hash, index)
// pairs, so a lookup costs one cache miss where a node-based std::unordered_map costs several
// (this check dominated the parse of a million rows). Views into the input text are kept as
// they are; other ids (CSV fields with "" escapes, JSON strings) are copied once into `pool_`.
class IdRegistry {
 public:
  IdRegistry(std::string_view text, std::size_t expected) : text_(text) {
    std::size_t slots = 16;
    while (slots < expected * 2) slots *= 2;
    slots_.assign(slots, Slot{});
    entries_.reserve(expected);
  }

  // Hashes `id` and starts loading its slot into the cache. The builders call this first and
  // firstLine() after the rest of the record, so the (likely) cache miss overlaps with work.
  [[nodiscard]] std::uint64_t prefetch(std::string_view id) const {
    const std::uint64_t hash = hashOf(id);
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
    return hash;
  }

  // Returns the line on which `id` was first seen, or 0 after recording it as new. `hash` is
  // prefetch(id).
  std::size_t firstLine(std::string_view id, std::uint64_t hash, std::size_t line) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const auto hash_high = static_cast<std::uint32_t>(hash >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.index_plus_one == 0) {
        slot = {hash_high, static_cast<std::uint32_t>(entries_.size() + 1)};
        entries_.push_back({stable(id), line, hash});
        return 0;
      }
      if (slot.hash_high == hash_high && entries_[slot.index_plus_one - 1].id == id) {
        return entries_[slot.index_plus_one - 1].line;
      }
    }
  }

 private:
  // Eight bytes: the high half of the hash (the low half picked the slot) and the entry.
  struct Slot {
    std::uint32_t hash_high = 0;
    std::uint32_t index_plus_one = 0;  // 0: empty
  };
  struct Entry {
    std::string_view id;
    std::size_t line;
    std::uint64_t hash;  // kept for grow()
  };

  static std::uint64_t hashOf(std::string_view s) {
    // 8 bytes at a time, multiply-xorshift mixing, splitmix64 finaliser.
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s.data() + i, 8);
      h = (h ^ chunk) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x94D049BB133111EBULL;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    return h;
  }

  std::string_view stable(std::string_view id) {
    const std::less<> less;
    const bool in_text =
        !less(id.data(), text_.data()) && !less(text_.data() + text_.size(), id.data() + id.size());
    return in_text ? id : std::string_view(pool_.emplace_back(id));
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.index_plus_one == 0) continue;
      std::size_t i = entries_[slot.index_plus_one - 1].hash & mask;
      while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::string_view text_;
  std::deque<std::string> pool_;
  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
};

// Shared checks of one row. Each returns false (after recording the problem) when the value
// cannot be used.
class RowChecker {
 public:
  RowChecker(Problems& problems, std::span<const ColumnSpec> specs)
      : problems_(problems), specs_(specs) {}

  void startRow(const Row& row) {
    row_ = &row;
    row_ok_ = true;
  }
  [[nodiscard]] bool rowOk() const { return row_ok_; }

  void problem(std::size_t column, std::string_view what) {
    problems_.add(row_->line, specs_[column].name, what);
    row_ok_ = false;
  }

  // The trimmed text of a single-valued column ("" when absent, or after an encoding problem).
  std::string_view text(std::size_t column) {
    bad_encoding_ = false;
    const Cell& cell = row_->cells[column];
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
    const Cell& cell = row_->cells[column];
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

  // The uniqueness check of an id, `hash` being registry.prefetch(value).
  void unique(std::size_t column, std::string_view value, std::uint64_t hash,
              IdRegistry& registry) {
    const std::size_t first = registry.firstLine(value, hash, row_->line);
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

  Problems& problems_;
  std::span<const ColumnSpec> specs_;
  const Row* row_ = nullptr;
  bool row_ok_ = true;
  bool bad_encoding_ = false;
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

  RecordOutput(Problems& problems, std::size_t expected) : problems_(problems) {
    records_.reserve(expected);
  }
  RecordOutput(Problems& problems, const Sink& sink, std::size_t batch_size)
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

  Problems& problems_;
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
  static constexpr std::span<const ColumnSpec> kSpecs{kPersonColumns};

  PersonBuilder(std::string_view text, std::size_t expected, Problems& problems,
                RecordOutput<Person>& output)
      : ids_(text, expected), check_(problems, kSpecs), output_(output) {}

  void add(const Row& row) {
    fill(row, output_.slot());
    output_.commit();
  }
  [[nodiscard]] bool stopped() const { return output_.stopped(); }

 private:
  void fill(const Row& row, Person& person) {
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

class DeviceBuilder {
 public:
  using Record = Device;
  static constexpr std::span<const ColumnSpec> kSpecs{kDeviceColumns};

  DeviceBuilder(std::string_view text, std::size_t expected, Problems& problems,
                RecordOutput<Device>& output,
                const std::function<bool(std::string_view)>& person_exists)
      : ids_(text, expected),
        check_(problems, kSpecs),
        output_(output),
        person_exists_(person_exists),
        normalizer_(platform::Normalizer::builtin()) {}

  void add(const Row& row) {
    fill(row, output_.slot());
    output_.commit();
  }
  [[nodiscard]] bool stopped() const { return output_.stopped(); }

 private:
  void fill(const Row& row, Device& device) {
    check_.startRow(row);
    const std::string_view id = check_.id(kDeviceId);
    const std::uint64_t id_hash = id.empty() ? 0 : ids_.prefetch(id);
    device.device_id.assign(id);

    const std::string_view holder = check_.text(kHolder);
    if (!holder.empty() && !(person_exists_ && person_exists_(holder))) {
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

  IdRegistry ids_;
  RowChecker check_;
  RecordOutput<Device>& output_;
  const std::function<bool(std::string_view)>& person_exists_;
  const platform::Normalizer& normalizer_;
  std::vector<std::string_view> items_;
};

// ---------------------------------------------------------------------------------------------
// Whole-file checks shared by both formats

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Rejects text that is visibly not UTF-8 as a whole (UTF-16/32 byte-order marks), before it
// turns into a confusing list of per-field problems.
bool checkFileEncoding(std::string_view text, Problems& problems) {
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
// CSV

template <typename Builder>
void readCsv(std::string_view text, Problems& problems, Builder& builder) {
  const std::span<const ColumnSpec> specs = Builder::kSpecs;
  CsvReader reader(text);

  CsvReader::Step step = reader.next();
  if (step == CsvReader::Step::kEnd) {
    problems.add(
        1, "",
        "expected a header line naming the columns (" + columnList(specs) + "); the file is empty");
    return;
  }
  if (step == CsvReader::Step::kError) {
    problems.add(reader.line(), "", "header: " + reader.error());
    return;
  }

  const std::size_t header_line = reader.line();
  std::vector<std::size_t> column_of_field;
  std::vector<std::string> header_names;
  std::vector<std::size_t> field_of_column(specs.size(), SIZE_MAX);
  for (std::size_t i = 0; i < reader.fields().size(); ++i) {
    const std::string_view raw = trim(reader.fields()[i]);
    const std::size_t bad = invalidUtf8At(raw);
    const bool printable =
        bad == std::string_view::npos && !raw.empty() && !hasControlCharacter(raw);
    const std::string label = printable ? std::string(raw) : "column " + std::to_string(i + 1);
    header_names.push_back(label);
    const std::optional<std::size_t> column = printable ? findColumn(specs, raw) : std::nullopt;
    if (bad != std::string_view::npos) {
      problems.add(header_line, label,
                   "expected UTF-8 text; got byte " + hexByte(static_cast<std::uint8_t>(raw[bad])) +
                       " (is the file in another encoding?)");
      column_of_field.push_back(SIZE_MAX);
      continue;
    }
    if (!column) {
      problems.add(header_line, label, "unknown column; expected one of " + columnList(specs));
      column_of_field.push_back(SIZE_MAX);
      continue;
    }
    if (field_of_column[*column] != SIZE_MAX) {
      problems.add(
          header_line, label,
          "duplicate column (also column " + std::to_string(field_of_column[*column] + 1) + ")");
      column_of_field.push_back(SIZE_MAX);
      continue;
    }
    field_of_column[*column] = i;
    column_of_field.push_back(*column);
  }
  for (std::size_t c = 0; c < specs.size(); ++c) {
    if (specs[c].required && field_of_column[c] == SIZE_MAX) {
      problems.add(header_line, specs[c].name, "missing required column");
    }
  }
  if (!problems.empty()) return;

  Row row;
  row.cells.resize(specs.size());
  for (std::size_t c = 0; c < specs.size(); ++c)
    row.cells[c].present = field_of_column[c] != SIZE_MAX;
  const std::size_t width = column_of_field.size();

  while ((step = reader.next()) != CsvReader::Step::kEnd) {
    if (step == CsvReader::Step::kError) {
      const std::size_t field = reader.errorField();
      problems.add(reader.line(), field < width ? std::string_view(header_names[field]) : "",
                   reader.error());
      continue;
    }
    const std::vector<std::string_view>& fields = reader.fields();
    if (fields.size() != width) {
      problems.add(reader.line(), "",
                   "expected " + std::to_string(width) + " fields as in the header; got " +
                       std::to_string(fields.size()));
      continue;
    }
    row.line = reader.line();
    for (std::size_t i = 0; i < width; ++i) row.cells[column_of_field[i]].text = fields[i];
    builder.add(row);
    if (builder.stopped()) return;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON
//
// The document is scanned once by hand to find the top-level array's elements and the line
// each starts on (nlohmann's parsers report no positions we could map to records), then each
// element is parsed on its own. That also keeps memory proportional to one element, not to a
// DOM of the whole file.

class JsonArrayScanner {
 public:
  explicit JsonArrayScanner(std::string_view text) : text_(text) {}

  // Positions on the first element; false (with error()) when the text is not "[ ...".
  bool open() {
    skipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '[') {
      error_ = "expected a JSON array of objects ('[' first)";
      return false;
    }
    ++pos_;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      closed_ = true;
    }
    return true;
  }

  enum class Step { kElement, kEnd, kError };

  // The next element's text and starting line.
  Step next(std::string_view& element, std::size_t& line) {
    if (closed_) return finish();
    if (!first_) {
      skipSpace();
      if (pos_ >= text_.size())
        return fail("expected ',' or ']' after an array element; the text ends");
      if (text_[pos_] == ']') {
        ++pos_;
        closed_ = true;
        return finish();
      }
      if (text_[pos_] != ',') return fail("expected ',' or ']' after an array element");
      ++pos_;
    }
    first_ = false;
    skipSpace();
    if (pos_ >= text_.size()) return fail("expected an array element; the text ends");
    if (text_[pos_] == ']') return fail("expected an array element after ','");
    line = line_;
    const std::size_t begin = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        if (!skipString()) {
          return fail("unterminated string in the value opened on line " + std::to_string(line),
                      line);
        }
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;  // the array's own ']'
        --depth;
        if (depth == 0) {
          ++pos_;
          break;
        }
      } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
        break;
      } else if (c == '\n') {
        ++line_;
      }
      ++pos_;
    }
    if (depth != 0) {
      return fail("unterminated JSON value (opened on line " + std::to_string(line) + ")", line);
    }
    element = text_.substr(begin, pos_ - begin);
    return Step::kElement;
  }

  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t errorLine() const { return error_line_; }

 private:
  Step finish() {
    skipSpace();
    if (pos_ < text_.size()) {
      error_line_ = line_;
      error_ = "expected nothing after the array's closing ']'";
      return Step::kError;
    }
    return Step::kEnd;
  }

  Step fail(std::string message) { return fail(std::move(message), line_); }
  Step fail(std::string message, std::size_t line) {
    error_line_ = line;
    error_ = std::move(message);
    return Step::kError;
  }

  void skipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++pos_;
    }
  }

  // pos_ on the opening quote; leaves pos_ after the closing one.
  bool skipString() {
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '\n') ++line_;  // invalid in JSON; the element parse reports it
      ++pos_;
      if (c == '"') return true;
    }
    pos_ = text_.size();
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t error_line_ = 1;
  bool first_ = true;
  bool closed_ = false;
  std::string error_;
};

std::size_t countNewlines(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Text from elsewhere made safe for a message: bytes that are not UTF-8 become \xNN.
std::string printable(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    const std::size_t bad = invalidUtf8At(s);
    out += s.substr(0, bad);
    if (bad == std::string_view::npos) break;
    out += "\\x" + hexByte(static_cast<std::uint8_t>(s[bad])).substr(2);
    s.remove_prefix(bad + 1);
  }
  return out;
}

// nlohmann's message minus its own "[json.exception...] parse error at line 1, column 7: "
// prefix, whose position is relative to the element, not the file. Its "last read: '...'"
// quotes the input, which may be the very bytes that are not UTF-8.
std::string jsonReason(const nlohmann::json::parse_error& e) {
  std::string_view what = e.what();
  const std::size_t at = what.find("parse error");
  if (at != std::string_view::npos) {
    const std::size_t colon = what.find(": ", at);
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return printable(what);
}

std::string_view jsonTypeName(const nlohmann::json& v) {
  if (v.is_number()) return "a number";
  if (v.is_boolean()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  return "a string";
}

// A JSON key as the column of a message: as it is, or quoted when empty or holding control
// characters (escapes can smuggle those in; nlohmann has already rejected invalid UTF-8).
std::string keyLabel(const std::string& key) {
  return !key.empty() && !hasControlCharacter(key) ? key : quoteValue(key);
}

template <typename Builder>
void readJson(std::string_view text, Problems& problems, Builder& builder) {
  const std::span<const ColumnSpec> specs = Builder::kSpecs;
  JsonArrayScanner scanner(text);
  if (!scanner.open()) {
    problems.add(scanner.errorLine(), "", scanner.error());
    return;
  }

  Row row;
  row.cells.resize(specs.size());
  std::optional<ColumnMask> first_keys;
  std::size_t first_line = 0;
  std::string_view element;
  std::size_t line = 0;
  std::vector<std::string> keys_seen;

  for (;;) {
    const JsonArrayScanner::Step step = scanner.next(element, line);
    if (step == JsonArrayScanner::Step::kEnd) break;
    if (step == JsonArrayScanner::Step::kError) {
      problems.add(scanner.errorLine(), "", scanner.error());
      return;
    }

    std::size_t duplicate_keys = 0;
    keys_seen.clear();
    nlohmann::json value;
    try {
      // The callback sees every key of the element's own object (depth 1) before nlohmann
      // silently keeps only the last of duplicates.
      value = nlohmann::json::parse(
          element.begin(), element.end(),
          [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
            if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed.is_string()) {
              std::string key = toLower(parsed.get_ref<const std::string&>());
              if (std::find(keys_seen.begin(), keys_seen.end(), key) != keys_seen.end()) {
                if (duplicate_keys++ == 0) {
                  problems.add(line, keyLabel(parsed.get_ref<const std::string&>()),
                               "duplicate key");
                }
              } else {
                keys_seen.push_back(std::move(key));
              }
            }
            return true;
          });
    } catch (const nlohmann::json::parse_error& e) {
      const std::size_t offset = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, element.size());
      problems.add(line + countNewlines(element.substr(0, offset)), "",
                   "expected valid JSON; " + jsonReason(e));
      continue;
    } catch (const std::exception& e) {
      problems.add(line, "", "expected valid JSON; " + printable(e.what()));
      continue;
    }
    if (duplicate_keys != 0) continue;
    if (!value.is_object()) {
      problems.add(line, "",
                   std::string("expected an object; got ") + std::string(jsonTypeName(value)));
      continue;
    }

    row.line = line;
    for (Cell& cell : row.cells) {
      cell.present = false;
      cell.is_array = false;
      cell.text = {};
      cell.items.clear();
    }
    ColumnMask keys = 0;
    bool ok = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& key = it.key();
      const nlohmann::json& field = it.value();
      const std::optional<std::size_t> column = findColumn(specs, key);
      if (!column) {
        problems.add(line, keyLabel(key), "unknown key; expected one of " + columnList(specs));
        ok = false;
        continue;
      }
      keys |= ColumnMask{1} << *column;
      Cell& cell = row.cells[*column];
      cell.present = true;
      if (field.is_string()) {
        cell.text = field.get_ref<const std::string&>();
      } else if (specs[*column].list && field.is_array() &&
                 std::all_of(field.begin(), field.end(),
                             [](const nlohmann::json& item) { return item.is_string(); })) {
        cell.is_array = true;
        for (const nlohmann::json& item : field) {
          cell.items.emplace_back(item.get_ref<const std::string&>());
        }
      } else {
        problems.add(line, specs[*column].name,
                     std::string(specs[*column].list ? "expected a string or an array of strings"
                                                     : "expected a string") +
                         "; got " + std::string(jsonTypeName(field)));
        ok = false;
      }
    }
    for (std::size_t c = 0; c < specs.size(); ++c) {
      if (specs[c].required && (keys & (ColumnMask{1} << c)) == 0) {
        problems.add(line, specs[c].name, "missing required key");
        ok = false;
      }
    }
    if (!first_keys) {
      first_keys = keys;
      first_line = line;
    } else if (keys != *first_keys) {
      std::string what =
          "expected the same keys as the first object (line " + std::to_string(first_line) + ")";
      if (const ColumnMask missing = *first_keys & ~keys)
        what += "; missing " + maskNames(specs, missing);
      if (const ColumnMask extra = keys & ~*first_keys)
        what += "; extra " + maskNames(specs, extra);
      problems.add(line, "", what);
      ok = false;
    }
    if (ok) {
      builder.add(row);
      if (builder.stopped()) return;
    }
  }
}

// ---------------------------------------------------------------------------------------------

template <typename Builder>
void readAny(std::string_view text, Format format, Problems& problems, Builder& builder) {
  if (!checkFileEncoding(text, problems)) return;
  if (format == Format::kCsv) {
    readCsv(text, problems, builder);  // CsvReader skips the byte-order mark itself
  } else {
    if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
    readJson(text, problems, builder);
  }
}

// ---------------------------------------------------------------------------------------------
// Writers

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

void appendHeader(std::string& out, std::span<const ColumnSpec> specs) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i) out += ',';
    out += specs[i].name;
  }
  out += '\n';
}

}  // namespace

std::string_view name(Format f) { return f == Format::kJson ? "json" : "csv"; }

Result<Format> formatForPath(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  const std::string_view ext =
      dot == std::string_view::npos ? std::string_view() : base.substr(dot);
  if (iequals(ext, ".csv")) return Format::kCsv;
  if (iequals(ext, ".json")) return Format::kJson;
  return invalidArgument(std::string(path) +
                         ": expected a file name ending in .csv or .json (the extension chooses "
                         "the format)");
}

Result<std::vector<Person>> parsePeople(std::string_view text, std::string_view source_name,
                                        Format format) {
  Problems problems(source_name);
  const std::size_t expected = expectedRecords(text);
  RecordOutput<Person> output(problems, expected);
  PersonBuilder builder(text, expected, problems, output);
  readAny(text, format, problems, builder);
  if (!problems.empty()) return problems.toStatus();
  return output.take();
}

Result<std::vector<Device>> parseDevices(
    std::string_view text, std::string_view source_name, Format format,
    const std::function<bool(std::string_view)>& person_exists) {
  Problems problems(source_name);
  const std::size_t expected = expectedRecords(text);
  RecordOutput<Device> output(problems, expected);
  DeviceBuilder builder(text, expected, problems, output, person_exists);
  readAny(text, format, problems, builder);
  if (!problems.empty()) return problems.toStatus();
  return output.take();
}

Status streamPeople(std::string_view text, std::string_view source_name, Format format,
                    const PeopleSink& sink, std::size_t batch_size) {
  Problems problems(source_name);
  RecordOutput<Person> output(problems, sink, batch_size);
  PersonBuilder builder(text, expectedRecords(text), problems, output);
  readAny(text, format, problems, builder);
  if (output.stopped()) return output.sinkStatus();
  if (!problems.empty()) return problems.toStatus();
  output.finish();
  return output.sinkStatus();
}

Status streamDevices(std::string_view text, std::string_view source_name, Format format,
                     const std::function<bool(std::string_view)>& person_exists,
                     const DeviceSink& sink, std::size_t batch_size) {
  Problems problems(source_name);
  RecordOutput<Device> output(problems, sink, batch_size);
  DeviceBuilder builder(text, expectedRecords(text), problems, output, person_exists);
  readAny(text, format, problems, builder);
  if (output.stopped()) return output.sinkStatus();
  if (!problems.empty()) return problems.toStatus();
  output.finish();
  return output.sinkStatus();
}

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
