#include "core/utf8.h"

#include <cstring>

namespace phaseout {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;  // the top bit of each byte
constexpr std::uint64_t kLowBits = 0x0101010101010101ULL;   // the low bit of each byte

// True when none of the eight bytes of `chunk` is zero (the classic "has zero byte" test).
constexpr bool noZeroByte(std::uint64_t chunk) {
  return ((chunk - kLowBits) & ~chunk & kHighBits) == 0;
}

}  // namespace

std::size_t findInvalidUtf8(std::string_view text, Utf8Nul nul) {
  const bool nul_invalid = nul == Utf8Nul::kInvalid;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    // Fast path: eight ASCII bytes (none of them NUL when NUL is invalid).
    if (i + 8 <= n) {
      std::uint64_t chunk;
      std::memcpy(&chunk, text.data() + i, 8);
      if ((chunk & kHighBits) == 0 && (!nul_invalid || noZeroByte(chunk))) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x80) {
      if (c == 0 && nul_invalid) return i;
      ++i;
      continue;
    }
    const Utf8Decoded decoded = decodeUtf8(text.substr(i));
    if (!decoded.ok()) return i;
    i += decoded.size;
  }
  return std::string_view::npos;
}

void appendUtf8(std::uint32_t code_point, std::string& out) {
  std::uint32_t cp = code_point;
  if (cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacementCharacter;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace phaseout
