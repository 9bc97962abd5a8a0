// The "json" source: an array of objects, one per record. The keys are the column names
// (case-insensitive); every object must have the same set of keys as the first. Values are
// strings; a list column (role, mac) may also be an array of strings. A null or a number is a
// problem, not an empty value. A record's line is the line on which its object opens; its
// pointer is "/<index>" in the array.
#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/strings.h"
#include "inventory/problems.h"
#include "inventory/sources/json_array_scanner.h"
#include "inventory/sources/source.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "json";
constexpr std::array<std::string_view, 1> kExtensions{".json"};
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// "/12": the RFC 6901 pointer to element `index` of the top-level array, written into `buffer`.
std::string_view jsonPointer(std::size_t index, char (&buffer)[24]) {
  buffer[0] = '/';
  const auto [end, ec] = std::to_chars(buffer + 1, buffer + sizeof buffer, index);
  return {buffer, static_cast<std::size_t>(end - buffer)};
}

std::size_t countNewlines(std::string_view s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
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
  return printableText(what);
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

void readJson(const SourceInput& input, RecordSink& sink) {
  const Columns specs = input.columns;
  std::string_view text = input.text;
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  JsonArrayScanner scanner(text);
  if (!scanner.open()) {
    sink.problem(scanner.errorLine(), "", scanner.error());
    return;
  }

  RawRecord record;
  record.provenance.file = input.file;
  record.provenance.source = kName;
  record.fields.resize(specs.size());
  char pointer[24];
  std::optional<ColumnMask> first_keys;
  std::size_t first_line = 0;
  std::string_view element;
  std::size_t line = 0;
  std::vector<std::string> keys_seen;

  for (;;) {
    const JsonArrayScanner::Step step = scanner.next(element, line);
    if (step == JsonArrayScanner::Step::kEnd) break;
    if (step == JsonArrayScanner::Step::kError) {
      sink.problem(scanner.errorLine(), "", scanner.error());
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
                  sink.problem(line, keyLabel(parsed.get_ref<const std::string&>()),
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
      sink.problem(line + countNewlines(element.substr(0, offset)), "",
                   "expected valid JSON; " + jsonReason(e));
      continue;
    } catch (const std::exception& e) {
      sink.problem(line, "", "expected valid JSON; " + printableText(e.what()));
      continue;
    }
    if (duplicate_keys != 0) continue;
    if (!value.is_object()) {
      sink.problem(line, "",
                   std::string("expected an object; got ") + std::string(jsonTypeName(value)));
      continue;
    }

    record.provenance.line = line;
    record.provenance.pointer = jsonPointer(scanner.elementIndex(), pointer);
    record.clearFields();
    ColumnMask keys = 0;
    bool ok = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string& key = it.key();
      const nlohmann::json& field = it.value();
      const std::optional<std::size_t> column = findColumn(specs, key);
      if (!column) {
        sink.problem(line, keyLabel(key), "unknown key; expected one of " + columnList(specs));
        ok = false;
        continue;
      }
      keys |= ColumnMask{1} << *column;
      RawField& cell = record.fields[*column];
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
        sink.problem(line, specs[*column].name,
                     std::string(specs[*column].list ? "expected a string or an array of strings"
                                                     : "expected a string") +
                         "; got " + std::string(jsonTypeName(field)));
        ok = false;
      }
    }
    for (std::size_t c = 0; c < specs.size(); ++c) {
      if (specs[c].required && (keys & (ColumnMask{1} << c)) == 0) {
        sink.problem(line, specs[c].name, "missing required key");
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
      sink.problem(line, "", what);
      ok = false;
    }
    if (ok && !sink.record(record)) return;
  }
}

// ---------------------------------------------------------------------------------------------

}  // namespace

const Source& jsonSource() {
  static const Source source{kName,
                             "JSON: an array of objects whose keys are the column names; list "
                             "columns may be arrays of strings",
                             kExtensions,
                             &readJson,
                             SourceKind::kDirect,
                             SourceSchema::kBoth,
                             nullptr,
                             "https://www.rfc-editor.org/rfc/rfc8259"};
  return source;
}

}  // namespace phaseout::inventory
