// Minimal, fast JSON text building for hot output paths (status over a million devices,
// observations at line rate), where a DOM library would dominate the run time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace phaseout {

// Appends `s` as a JSON string literal (with quotes). Control characters are \u-escaped;
// bytes that are not valid UTF-8 are replaced by U+FFFD so the output is always valid JSON.
void appendJsonString(std::string& out, std::string_view s);
void appendJsonInt(std::string& out, std::int64_t v);
// Appends "key": (with the comma before it unless `first`).
void appendJsonKey(std::string& out, std::string_view key, bool first = false);

}  // namespace phaseout
