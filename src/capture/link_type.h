// LINKTYPE_* values as written in pcap and pcapng files
// (https://www.tcpdump.org/linktypes.html, draft-ietf-opsawg-pcaplinktype). These are the file
// values, not the platform DLT_* values of <pcap/dlt.h>; live capture maps DLT to LINKTYPE.
#pragma once

#include <cstdint>

namespace phaseout::capture {

inline constexpr std::uint32_t kLinkTypeNull = 0;         // BSD loopback, host-order family
inline constexpr std::uint32_t kLinkTypeEthernet = 1;     // IEEE 802.3 / Ethernet II
inline constexpr std::uint32_t kLinkTypeRawDlt12 = 12;    // raw IP (DLT_RAW on most BSDs)
inline constexpr std::uint32_t kLinkTypeRawDlt14 = 14;    // raw IP (DLT_RAW on OpenBSD)
inline constexpr std::uint32_t kLinkTypeRaw = 101;        // raw IPv4 or IPv6
inline constexpr std::uint32_t kLinkTypeIeee80211 = 105;  // 802.11 without radio header
inline constexpr std::uint32_t kLinkTypeLoop = 108;       // OpenBSD loopback, network order
inline constexpr std::uint32_t kLinkTypeLinuxSll = 113;   // Linux cooked capture v1
inline constexpr std::uint32_t kLinkTypeRadiotap = 127;   // 802.11 with radiotap header
inline constexpr std::uint32_t kLinkTypeIpv4 = 228;       // raw IPv4 only
inline constexpr std::uint32_t kLinkTypeIpv6 = 229;       // raw IPv6 only
inline constexpr std::uint32_t kLinkTypeLinuxSll2 = 276;  // Linux cooked capture v2

}  // namespace phaseout::capture
