// Fuzz target for the CSV reader and the people/device import path through every registered
// source (CSV, JSON).
//
// Whatever the bytes, nothing may crash, hang or leak; beyond that the harness checks
// invariants and traps when one breaks:
//   - the reader makes progress and reports non-decreasing record lines;
//   - a failed parse has a message of at most kMaxListedProblems + 1 lines;
//   - whatever a parser accepts, the CSV writer writes in a form the parser accepts again,
//     and people come back equal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "inventory/importer.h"
#include "inventory/sources/csv_reader.h"
#include "inventory/sources/csv_writer.h"
#include "inventory/sources/registry.h"

namespace {

using phaseout::inventory::CsvReader;
using phaseout::inventory::Source;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void readAll(std::string_view text) {
  CsvReader reader(text);
  std::size_t last_line = 0;
  std::size_t last_offset = 0;
  for (;;) {
    const CsvReader::Step step = reader.next();
    if (step == CsvReader::Step::kEnd) break;
    check(reader.line() >= last_line);
    check(reader.offset() > last_offset || reader.offset() == text.size());
    check(reader.offset() <= text.size());
    if (step == CsvReader::Step::kRecord) {
      check(!reader.fields().empty());
    } else {
      check(!reader.error().empty());
    }
    last_line = reader.line();
    last_offset = reader.offset();
  }
}

template <typename T>
void checkFailure(const phaseout::Result<T>& result) {
  if (result.isOk()) return;
  const std::string& message = result.status().message();
  check(!message.empty());
  std::size_t lines = 1;
  for (char c : message) lines += c == '\n' ? 1 : 0;
  check(lines <= phaseout::inventory::kMaxListedProblems + 1);
}

bool personExists(std::string_view id) { return !id.empty() && id.size() % 2 == 0; }

void parseAll(std::string_view text, const Source& source) {
  const Source& csv = *phaseout::inventory::findSource("csv");
  const auto people = phaseout::inventory::parsePeople(text, "fuzz", source);
  checkFailure(people);
  if (people.isOk()) {
    const auto again = phaseout::inventory::parsePeople(
        phaseout::inventory::writePeopleCsv(*people), "again", csv);
    check(again.isOk() && *again == *people);
  }
  const auto devices = phaseout::inventory::parseDevices(text, "fuzz", source, personExists);
  checkFailure(devices);
  if (devices.isOk()) {
    const auto again = phaseout::inventory::parseDevices(
        phaseout::inventory::writeDevicesCsv(*devices), "again", csv, personExists);
    check(again.isOk() && again->size() == devices->size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  readAll(text);
  for (const Source* source : phaseout::inventory::allSources()) parseAll(text, *source);
  return 0;
}
