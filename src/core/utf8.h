// UTF-8: the one decoder of the code base, and what is built on it.
//
// decodeUtf8 reads the code point at the start of a byte span and says exactly what it found,
// so that each caller applies its own policy to bad input: validators refuse it (isValidUtf8,
// findInvalidUtf8), the JSON writer replaces a bad byte by U+FFFD, dissect's display text shows
// overlong forms as Wireshark does. The decoder itself never allocates and never fails.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace phaseout {

inline constexpr std::uint32_t kReplacementCharacter = 0xFFFD;
inline constexpr std::uint32_t kMaxCodePoint = 0x10FFFF;

enum class Utf8Error : std::uint8_t {
  kNone,         // a well-formed sequence (RFC 3629)
  kInvalidLead,  // the first byte starts no sequence: a continuation byte (80-BF), or F8-FF
                 // (FE-FF only, with Utf8Forms::kLegacy)
  kTruncated,    // the input ends, or a byte that is not a continuation byte comes, before
                 // the sequence is complete
  kOverlong,     // complete, but longer than its value needs (C0 80 for U+0000)
  kSurrogate,    // complete and shortest, but its value is a surrogate (D800-DFFF)
  kTooLarge,     // complete and shortest, but its value is above U+10FFFF
};

// Which lead bytes start a sequence. RFC 3629 ends UTF-8 at four bytes; the legacy forms of
// RFC 2279 (5 bytes after F8-FB, 6 after FC-FD) are still decoded by some peers we imitate.
enum class Utf8Forms : std::uint8_t { kRfc3629, kLegacy };

struct Utf8Decoded {
  // The value the bytes encode. Meaningful for kNone, kOverlong, kSurrogate and kTooLarge (the
  // last three only carry it for a caller that wants to show it); kReplacementCharacter for
  // kInvalidLead and kTruncated.
  std::uint32_t code_point = kReplacementCharacter;
  // Bytes read: the whole sequence when it is complete (whatever its error); for kInvalidLead,
  // 1; for kTruncated, the lead byte and the continuation bytes that follow it (not the byte
  // that broke the sequence, which may start the next one). 0 only for empty input.
  std::size_t size = 0;
  Utf8Error error = Utf8Error::kTruncated;

  [[nodiscard]] constexpr bool ok() const { return error == Utf8Error::kNone; }
};

// Decodes the code point at the start of `bytes`. Empty input gives {U+FFFD, 0, kTruncated}.
constexpr Utf8Decoded decodeUtf8(std::span<const std::uint8_t> bytes,
                                 Utf8Forms forms = Utf8Forms::kRfc3629) {
  Utf8Decoded out;
  if (bytes.empty()) return out;
  const std::uint8_t lead = bytes[0];
  if (lead < 0x80) return {lead, 1, Utf8Error::kNone};
  std::size_t size = 0;
  std::uint32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    size = 2;
    value = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    size = 3;
    value = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    size = 4;
    value = lead & 0x07u;
  } else if (forms == Utf8Forms::kLegacy && (lead & 0xFC) == 0xF8) {
    size = 5;
    value = lead & 0x03u;
  } else if (forms == Utf8Forms::kLegacy && (lead & 0xFE) == 0xFC) {
    size = 6;
    value = lead & 0x01u;
  } else {
    out.size = 1;
    out.error = Utf8Error::kInvalidLead;
    return out;
  }
  for (std::size_t k = 1; k < size; ++k) {
    if (k >= bytes.size() || (bytes[k] & 0xC0) != 0x80) {
      out.size = k;
      out.error = Utf8Error::kTruncated;
      return out;
    }
    value = (value << 6) | (bytes[k] & 0x3Fu);
  }
  // The smallest value each length may carry (shorter forms exist for anything below).
  constexpr std::uint32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000};
  out.code_point = value;
  out.size = size;
  if (value < kShortest[size]) {
    out.error = Utf8Error::kOverlong;
  } else if (value >= 0xD800 && value <= 0xDFFF) {
    out.error = Utf8Error::kSurrogate;
  } else if (value > kMaxCodePoint) {
    out.error = Utf8Error::kTooLarge;
  } else {
    out.error = Utf8Error::kNone;
  }
  return out;
}

inline Utf8Decoded decodeUtf8(std::string_view text, Utf8Forms forms = Utf8Forms::kRfc3629) {
  return decodeUtf8(std::span<const std::uint8_t>(
                        reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                    forms);
}

// Whether a NUL byte counts as invalid: it is valid UTF-8, but in a text file it almost always
// means the file is UTF-16 or binary.
enum class Utf8Nul : std::uint8_t { kAllowed, kInvalid };

// Offset of the first byte of `text` at which no well-formed sequence starts, or npos when the
// whole text is well-formed UTF-8. Runs of ASCII are checked eight bytes at a time.
std::size_t findInvalidUtf8(std::string_view text, Utf8Nul nul = Utf8Nul::kAllowed);

// Appends the shortest UTF-8 form of `code_point`; a surrogate or a value above U+10FFFF is
// written as U+FFFD, so the output is always well-formed.
void appendUtf8(std::uint32_t code_point, std::string& out);

}  // namespace phaseout
