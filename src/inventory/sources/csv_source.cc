// The "csv" source: a header line naming the columns (any order, names case-insensitive), then
// one record per line; RFC 4180 quoting (csv_reader.h). Every record must have as many fields as
// the header; blank lines are skipped. Header problems (unknown, duplicate or missing columns)
// stop the read before the records.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/strings.h"
#include "inventory/problems.h"
#include "inventory/sources/csv_reader.h"
#include "inventory/sources/source.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "csv";
constexpr std::array<std::string_view, 1> kExtensions{".csv"};

void readCsv(const SourceInput& input, RecordSink& sink) {
  const Columns columns = input.columns;
  CsvReader reader(input.text);  // skips a UTF-8 byte-order mark itself

  CsvReader::Step step = reader.next();
  if (step == CsvReader::Step::kEnd) {
    sink.problem(1, "",
                 "expected a header line naming the columns (" + columnList(columns) +
                     "); the file is empty");
    return;
  }
  if (step == CsvReader::Step::kError) {
    sink.problem(reader.line(), "", "header: " + reader.error());
    return;
  }

  const std::size_t header_line = reader.line();
  bool header_ok = true;
  std::vector<std::size_t> column_of_field;
  std::vector<std::string> header_names;
  std::vector<std::size_t> field_of_column(columns.size(), SIZE_MAX);
  for (std::size_t i = 0; i < reader.fields().size(); ++i) {
    const std::string_view raw = trim(reader.fields()[i]);
    const std::size_t bad = invalidUtf8At(raw);
    const bool printable =
        bad == std::string_view::npos && !raw.empty() && !hasControlCharacter(raw);
    const std::string label = printable ? std::string(raw) : "column " + std::to_string(i + 1);
    header_names.push_back(label);
    const std::optional<std::size_t> column = printable ? findColumn(columns, raw) : std::nullopt;
    if (bad != std::string_view::npos) {
      sink.problem(header_line, label,
                   "expected UTF-8 text; got byte " + hexByte(static_cast<std::uint8_t>(raw[bad])) +
                       " (is the file in another encoding?)");
      column_of_field.push_back(SIZE_MAX);
      header_ok = false;
      continue;
    }
    if (!column) {
      sink.problem(header_line, label, "unknown column; expected one of " + columnList(columns));
      column_of_field.push_back(SIZE_MAX);
      header_ok = false;
      continue;
    }
    if (field_of_column[*column] != SIZE_MAX) {
      sink.problem(
          header_line, label,
          "duplicate column (also column " + std::to_string(field_of_column[*column] + 1) + ")");
      column_of_field.push_back(SIZE_MAX);
      header_ok = false;
      continue;
    }
    field_of_column[*column] = i;
    column_of_field.push_back(*column);
  }
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].required && field_of_column[c] == SIZE_MAX) {
      sink.problem(header_line, columns[c].name, "missing required column");
      header_ok = false;
    }
  }
  if (!header_ok) return;

  RawRecord record;
  record.provenance.file = input.file;
  record.provenance.source = kName;
  record.fields.resize(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    record.fields[c].present = field_of_column[c] != SIZE_MAX;
  }
  const std::size_t width = column_of_field.size();

  while (nextCsvRecord(reader, header_names, sink)) {
    const std::vector<std::string_view>& fields = reader.fields();
    record.provenance.line = reader.line();
    for (std::size_t i = 0; i < width; ++i) record.fields[column_of_field[i]].text = fields[i];
    if (!sink.record(record)) return;
  }
}

}  // namespace

const Source& csvSource() {
  static const Source source{
      kName,
      "CSV (RFC 4180): a header line naming the columns, then one record per line",
      kExtensions,
      &readCsv,
      SourceKind::kDirect,
      SourceSchema::kBoth,
      nullptr,
      "https://www.rfc-editor.org/rfc/rfc4180"};
  return source;
}

}  // namespace phaseout::inventory
