#include "inventory/sources/vendor_export.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/problems.h"
#include "inventory/sources/csv_reader.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view skipBom(std::string_view text) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  return text;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// "A1B2C3D4E5F6" -> "A1:B2:C3:D4:E5:F6"; anything else unchanged (the import path checks it).
std::string_view colonMac(std::string_view value, std::deque<std::string>& scratch) {
  const std::string_view v = trim(value);
  if (v.size() != 12 || !std::all_of(v.begin(), v.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      })) {
    return value;
  }
  std::string& out = scratch.emplace_back();
  for (std::size_t i = 0; i < 12; i += 2) {
    if (i != 0) out += ':';
    out.append(v.substr(i, 2));
  }
  return out;
}

// The fields of one record being assembled, whatever the format.
class RecordBuilder {
 public:
  RecordBuilder(const VendorLayout& layout, std::string_view file) {
    record_.provenance.file = file;
    record_.provenance.source = layout.source;
    record_.fields.resize(kDeviceColumns.size());
  }

  void start() {
    record_.clearFields();
    record_.provenance.record_id = {};
    record_.provenance.synced_at = {};
    scratch_.clear();
  }

  std::deque<std::string>& scratch() { return scratch_; }

  // Takes a value for `field`. Empty values are ignored; a single-valued field keeps its first
  // value (the first path wins), a list field collects them all.
  void put(const VendorField& field, std::string_view value) {
    if (trim(value).empty()) return;
    if (field.translate != nullptr) value = field.translate(value);
    if (field.column == kRecordIdField) {
      if (record_.provenance.record_id.empty()) record_.provenance.record_id = value;
      return;
    }
    if (field.column == kSyncedAtField) {
      if (record_.provenance.synced_at.empty()) record_.provenance.synced_at = value;
      return;
    }
    RawField& cell = record_.fields[field.column];
    if (kDeviceColumns[field.column].list) {
      if (field.column == kMac) value = colonMac(value, scratch_);
      cell.present = true;
      cell.is_array = true;
      cell.items.push_back(value);
      return;
    }
    if (cell.present) return;
    cell.present = true;
    cell.text = value;
  }

  // Hands the record over; false when the sink wants no more.
  bool finish(RecordSink& sink, std::size_t line, std::string_view pointer,
              std::string_view id_names) {
    record_.provenance.line = line;
    record_.provenance.pointer = pointer;
    if (record_.provenance.record_id.empty()) {
      const std::string what =
          "expected the record's id (" + std::string(id_names) + "); it is missing or empty";
      if (line == 0) {
        sink.problemAt(pointer, "", what);
      } else {
        sink.problem(line, "", what);
      }
      return true;
    }
    RawField& id = record_.fields[kDeviceId];
    id.present = true;
    id.text = record_.provenance.record_id;
    return sink.record(record_);
  }

 private:
  RawRecord record_;
  std::deque<std::string> scratch_;  // converted values (numbers, MACs), stable addresses
};

std::string idNames(std::span<const VendorField> fields) {
  std::vector<std::string> names;
  for (const VendorField& f : fields) {
    if (f.column != kRecordIdField) continue;
    for (std::string_view p : f.paths) names.emplace_back(p);
  }
  return join(names, " or ");
}

// --- JSON ------------------------------------------------------------------------------------
//
// Read as a stream of parse events (Boost.JSON's basic_parser, fed piece by piece), so that
// nothing larger than one record is ever held: the values a record's layout asks for are
// captured while its object is read and handed over when it closes.

// The whole text as a single piece.
class TextChunks final : public InputChunks {
 public:
  explicit TextChunks(std::string_view text) : text_(text) {}
  bool next(std::string_view& piece) override {
    piece = given_ ? std::string_view() : text_;
    given_ = true;
    return true;
  }
  bool rewind() override {
    given_ = false;
    return true;
  }
  [[nodiscard]] std::string error() const override { return {}; }

 private:
  std::string_view text_;
  bool given_ = false;
};

