#include "detect/oui_registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace phaseout::detect {
namespace {

constexpr const char* kIeeeDataPath = "/usr/share/ieee-data/oui.txt";
constexpr const char* kWiresharkPath = "/usr/share/wireshark/manuf";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads "C4-61-8B" / "C4:61:8B" / "00:1B:C5:00:00:00" into bytes; returns how many were read.
std::size_t readHexBytes(std::string_view s, std::uint8_t* out, std::size_t max) {
  std::size_t n = 0, i = 0;
  while (n < max && i + 1 < s.size()) {
    const int hi = hexValue(s[i]), lo = hexValue(s[i + 1]);
    if (hi < 0 || lo < 0) break;
    out[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
    if (i < s.size() && (s[i] == ':' || s[i] == '-' || s[i] == '.')) {
      ++i;
    } else {
      break;
    }
  }
  return n;
}

std::uint32_t prefix24(const std::uint8_t* b) {
  return static_cast<std::uint32_t>(b[0]) << 16 | static_cast<std::uint32_t>(b[1]) << 8 | b[2];
}

std::uint64_t prefixBits(const std::uint8_t* b, unsigned bits) {
  std::uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = v << 8 | b[i];
  return (v >> (48 - bits)) << 8 | bits;  // the length is part of the key
}

}  // namespace

std::string OuiRegistry::defaultPath() {
  const char* env = std::getenv("PHASEOUT_OUI");
  if (env != nullptr && *env != '\0') return env;
  std::error_code ec;
  if (std::filesystem::exists(kIeeeDataPath, ec)) return kIeeeDataPath;
  if (std::filesystem::exists(kWiresharkPath, ec)) return kWiresharkPath;
  return "";
}

Result<OuiRegistry> OuiRegistry::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalidArgument(path + ": cannot be read (IEEE OUI registry)");
  std::ostringstream text;
  text << in.rdbuf();
  return fromText(text.str(), path);
}

Result<OuiRegistry> OuiRegistry::fromText(std::string_view text, std::string_view source_name) {
  OuiRegistry r;
  r.source_ = std::string(source_name);
  std::unordered_map<std::string, std::uint32_t> name_index;
  auto intern = [&](std::string_view name) {
    auto [it, inserted] = name_index.emplace(std::string(name), 0);
    if (inserted) {
      it->second = static_cast<std::uint32_t>(r.names_.size());
      r.names_.emplace_back(name);
    }
    return it->second;
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#' || line[0] == ' ' || line[0] == '\t') continue;
    std::uint8_t bytes[6] = {};
    const std::size_t n = readHexBytes(line, bytes, 6);
    if (n < 3) continue;
    // ieee-data: "C4-61-8B   (hex)\t\tApple, Inc."
    const std::size_t hex = line.find("(hex)");
    if (hex != std::string_view::npos) {
      const std::string_view name = trim(line.substr(hex + 5));
      if (!name.empty()) r.by_prefix24_.emplace(prefix24(bytes), intern(name));
      continue;
    }
    // manuf: "<prefix>[/bits]\t<short>\t<long>"; the long name when present.
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) continue;
    std::string_view prefix = line.substr(0, tab);
    std::string_view names = line.substr(tab + 1);
    const std::size_t tab2 = names.find('\t');
    std::string_view name = trim(tab2 == std::string_view::npos ? names : names.substr(tab2 + 1));
    if (name.empty()) name = trim(names.substr(0, tab2));
    if (name.empty()) continue;
    const std::size_t slash = prefix.find('/');
    if (slash == std::string_view::npos) {
      if (n == 3) r.by_prefix24_.emplace(prefix24(bytes), intern(name));
      continue;
    }
    unsigned bits = 0;
    for (char c : prefix.substr(slash + 1)) {
      if (c < '0' || c > '9') break;
      bits = bits * 10 + static_cast<unsigned>(c - '0');
    }
    if (bits == 24) {
      r.by_prefix24_.emplace(prefix24(bytes), intern(name));
    } else if (bits > 24 && bits < 48) {
      r.by_prefix36_.emplace(prefixBits(bytes, bits), intern(name));
      if (std::find(r.long_prefix_bits_.begin(), r.long_prefix_bits_.end(), bits) ==
          r.long_prefix_bits_.end()) {
        r.long_prefix_bits_.push_back(static_cast<std::uint8_t>(bits));
      }
    }
  }
  if (r.by_prefix24_.empty()) {
    return invalidArgument(std::string(source_name) +
                           ": no registry line found (expected ieee-data oui.txt or Wireshark "
                           "manuf)");
  }
  std::sort(r.long_prefix_bits_.rbegin(), r.long_prefix_bits_.rend());
  return r;
}

std::string_view OuiRegistry::organization(const decode::MacAddress& mac) const {
  if (isLocallyAdministered(mac) || isMulticast(mac)) return {};
  for (std::uint8_t bits : long_prefix_bits_) {
    auto it = by_prefix36_.find(prefixBits(mac.bytes.data(), bits));
    if (it != by_prefix36_.end()) return names_[it->second];
  }
  auto it = by_prefix24_.find(prefix24(mac.bytes.data()));
  return it == by_prefix24_.end() ? std::string_view() : std::string_view(names_[it->second]);
}

}  // namespace phaseout::detect
