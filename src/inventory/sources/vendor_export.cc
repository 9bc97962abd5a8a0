#include "inventory/sources/vendor_export.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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

std::size_t countNewlines(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

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

const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  if (object.is_array()) {
    std::size_t index = 0;
    for (char c : key) {
      if (c < '0' || c > '9') return nullptr;
      index = index * 10 + static_cast<std::size_t>(c - '0');
    }
    return index < object.size() ? &object[index] : nullptr;
  }
  if (!object.is_object()) return nullptr;
  const auto exact = object.find(std::string(key));
  if (exact != object.end()) return &*exact;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (iequals(it.key(), key)) return &it.value();
  }
  return nullptr;
}

const nlohmann::json* at(const nlohmann::json& root, std::string_view path) {
  const nlohmann::json* node = &root;
  while (node != nullptr && !path.empty()) {
    const std::size_t slash = path.find('/');
    node = member(*node, path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return node;
}

void putJson(RecordBuilder& builder, const VendorField& field, const nlohmann::json& value) {
  if (value.is_string()) {
    builder.put(field, value.get_ref<const std::string&>());
  } else if (value.is_number_integer() || value.is_number_unsigned()) {
    builder.put(field, builder.scratch().emplace_back(value.dump()));
  } else if (value.is_array() && field.column < kDeviceColumns.size() &&
             kDeviceColumns[field.column].list) {
    for (const nlohmann::json& item : value) {
      if (item.is_string()) builder.put(field, item.get_ref<const std::string&>());
    }
  }
}

// The top-level JSON values of `text`, one after the other: (offset, size) of each. Only
// strings and nesting are understood; a value's own syntax is for the parser to judge.
struct Span {
  std::size_t offset;
  std::size_t size;
};
std::vector<Span> topLevelValues(std::string_view text) {
  std::vector<Span> out;
  std::size_t pos = 0;
  while (true) {
    while (pos < text.size() && isSpace(text[pos])) ++pos;
    if (pos >= text.size()) break;
    const std::size_t start = pos;
    int depth = 0;
    bool in_string = false;
    for (; pos < text.size(); ++pos) {
      const char c = text[pos];
      if (in_string) {
        if (c == '\\') {
          ++pos;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          ++pos;
          break;
        }
      } else if (depth == 0 && isSpace(c)) {
        break;  // a scalar at the top level: the parser will refuse it
      }
    }
    out.push_back({start, std::min(pos, text.size()) - start});
  }
  return out;
}

std::string jsonReason(const nlohmann::json::parse_error& e) {
  std::string_view what = e.what();
  const std::size_t at_pos = what.find("parse error");
  if (at_pos != std::string_view::npos) {
    const std::size_t colon = what.find(": ", at_pos);
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return printableText(what);
}

bool readJsonRecord(const VendorLayout& layout, const nlohmann::json& record,
                    const std::string& pointer, const std::string& id_names, RecordBuilder& builder,
                    RecordSink& sink) {
  if (!record.is_object()) {
    sink.problemAt(pointer, "", "expected an object (one device)");
    return true;
  }
  builder.start();
  for (const VendorField& field : layout.json_fields) {
    for (std::string_view path : field.paths) {
      if (const nlohmann::json* value = at(record, path)) putJson(builder, field, *value);
    }
  }
  return builder.finish(sink, 0, pointer, id_names);
}

void readJsonExport(const VendorLayout& layout, const SourceInput& input, RecordSink& sink) {
  const std::string_view text = skipBom(input.text);
  const std::vector<Span> pages = topLevelValues(text);
  if (pages.empty()) {
    sink.problem(1, "", "expected a JSON document; the file is empty");
    return;
  }
  RecordBuilder builder(layout, input.file);
  const std::string id_names = idNames(layout.json_fields);
  std::vector<nlohmann::json> documents;
  documents.reserve(pages.size());
  for (const Span& page : pages) {
    const std::string_view body = text.substr(page.offset, page.size);
    const std::size_t line = 1 + countNewlines(text.substr(0, page.offset));
    try {
      documents.push_back(nlohmann::json::parse(body.begin(), body.end()));
    } catch (const nlohmann::json::parse_error& e) {
      const std::size_t offset = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, body.size());
      sink.problem(line + countNewlines(body.substr(0, offset)), "",
                   "expected valid JSON; " + jsonReason(e));
      return;
    } catch (const std::exception& e) {
      sink.problem(line, "", "expected valid JSON; " + printableText(e.what()));
      return;
    }
  }
  // An array whose elements all hold records (pages) reads like several pages.
  std::vector<std::pair<std::string, const nlohmann::json*>> roots;  // (pointer prefix, page)
  const auto has_container = [&](const nlohmann::json& page) {
    if (!page.is_object()) return false;
    return std::any_of(layout.containers.begin(), layout.containers.end(),
                       [&](std::string_view key) { return page.contains(std::string(key)); });
  };
  if (documents.size() == 1 && documents[0].is_array() && !documents[0].empty() &&
      std::all_of(documents[0].begin(), documents[0].end(), has_container)) {
    for (std::size_t i = 0; i < documents[0].size(); ++i) {
      roots.emplace_back("/" + std::to_string(i), &documents[0][i]);
    }
  } else {
    for (std::size_t i = 0; i < documents.size(); ++i) {
      roots.emplace_back(documents.size() == 1 ? std::string() : "/" + std::to_string(i),
                         &documents[i]);
    }
  }
  for (const auto& [prefix, page] : roots) {
    if (page->is_array()) {
      for (std::size_t i = 0; i < page->size(); ++i) {
        if (!readJsonRecord(layout, (*page)[i], prefix + "/" + std::to_string(i), id_names, builder,
                            sink)) {
          return;
        }
      }
      continue;
    }
    if (!page->is_object()) {
      sink.problemAt(prefix, "", "expected an object or an array of devices");
      continue;
    }
    const nlohmann::json* records = nullptr;
    std::string container;
    for (std::string_view key : layout.containers) {
      const auto it = page->find(std::string(key));
      if (it != page->end()) {
        records = &*it;
        container = std::string(key);
        break;
      }
    }
    if (records == nullptr) {
      // A single record (a detail response).
      if (!readJsonRecord(layout, *page, prefix, id_names, builder, sink)) return;
      continue;
    }
    if (!records->is_array()) {
      sink.problemAt(prefix + "/" + container, "", "expected an array of devices");
      continue;
    }
    for (std::size_t i = 0; i < records->size(); ++i) {
      if (!readJsonRecord(layout, (*records)[i], prefix + "/" + container + "/" + std::to_string(i),
                          id_names, builder, sink)) {
        return;
      }
    }
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