// "~" and "/" escaped as RFC 6901 says.
void appendPointerToken(std::string& out, std::string_view token) {
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
}

// Removes what is left of the first `count` bytes of the file from `piece`.
void skipPrefix(std::string_view& piece, std::size_t& count) {
  const std::size_t n = std::min(count, piece.size());
  piece.remove_prefix(n);
  count -= n;
}

// What one top-level JSON value of the file holds, found without parsing it: true when the
// file holds more than one (API pages saved back to back), so that records are located by
// their document's index too ("/1/value/3"). Stops at the second value's first character.
// `bom` bytes (a UTF-8 byte-order mark) are skipped first.
Result<bool> holdsSeveralDocuments(InputChunks& chunks, std::size_t bom) {
  bool in_string = false;
  bool escaped = false;
  bool started = false;
  int depth = 0;
  std::string_view piece;
  while (true) {
    if (!chunks.next(piece)) return invalidArgument(chunks.error());
    if (piece.empty()) return false;
    skipPrefix(piece, bom);
    for (char c : piece) {
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (started && depth == 0) return true;  // a second value starts
      started = true;
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        --depth;
      }
    }
  }
}

// The parse events' handler (Boost.JSON's basic_parser Handler concept). Tracks where it is
// (a stack of frames, each with its role), captures the values of the record being read and
// hands each record to the sink when its object closes.
class JsonExportHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);  // NOLINT(readability-*)
  static constexpr std::size_t max_array_size = std::size_t(-1);   // NOLINT(readability-*)
  static constexpr std::size_t max_key_size = std::size_t(-1);     // NOLINT(readability-*)
  static constexpr std::size_t max_string_size = std::size_t(-1);  // NOLINT(readability-*)

  JsonExportHandler(const VendorLayout& layout, std::string_view file, RecordSink& sink)
      : layout_(layout),
        sink_(sink),
        builder_(layout, file),
        id_names_(idNames(layout.json_fields)) {
    for (const VendorField& field : layout.json_fields) {
      const bool list = field.column < kDeviceColumns.size() && kDeviceColumns[field.column].list;
      for (std::string_view path : field.paths) {
        const std::string lower = toLower(path);
        auto [it, added] = slot_of_.emplace(lower, slots_.size());
        if (added) slots_.push_back(Slot{std::string(path), list, {}, {}, 0, 0});
        if (list) slots_[it->second].list = true;
      }
    }
  }

  // The document about to be parsed: its index, and whether the file holds several.
  void startDocument(std::size_t index, bool several) {
    document_prefix_.clear();
    if (several) document_prefix_ = "/" + std::to_string(index);
    frames_.clear();
  }
  [[nodiscard]] bool stopped() const { return stopped_; }
  // Where the parser is: the pointer of the value being read (for a syntax error).
  std::string currentPointer() const { return pointer(true); }

  // --- Handler ---
  bool on_document_begin(boost::json::error_code& /*ec*/) { return true; }
  bool on_document_end(boost::json::error_code& /*ec*/) { return true; }

  bool on_object_begin(boost::json::error_code& ec) { return open(Kind::kObject, ec); }
  bool on_array_begin(boost::json::error_code& ec) { return open(Kind::kArray, ec); }
  bool on_object_end(std::size_t /*n*/, boost::json::error_code& ec) { return close(ec); }
  bool on_array_end(std::size_t /*n*/, boost::json::error_code& ec) { return close(ec); }

  bool on_key_part(boost::json::string_view s, std::size_t /*n*/, boost::json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t /*n*/, boost::json::error_code&) {
    Frame& top = frames_.back();
    top.key.assign(part_);
    top.key.append(s.data(), s.size());
    top.has_key = true;
    part_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t /*n*/, boost::json::error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t /*n*/, boost::json::error_code& ec) {
    if (part_.empty()) return scalar(std::string_view(s.data(), s.size()), true, ec);
    part_.append(s.data(), s.size());
    const bool ok = scalar(part_, true, ec);
    part_.clear();
    return ok;
  }
  bool on_number_part(boost::json::string_view /*s*/, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code& ec) {
    return scalar(std::to_string(i), false, ec);
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code& ec) {
    return scalar(std::to_string(u), false, ec);
  }
  bool on_double(double, boost::json::string_view, boost::json::error_code& ec) {
    return absent(ec);
  }
  bool on_bool(bool, boost::json::error_code& ec) { return absent(ec); }
  bool on_null(boost::json::error_code& ec) { return absent(ec); }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  enum class Kind { kObject, kArray };
  enum class Role {
    kDocuments,  // a top-level array: its elements are pages or records
    kCandidate,  // an object that is a page (it has a container key) or else one record
    kPage,       // a page's container array: its elements are records
    kRecord,     // a record's object
    kInside,     // a value inside a record (or a candidate)
    kSkipped,    // a value already reported, or of no interest
  };
  struct Frame {
    Kind kind;
    Role role;
    std::string segment;        // this value's key or index in its parent ("" at the top)
    std::string key;            // objects: the key of the member being read
    std::size_t index = 0;      // arrays: the index of the element being read
    std::size_t path_size = 0;  // the captured path's length before this value
    bool is_page = false;       // candidates: a container key was seen
    bool has_key = false;       // objects: `key` names a member whose value is being read
  };
  // The captured values of one layout path in the current record: those found under the exact
  // path, and those found under a path differing only in case (used when no exact one is).
  struct Slot {
    std::string path;
    bool list = false;
    std::vector<std::string> exact, folded;  // storage kept between records
    std::size_t exact_used = 0, folded_used = 0;
  };

  // The key or index under which the next value of the top frame goes.
  std::string childSegment() const {
    if (frames_.empty()) return {};
    const Frame& top = frames_.back();
    return top.kind == Kind::kArray ? std::to_string(top.index) : top.key;
  }

  // The pointer of the top frame's value (with `child`: of the value being read in it).
  std::string pointer(bool child) const {
    std::string out = document_prefix_;
    for (const Frame& frame : frames_) {
      if (&frame == &frames_.front()) continue;
      out += '/';
      appendPointerToken(out, frame.segment);
    }
    if (child && !frames_.empty() &&
        (frames_.back().kind == Kind::kArray || frames_.back().has_key)) {
      out += '/';
      appendPointerToken(out, childSegment());
    }
    return out;
  }

  bool capturing() const {
    if (frames_.empty()) return false;
    const Role role = frames_.back().role;
    return role == Role::kRecord || role == Role::kInside ||
           (role == Role::kCandidate && !frames_.back().is_page);
  }

  bool isContainerKey(const Frame& frame) const {
    return frame.kind == Kind::kObject &&
           std::any_of(layout_.containers.begin(), layout_.containers.end(),
                       [&](std::string_view key) { return key == frame.key; });
  }

  // The role of a value starting in the top frame (kind = the value's), reporting what is
  // wrong with it.
  Role roleOfChild(Kind kind) {
    if (frames_.empty()) {
      if (kind == Kind::kArray) return Role::kDocuments;
      return Role::kCandidate;
    }
    Frame& top = frames_.back();
    switch (top.role) {
      case Role::kDocuments:
      case Role::kPage:
        if (kind == Kind::kObject)
          return top.role == Role::kPage ? Role::kRecord : Role::kCandidate;
        sink_.problemAt(pointer(true), "", "expected an object (one device)");
        return Role::kSkipped;
      case Role::kCandidate:
        if (!top.is_page && isContainerKey(top)) {
          top.is_page = true;
          clearCaptured();
          if (kind == Kind::kArray) return Role::kPage;
          sink_.problemAt(pointer(true), "", "expected an array of devices");
          return Role::kSkipped;
        }
        return top.is_page ? Role::kSkipped : Role::kInside;
      case Role::kRecord:
      case Role::kInside:
        return Role::kInside;
      case Role::kSkipped:
        return Role::kSkipped;
    }
    return Role::kSkipped;
  }

  bool open(Kind kind, boost::json::error_code& ec) {
    const bool captured = capturing();
    const Role role = roleOfChild(kind);
    Frame frame{kind, role, childSegment(), {}, 0, path_.size(), false, false};
    if (role == Role::kRecord || (role == Role::kCandidate)) {
      clearCaptured();
      path_.clear();
      lower_path_.clear();
      frame.path_size = 0;
    } else if (role == Role::kInside && captured) {
      pushPath(frame.segment);
    }
    frames_.push_back(std::move(frame));
    return keepGoing(ec);
  }

  bool close(boost::json::error_code& ec) {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    bool go_on = true;
    if (frame.role == Role::kRecord || (frame.role == Role::kCandidate && !frame.is_page)) {
      // The pointer of the closed record: the frames above it and its own segment.
      std::string at = pointer(false);
      if (!frames_.empty()) {
        at += '/';
        appendPointerToken(at, frame.segment);
      }
      go_on = finishRecord(at);
    }
    path_.resize(frame.path_size);
    lower_path_.resize(frame.path_size);
    elementDone();
    if (!go_on) stopped_ = true;
    return keepGoing(ec);
  }

  bool scalar(std::string_view value, bool is_string, boost::json::error_code& ec) {
    if (frames_.empty()) {
      sink_.problemAt(document_prefix_, "", "expected an object or an array of devices");
      return keepGoing(ec);
    }
    Frame& top = frames_.back();
    switch (top.role) {
      case Role::kDocuments:
      case Role::kPage:
        sink_.problemAt(pointer(true), "", "expected an object (one device)");
        break;
      case Role::kCandidate:
        if (!top.is_page && isContainerKey(top)) {
          top.is_page = true;
          clearCaptured();
          sink_.problemAt(pointer(true), "", "expected an array of devices");
          break;
        }
        if (!top.is_page) capture(value, is_string);
        break;
      case Role::kRecord:
      case Role::kInside:
        capture(value, is_string);
        break;
      case Role::kSkipped:
        break;
    }
    elementDone();
    return keepGoing(ec);
  }

  bool absent(boost::json::error_code& ec) {
    if (frames_.empty()) {
      sink_.problemAt(document_prefix_, "", "expected an object or an array of devices");
    } else if (frames_.back().role == Role::kDocuments || frames_.back().role == Role::kPage) {
      sink_.problemAt(pointer(true), "", "expected an object (one device)");
    } else if (frames_.back().role == Role::kCandidate && !frames_.back().is_page &&
               isContainerKey(frames_.back())) {
      frames_.back().is_page = true;
      clearCaptured();
      sink_.problemAt(pointer(true), "", "expected an array of devices");
    }
    elementDone();
    return keepGoing(ec);
  }

  void elementDone() {
    if (frames_.empty()) return;
    Frame& top = frames_.back();
    if (top.kind == Kind::kArray) {
      ++top.index;
    } else {
      top.has_key = false;
    }
  }

  bool keepGoing(boost::json::error_code& ec) {
    if (!stopped_) return true;
    ec = boost::json::error::exception;  // stops the parser; the caller checks stopped()
    return false;
  }

  void pushPath(std::string_view segment) {
    if (!path_.empty()) {
      path_ += '/';
      lower_path_ += '/';
    }
    path_.append(segment);
    for (char c : segment) lower_path_ += asciiLower(c);
  }

  static char asciiLower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }

  // A scalar of the record: kept when its path (or, for an array element, its array's path, for
  // list columns) is one the layout reads.
  void capture(std::string_view value, bool is_string) {
    const Frame& top = frames_.back();
    const std::size_t size = path_.size();
    if (top.kind == Kind::kArray && top.role != Role::kCandidate && top.role != Role::kRecord &&
        is_string) {
      if (Slot* slot = slotFor(path_, lower_path_); slot != nullptr && slot->list) {
        keep(*slot, path_, value);
      }
    }
    pushPath(childSegment());
    if (Slot* slot = slotFor(path_, lower_path_); slot != nullptr) keep(*slot, path_, value);
    path_.resize(size);
    lower_path_.resize(size);
  }

  Slot* slotFor(std::string_view /*path*/, const std::string& lower) {
    const auto it = slot_of_.find(lower);
    return it == slot_of_.end() ? nullptr : &slots_[it->second];
  }

  static void keep(Slot& slot, std::string_view path, std::string_view value) {
    const bool exact = path == slot.path;
    std::vector<std::string>& values = exact ? slot.exact : slot.folded;
    std::size_t& used = exact ? slot.exact_used : slot.folded_used;
    if (used == values.size()) values.emplace_back();
    values[used++].assign(value);
  }

  void clearCaptured() {
    for (Slot& slot : slots_) slot.exact_used = slot.folded_used = 0;
  }

  bool finishRecord(const std::string& at) {
    builder_.start();
    for (const VendorField& field : layout_.json_fields) {
      for (std::string_view path : field.paths) {
        const Slot& slot = slots_[slot_of_.at(toLower(path))];
        const bool exact = slot.exact_used > 0;
        const std::vector<std::string>& values = exact ? slot.exact : slot.folded;
        const std::size_t used = exact ? slot.exact_used : slot.folded_used;
        for (std::size_t i = 0; i < used; ++i) builder_.put(field, values[i]);
      }
    }
    clearCaptured();
    return builder_.finish(sink_, 0, at, id_names_);
  }

  const VendorLayout& layout_;
  RecordSink& sink_;
  RecordBuilder builder_;
  const std::string id_names_;
  std::unordered_map<std::string, std::size_t> slot_of_;  // lower-case path -> slot
  std::vector<Slot> slots_;
  std::vector<Frame> frames_;
  std::string document_prefix_;
  std::string path_, lower_path_;  // the captured value's path in its record
  std::string part_;               // a string or key given in parts
  bool stopped_ = false;
};

