#include "inventory/field_syntax.h"

#include <array>

namespace phaseout::inventory {
namespace {

bool isUnitChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

constexpr char kLowerHexDigits[] = "0123456789abcdef";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool isValidUnitPath(std::string_view unit) {
  if (unit.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = unit.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? unit.size() : slash;
    const std::string_view segment = unit.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      if (!isUnitChar(c)) return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::optional<std::string> normalizeMac(std::string_view text) {
  std::string out;
  if (!normalizeMac(text, out)) return std::nullopt;
  return out;
}

bool normalizeMac(std::string_view text, std::string& out) {
  std::array<char, 12> digits{};
  std::size_t count = 0;
  if (text.size() == 17) {
    // Six pairs with one separator kind at positions 2, 5, 8, 11, 14.
    const char sep = text[2];
    if (sep != ':' && sep != '-') return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (i % 3 == 2) {
        if (text[i] != sep) return false;
      } else {
        digits[count++] = text[i];
      }
    }
  } else if (text.size() == 14) {
    // Three groups of four separated by '.' at positions 4 and 9.
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (i % 5 == 4) {
        if (text[i] != '.') return false;
      } else {
        digits[count++] = text[i];
      }
    }
  } else {
    return false;
  }
  std::array<char, 17> normal{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const int v = hexValue(digits[i]);
    if (v < 0) return false;
    if (i > 0 && i % 2 == 0) normal[n++] = ':';
    normal[n++] = kLowerHexDigits[v];
  }
  out.assign(normal.data(), n);
  return true;
}

bool isPlausibleEmail(std::string_view email) {
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size()) return false;
  if (email.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : email) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7F) return false;
  }
  const std::string_view domain = email.substr(at + 1);
  return domain.front() != '.' && domain.back() != '.';
}

}  // namespace phaseout::inventory
