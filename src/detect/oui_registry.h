// OuiRegistry: the IEEE MA-L registry (which organisation a MAC address prefix belongs to),
// read at run time from a Debian package rather than copied into the repository.
//
// Formats read (detected from the content):
//   ieee-data      /usr/share/ieee-data/oui.txt   "C4-61-8B   (hex)\t\tApple, Inc."
//   Wireshark      /usr/share/wireshark/manuf     "C4:61:8B\tApple\tApple, Inc." (MA-L lines;
//                  the longer /28 and /36 blocks are read too and win over their MA-L prefix)
// Which file: --oui FILE, else $PHASEOUT_OUI, else the first of the two paths that exists
// (defaultPath()). Locally administered addresses belong to nobody and are never looked up.
//
// Thread safety: immutable after load; lookups may run concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "decode/packet.h"

namespace phaseout::detect {

class OuiRegistry {
 public:
  OuiRegistry() = default;  // empty: every lookup is ""

  // InvalidArgument when the file cannot be read or holds no registry line.
  static Result<OuiRegistry> load(const std::string& path);
  static Result<OuiRegistry> fromText(std::string_view text, std::string_view source_name);
  // $PHASEOUT_OUI, /usr/share/ieee-data/oui.txt or /usr/share/wireshark/manuf, whichever
  // exists first; "" when none does.
  static std::string defaultPath();

  // The organisation's name ("Apple, Inc."), or "" when unknown or locally administered.
  std::string_view organization(const decode::MacAddress& mac) const;
  std::size_t size() const { return names_.size(); }
  const std::string& source() const { return source_; }

 private:
  std::unordered_map<std::uint32_t, std::uint32_t> by_prefix24_;  // -> index into names_
  std::unordered_map<std::uint64_t, std::uint32_t> by_prefix36_;  // 28- and 36-bit blocks
  std::vector<std::uint8_t> long_prefix_bits_;  // which lengths exist among by_prefix36_
  std::vector<std::string> names_;
  std::string source_;
};

// True for a locally administered (e.g. randomised) unicast address (IEEE 802 U/L bit).
inline bool isLocallyAdministered(const decode::MacAddress& mac) {
  return (mac.bytes[0] & 0x02) != 0;
}
inline bool isMulticast(const decode::MacAddress& mac) { return (mac.bytes[0] & 0x01) != 0; }

}  // namespace phaseout::detect
