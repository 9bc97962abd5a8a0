// Small string helpers shared by every component. ASCII case folding only: identifiers,
// enum values and glob patterns in phaseout are ASCII; free text is passed through untouched.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace phaseout {

std::string toLower(std::string_view s);
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istartsWith(std::string_view s, std::string_view prefix);
bool icontains(std::string_view haystack, std::string_view needle);
// Splits on `sep`, trimming each part and dropping empty parts ("a; b;" -> {"a","b"}).
std::vector<std::string> splitList(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Case-insensitive glob: '*' any run, '?' one character; everything else literal.
bool globMatch(std::string_view pattern, std::string_view text);
// True when `s` is well-formed UTF-8 (no overlongs, no surrogates; NUL allowed). The decoder
// and its finer-grained answers are in core/utf8.h.
bool isValidUtf8(std::string_view s);
// Text safe inside HTML or XML (SVG) content and quoted attribute values: & < > " ' become
// entities; everything else, UTF-8 included, is kept.
std::string escapeMarkup(std::string_view s);

}  // namespace phaseout
