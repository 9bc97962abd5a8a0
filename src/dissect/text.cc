#include "dissect/text.h"

#include <array>
#include <cstddef>

#include "core/utf8.h"

namespace phaseout::dissect {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

struct CodePointRange {
  std::uint32_t first;
  std::uint32_t last;
};

// Code points above U+007F that are not printable for glib's g_unichar_isprint: the C1
// controls (Cc) and the format characters (Cf) of Unicode 15. Unassigned code points (Cn) are
// not listed: the full table is large and churns with every Unicode version, and such code
// points practically never occur in names on the wire. Non-characters are handled apart.
constexpr std::array<CodePointRange, 22> kNonPrintable = {{
    {0x0080, 0x009F},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
    {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
    {0x180E, 0x180E},   {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},
    {0x2066, 0x206F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
}};

bool isPrintableNonAscii(std::uint32_t cp) {
  // Non-characters are unassigned (Cn) by definition (Unicode §23.7).
  if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) return false;
  for (const CodePointRange& r : kNonPrintable) {
    if (cp < r.first) return true;  // the table is sorted
    if (cp <= r.last) return false;
  }
  return true;
}

// The C escape Wireshark uses for a non-printable ASCII byte.
void appendAsciiEscape(std::uint8_t c, std::string& out) {
  out.push_back('\\');
  switch (c) {
    case '\a':
      out.push_back('a');
      return;
    case '\b':
      out.push_back('b');
      return;
    case '\f':
      out.push_back('f');
      return;
    case '\n':
      out.push_back('n');
      return;
    case '\r':
      out.push_back('r');
      return;
    case '\t':
      out.push_back('t');
      return;
    case '\v':
      out.push_back('v');
      return;
    default:
      break;
  }
  out.push_back(static_cast<char>('0' + ((c >> 6) & 3)));
  out.push_back(static_cast<char>('0' + ((c >> 3) & 7)));
  out.push_back(static_cast<char>('0' + (c & 7)));
}

void appendUniversalName(std::uint32_t cp, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const int digits = cp <= 0xFFFF ? 4 : 8;
  out.push_back('\\');
  out.push_back(digits == 4 ? 'u' : 'U');
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out.push_back(kHex[(cp >> shift) & 0xF]);
}

}  // namespace

void appendAsciiText(std::span<const std::uint8_t> bytes, std::string& out) {
  for (std::uint8_t c : bytes) {
    if (c == 0) break;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out += kReplacement;
    }
  }
}

std::string asciiText(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size());
  appendAsciiText(bytes, out);
  return out;
}

void appendDisplayText(std::span<const std::uint8_t> bytes, std::string& out) {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  while (i < n) {
    const std::uint8_t c = bytes[i];
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {
      appendAsciiEscape(c, out);
      ++i;
      continue;
    }
    // A multi-byte sequence, decoded permissively (old 5- and 6-byte forms and overlong forms
    // included) because that is what Wireshark shows. A broken sequence is one U+FFFD; the byte
    // that broke it starts the next character.
    const Utf8Decoded decoded = decodeUtf8(bytes.subspan(i), Utf8Forms::kLegacy);
    i += decoded.size;
    std::uint32_t cp = decoded.code_point;  // U+FFFD for a broken sequence
    if (cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacementCharacter;
    if (cp >= 0x20 && cp != 0x7F && (cp < 0x80 || isPrintableNonAscii(cp))) {
      appendUtf8(cp, out);  // an overlong form comes out in its shortest form
    } else {
      // Only an overlong form reaches here with cp < 0x80; Wireshark names it like any other
      // non-printable code point (C0 80 -> \u0000).
      appendUniversalName(cp, out);
    }
  }
}

std::string displayText(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size());
  appendDisplayText(bytes, out);
  return out;
}

std::string hexText(std::span<const std::uint8_t> bytes, char separator) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (separator != '\0' && i != 0) out.push_back(separator);
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace phaseout::dissect
