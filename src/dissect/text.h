// Turning packet bytes into observation text the way Wireshark displays them, so that a field
// of an observation equals the same field printed by tshark (4.0), byte for byte.
//
// Two conventions exist, depending on how Wireshark's dissector reads the field:
//   - asciiText: strings read as ASCII (DHCP options, HTTP headers, TLS SNI and ALPN). The text
//     ends at the first NUL; each byte >= 0x80 becomes U+FFFD; every other byte, control
//     characters included, is kept as it is.
//   - displayText: strings shown through Wireshark's format_text (DNS names, TXT strings). The
//     bytes are read as UTF-8 (permissively: overlong forms are decoded, surrogates and values
//     above U+10FFFF become U+FFFD, a broken sequence becomes one U+FFFD); printable ASCII is
//     kept; non-printable ASCII becomes a C escape (\a \b \f \n \r \t \v) or a three-digit
//     octal escape (\001); non-printable non-ASCII code points (C1 controls, format characters,
//     non-characters, unassigned) become \uXXXX (upper-case hex). Backslash is not escaped.
//     Unassigned code points are approximated (see text.cc): Wireshark asks glib's Unicode
//     tables, which we do not carry in full.
// The result is always valid UTF-8.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace phaseout::dissect {

void appendAsciiText(std::span<const std::uint8_t> bytes, std::string& out);
std::string asciiText(std::span<const std::uint8_t> bytes);

void appendDisplayText(std::span<const std::uint8_t> bytes, std::string& out);
std::string displayText(std::span<const std::uint8_t> bytes);

// Lower-case hex of `bytes` ("0a1b"), or with a separator between bytes ("0a:1b").
std::string hexText(std::span<const std::uint8_t> bytes, char separator = '\0');

}  // namespace phaseout::dissect