std::string jsonReason(const boost::json::error_code& ec) { return printableText(ec.message()); }

void readJsonExport(const VendorLayout& layout, const SourceInput& input, RecordSink& sink) {
  TextChunks whole(input.text);
  InputChunks& chunks = input.chunks != nullptr ? *input.chunks : whole;
  // The byte-order mark, if any, is in the file's start (`text`), whether or not in the first
  // piece.
  const std::size_t bom = input.text.size() - skipBom(input.text).size();
  const Result<bool> several = holdsSeveralDocuments(chunks, bom);
  if (!several.isOk()) {
    sink.problem(0, "", several.status().message());
    return;
  }
  if (!chunks.rewind()) {
    sink.problem(0, "", chunks.error());
    return;
  }
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::basic_parser<JsonExportHandler> parser(options, layout, input.file, sink);
  JsonExportHandler& handler = parser.handler();
  std::size_t documents = 0;
  bool in_document = false;
  std::size_t bom_left = bom;
  std::string_view piece;
  boost::json::error_code ec;
  while (true) {
    if (!chunks.next(piece)) {
      sink.problem(0, "", chunks.error());
      return;
    }
    if (piece.empty()) break;
    skipPrefix(piece, bom_left);
    // The piece, one document after the other.
    while (!piece.empty()) {
      if (!in_document) {
        std::size_t spaces = 0;
        while (spaces < piece.size() && isSpace(piece[spaces])) ++spaces;
        piece.remove_prefix(spaces);
        if (piece.empty()) break;
        if (documents > 0) parser.reset();
        handler.startDocument(documents++, *several);
        in_document = true;
      }
      const std::size_t used = parser.write_some(true, piece.data(), piece.size(), ec);
      if (handler.stopped()) return;
      if (ec) {
        sink.problemAt(handler.currentPointer(), "", "expected valid JSON; " + jsonReason(ec));
        return;
      }
      piece.remove_prefix(used);
      if (parser.done()) in_document = false;
    }
  }
  if (documents == 0) {
    sink.problem(1, "", "expected a JSON document; the file is empty");
    return;
  }
  if (in_document) {
    parser.write_some(false, "", 0, ec);
    if (handler.stopped()) return;
    if (ec) sink.problemAt(handler.currentPointer(), "", "expected valid JSON; " + jsonReason(ec));
  }
}

