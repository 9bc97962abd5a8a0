// JA4 TLS client fingerprint (FoxIO, BSD-3-Clause; technical_details/JA4.md of the JA4
// repository), the "JA4" part only, computed from the values of one ClientHello.
//
//   t13d1516h2_8daaf6152771_e5627efa2ab1
//   a: protocol ('t' TLS over TCP), version (highest of supported_versions, else the hello's
//      legacy_version), 'd'/'i' (SNI present or not), cipher count, extension count (two
//      digits, at most 99), first and last character of the first ALPN value ("00" if none;
//      when either end byte is not alphanumeric, first and last character of its hex form)
//   b: first 12 hex digits of SHA-256 over the sorted cipher list ("002f,0035,..."), or
//      "000000000000" when there are none
//   c: same over the sorted extension list without SNI (0000) and ALPN (0010), then '_' and
//      the signature algorithms in their original order (no '_' when there are none);
//      "000000000000" when the sorted list is empty
// GREASE values (RFC 8701 §2) are ignored everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace phaseout::dissect {

// The ClientHello values JA4 needs, in wire order, GREASE included (ja4() drops it).
struct Ja4Input {
  char protocol = 't';
  std::uint16_t legacy_version = 0;
  std::vector<std::uint16_t> ciphers;
  std::vector<std::uint16_t> extensions;
  std::vector<std::uint16_t> supported_versions;    // extension 43, when present
  std::vector<std::uint16_t> signature_algorithms;  // extension 13, when present
  bool has_sni = false;
  std::string first_alpn;  // raw bytes of the first ALPN protocol name, when present
};

// RFC 8701 §2: 0x0A0A, 0x1A1A, ..., 0xFAFA.
constexpr bool isGrease(std::uint16_t v) {
  return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF);
}

// The highest non-GREASE version offered: the maximum of supported_versions when that
// extension is present, else legacy_version (JA4.md "TLS and DTLS Version").
std::uint16_t offeredVersion(const Ja4Input& input);

std::string ja4(const Ja4Input& input);

// First 12 lower-case hex digits of SHA-256(text); exposed for tests.
std::string ja4Hash(const std::string& text);

}  // namespace phaseout::dissect
