#include "core/json_writer.h"

#include <charconv>

#include "core/utf8.h"

namespace phaseout {

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      // Copy the run of plain ASCII in one go.
      std::size_t j = i + 1;
      while (j < s.size()) {
        const auto d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d >= 0x7F || d == '"' || d == '\\') break;
        ++j;
      }
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {  // control characters and DEL (RFC 8259 section 7)
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    const Utf8Decoded decoded = decodeUtf8(s.substr(i));
    if (decoded.ok()) {
      out.append(s.data() + i, decoded.size);
      i += decoded.size;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for the one byte; the next may start a good sequence
      ++i;
    }
  }
  out.push_back('"');
}

void appendJsonInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void appendJsonKey(std::string& out, std::string_view key, bool first) {
  if (!first) out.push_back(',');
  appendJsonString(out, key);
  out.push_back(':');
}

}  // namespace phaseout