// --- CSV -------------------------------------------------------------------------------------

void readCsvExport(const VendorLayout& layout, const SourceInput& input, RecordSink& sink) {
  CsvReader reader(input.text);
  CsvReader::Step step = reader.next();
  if (step == CsvReader::Step::kEnd) {
    sink.problem(1, "", "expected a header line naming the export's columns; the file is empty");
    return;
  }
  if (step == CsvReader::Step::kError) {
    sink.problem(reader.line(), "", "header: " + reader.error());
    return;
  }
  const std::size_t header_line = reader.line();
  // For each field of the layout, the CSV columns of its paths, in the layout's path order.
  std::vector<std::vector<std::size_t>> columns_of(layout.csv_fields.size());
  const std::vector<std::string_view> header = reader.fields();
  std::vector<std::string> names(header.begin(), header.end());
  bool has_id = false;
  for (std::size_t f = 0; f < layout.csv_fields.size(); ++f) {
    for (std::string_view path : layout.csv_fields[f].paths) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (iequals(trim(names[i]), path)) {
          columns_of[f].push_back(i);
          if (layout.csv_fields[f].column == kRecordIdField) has_id = true;
        }
      }
    }
  }
  if (!has_id) {
    sink.problem(header_line, "",
                 "expected a column naming the record's id (" + idNames(layout.csv_fields) + ")");
    return;
  }
  RecordBuilder builder(layout, input.file);
  const std::string id_names = idNames(layout.csv_fields);
  while (nextCsvRecord(reader, names, sink)) {
    const std::vector<std::string_view>& fields = reader.fields();
    builder.start();
    for (std::size_t f = 0; f < layout.csv_fields.size(); ++f) {
      for (std::size_t column : columns_of[f]) builder.put(layout.csv_fields[f], fields[column]);
    }
    if (!builder.finish(sink, reader.line(), {}, id_names)) return;
  }
}

