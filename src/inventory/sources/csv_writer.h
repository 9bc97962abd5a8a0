// CSV writers: the format the "csv" source (csv_source.cc) reads, written from records.
//
// A header line with every column in schema order (columns.h), then one record per value, LF
// line ends, a field quoted only when it holds a comma, quote or line break. Lists are joined
// with ';' (so list items must not contain ';'). Enum values use canonical names, except that an
// unknown kind, platform, ownership or channel is written empty, so that a re-import infers it.
// Importing the output of records an import produced gives equal records back, with one
// exception: an unknown kind, platform or vendor is inferred again from what was stored (the
// model, and the OS version without its OS name), which can now succeed.
// Thread safety: pure functions.
#pragma once

#include <span>
#include <string>

#include "inventory/model.h"

namespace phaseout::inventory {

std::string writePeopleCsv(std::span<const Person> people);
std::string writeDevicesCsv(std::span<const Device> devices);

// Streaming forms, for large generated files: append the header line, or one record, to `out`.
void appendPeopleCsvHeader(std::string& out);
void appendPersonCsvRecord(const Person& person, std::string& out);
void appendDevicesCsvHeader(std::string& out);
void appendDeviceCsvRecord(const Device& device, std::string& out);

}  // namespace phaseout::inventory
