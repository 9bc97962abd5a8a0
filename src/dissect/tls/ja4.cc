#include "dissect/tls/ja4.h"

#include <openssl/sha.h>

#include <algorithm>

namespace phaseout::dissect {
namespace {

constexpr std::uint16_t kExtensionServerName = 0x0000;
constexpr std::uint16_t kExtensionAlpn = 0x0010;
constexpr char kHex[] = "0123456789abcdef";

std::string versionCode(std::uint16_t version) {
  switch (version) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

void appendTwoDigits(std::size_t n, std::string& out) {
  n = std::min<std::size_t>(n, 99);
  out.push_back(static_cast<char>('0' + n / 10));
  out.push_back(static_cast<char>('0' + n % 10));
}

bool isAlphanumeric(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string alpnCode(const std::string& alpn) {
  if (alpn.empty()) return "00";
  const auto first = static_cast<unsigned char>(alpn.front());
  const auto last = static_cast<unsigned char>(alpn.back());
  if (isAlphanumeric(first) && isAlphanumeric(last)) {
    return {static_cast<char>(first), static_cast<char>(last)};
  }
  // First character of the hex form is the high nibble of the first byte; last character is
  // the low nibble of the last byte.
  return {kHex[first >> 4], kHex[last & 0xF]};
}

void appendHex4(std::uint16_t v, std::string& out) {
  out.push_back(kHex[(v >> 12) & 0xF]);
  out.push_back(kHex[(v >> 8) & 0xF]);
  out.push_back(kHex[(v >> 4) & 0xF]);
  out.push_back(kHex[v & 0xF]);
}

std::string joinHex(const std::vector<std::uint16_t>& values) {
  std::string out;
  out.reserve(values.size() * 5);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out.push_back(',');
    appendHex4(values[i], out);
  }
  return out;
}

std::vector<std::uint16_t> withoutGrease(const std::vector<std::uint16_t>& values) {
  std::vector<std::uint16_t> out;
  out.reserve(values.size());
  for (std::uint16_t v : values) {
    if (!isGrease(v)) out.push_back(v);
  }
  return out;
}

}  // namespace

std::uint16_t offeredVersion(const Ja4Input& input) {
  std::uint16_t best = 0;
  bool any = false;
  for (std::uint16_t v : input.supported_versions) {
    if (isGrease(v)) continue;
    best = any ? std::max(best, v) : v;
    any = true;
  }
  return any ? best : input.legacy_version;
}

std::string ja4Hash(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string out;
  for (std::size_t i = 0; i < 6; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

std::string ja4(const Ja4Input& input) {
  std::vector<std::uint16_t> ciphers = withoutGrease(input.ciphers);
  const std::vector<std::uint16_t> extensions = withoutGrease(input.extensions);

  std::string out;
  out.push_back(input.protocol);
  out += versionCode(offeredVersion(input));
  out.push_back(input.has_sni ? 'd' : 'i');
  appendTwoDigits(ciphers.size(), out);
  appendTwoDigits(extensions.size(), out);
  out += alpnCode(input.first_alpn);
  out.push_back('_');

  std::sort(ciphers.begin(), ciphers.end());
  out += ciphers.empty() ? "000000000000" : ja4Hash(joinHex(ciphers));
  out.push_back('_');

  std::vector<std::uint16_t> sorted;
  sorted.reserve(extensions.size());
  for (std::uint16_t e : extensions) {
    if (e != kExtensionServerName && e != kExtensionAlpn) sorted.push_back(e);
  }
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) {
    out += "000000000000";
  } else {
    std::string text = joinHex(sorted);
    const std::vector<std::uint16_t> algorithms = withoutGrease(input.signature_algorithms);
    if (!algorithms.empty()) {
      text.push_back('_');
      text += joinHex(algorithms);
    }
    out += ja4Hash(text);
  }
  return out;
}

}  // namespace phaseout::dissect
