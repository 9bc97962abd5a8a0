#include <cstddef>
#include <string>

#include "decode/packet.h"

namespace phaseout::decode {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendIpv4(std::string& out, const std::uint8_t* b) {
  char text[15];
  std::size_t n = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) text[n++] = '.';
    const unsigned v = b[i];
    if (v >= 100) text[n++] = static_cast<char>('0' + v / 100);
    if (v >= 10) text[n++] = static_cast<char>('0' + (v / 10) % 10);
    text[n++] = static_cast<char>('0' + v % 10);
  }
  out.append(text, n);
}

// One 16-bit group, lower case, leading zeros suppressed (RFC 5952 sections 4.1 and 4.3).
void appendGroup(std::string& out, unsigned v) {
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned nibble = (v >> shift) & 0xf;
    if (nibble != 0 || started || shift == 0) {
      out.push_back(kHex[nibble]);
      started = true;
    }
  }
}

void appendIpv6(std::string& out, const std::array<std::uint8_t, 16>& b) {
  unsigned groups[8];
  for (std::size_t i = 0; i < 8; ++i) groups[i] = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];
  // RFC 5952 section 5: IPv4-mapped addresses keep the IPv4 part in dotted form.
  const bool mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
                      groups[4] == 0 && groups[5] == 0xffff;
  const int n_groups = mapped ? 6 : 8;
  // Section 4.2: "::" replaces the longest run of two or more zero groups, the first such run
  // when there is a tie; a single zero group is not shortened.
  int best_start = -1;
  int best_len = 1;
  for (int i = 0; i < n_groups;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < n_groups && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  for (int i = 0; i < n_groups; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i > 0 && out.back() != ':') out.push_back(':');
    appendGroup(out, groups[i]);
  }
  if (mapped) {
    if (out.back() != ':') out.push_back(':');
    appendIpv4(out, b.data() + 12);
  }
}

}  // namespace

void MacAddress::appendTo(std::string& out) const {
  // Formatted in a local buffer and appended once: this runs for every observation printed.
  char text[17];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    text[3 * i] = kHex[bytes[i] >> 4];
    text[3 * i + 1] = kHex[bytes[i] & 0xf];
    if (i + 1 < bytes.size()) text[3 * i + 2] = ':';
  }
  out.append(text, sizeof(text));
}

std::string MacAddress::toString() const {
  std::string out;
  out.reserve(17);
  appendTo(out);
  return out;
}

void IpAddress::appendTo(std::string& out) const {
  if (family == 4) {
    appendIpv4(out, bytes.data());
  } else if (family == 6) {
    // Work in a local string so the "last character" checks never look at the caller's text.
    std::string text;
    text.reserve(40);
    appendIpv6(text, bytes);
    out += text;
  }
}

std::string IpAddress::toString() const {
  std::string out;
  appendTo(out);
  return out;
}

}  // namespace phaseout::decode