std::string_view firstLine(std::string_view head) {
  head = skipBom(head);
  const std::size_t end = head.find_first_of("\r\n");
  return end == std::string_view::npos ? head : head.substr(0, end);
}

}  // namespace

bool looksLikeJson(std::string_view head) {
  head = skipBom(head);
  for (char c : head) {
    if (isSpace(c)) continue;
    return c == '{' || c == '[';
  }
  return false;
}

void readVendorExport(const VendorLayout& layout, const SourceInput& input, RecordSink& sink) {
  if (looksLikeJson(input.text)) {
    readJsonExport(layout, input, sink);
  } else if (layout.csv_fields.empty()) {
    sink.problem(1, "",
                 "expected JSON (an object or an array); " + std::string(layout.source) +
                     " exports are read as JSON only");
  } else {
    readCsvExport(layout, input, sink);
  }
}

bool csvHeaderHas(std::string_view head, std::span<const std::string_view> names) {
  if (looksLikeJson(head)) return false;
  CsvReader reader(firstLine(head));
  if (reader.next() != CsvReader::Step::kRecord) return false;
  const std::vector<std::string_view>& fields = reader.fields();
  return std::all_of(names.begin(), names.end(), [&](std::string_view name) {
    return std::any_of(fields.begin(), fields.end(),
                       [&](std::string_view f) { return iequals(trim(f), name); });
  });
}

bool jsonHasKeys(std::string_view head, std::span<const std::string_view> keys) {
  if (!looksLikeJson(head)) return false;
  return std::all_of(keys.begin(), keys.end(), [&](std::string_view key) {
    const std::string quoted = "\"" + std::string(key) + "\"";
    for (std::size_t pos = head.find(quoted); pos != std::string_view::npos;
         pos = head.find(quoted, pos + 1)) {
      std::size_t after = pos + quoted.size();
      while (after < head.size() && isSpace(head[after])) ++after;
      if (after < head.size() && head[after] == ':') return true;
    }
    return false;
  });
}

}  // namespace phaseout::inventory
