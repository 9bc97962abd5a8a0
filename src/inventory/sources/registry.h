// The registry of import sources: one table (registry.cc) of every Source (source.h), and the
// choice of one for a request. Thread-safe (the table is built once and never changes).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "inventory/sources/source.h"

namespace phaseout::inventory {

// Every registered source, in registration order ("csv", "json", ...).
std::span<const Source* const> allSources();

// The source registered as `name` (exact, lower-case), or nullptr.
const Source* findSource(std::string_view name);

// The source whose extension ends the file name of `path`, case-insensitively (".csv",
// ".JSON"). Anything else is InvalidArgument naming the path and the extensions known.
Result<const Source*> sourceForPath(std::string_view path);

// The first source, in table order, that recognises `head` (the start of a file) as its own
// for `schema` (Source::recognise), or nullptr.
const Source* recogniseSource(std::string_view head, SourceSchema schema);

// "csv, json": the registered names, for messages.
std::string sourceNames();

}  // namespace phaseout::inventory
