// Decoding: from a captured frame to a DecodedPacket — link layer, IP, transport, tunnels.
//
// Link types (LINKTYPE_*): Ethernet (1) with 802.1Q/802.1ad/QinQ tags (0x8100, 0x88A8, 0x9100),
// PPPoE sessions and MPLS; Linux cooked SLL (113) and SLL2 (276); raw IP (12, 14, 101) and
// IPv4/IPv6-only (228, 229); BSD/OpenBSD loopback (0, 108); 802.11 (105) and radiotap (127)
// data frames with LLC/SNAP. Network: IPv4 (RFC 791; fragments flagged and counted, never
// reassembled) and IPv6 (RFC 8200) with hop-by-hop, routing, fragment, destination options,
// mobility and AH (RFC 4302) extension headers. Transport: UDP (RFC 768), TCP (RFC 9293).
// Tunnels looked through: CAPWAP data (RFC 5415, UDP 5247, with 802.11 or 802.3 payloads and
// Cisco's byte-swapped frame control), VXLAN (RFC 7348, UDP 4789), Geneve (RFC 8926, UDP
// 6081), GTPv1-U (3GPP TS 29.281, UDP 2152), Teredo (RFC 4380, UDP 3544), GRE (RFC 2784/2890)
// and IP-in-IP / 6in4 (protocols 4 and 41), up to kMaxTunnelDepth deep — the tunnels tshark
// looks through by default, so observations inside them match tshark's.
//
// Never throws, never reads out of bounds (ByteReader only); malformed input bumps a counter in
// `anomalies` ("ipv4.bad_header_length"). Truncation that the frame's snap length explains is
// not an anomaly. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <span>

#include "capture/frame.h"
#include "core/anomaly_counters.h"
#include "decode/packet.h"

namespace phaseout::decode {

inline constexpr int kMaxTunnelDepth = 4;
inline constexpr std::uint16_t kCapwapDataPort = 5247;  // RFC 5415 section 15.7
inline constexpr std::uint16_t kVxlanPort = 4789;       // RFC 7348 section 5
inline constexpr std::uint16_t kGtpUserPort = 2152;     // 3GPP TS 29.281 section 4.4.2.3
inline constexpr std::uint16_t kTeredoPort = 3544;      // RFC 4380 section 4
inline constexpr std::uint16_t kGenevePort = 6081;      // RFC 8926 section 3.3

// Fills `out` (reset first) from `frame`. Returns true when an IPv4 or IPv6 header was decoded
// (addresses are set); transport fields are set when the transport header was reachable.
bool decodeFrame(const capture::Frame& frame, DecodedPacket& out, AnomalyCounters& anomalies);

}  // namespace phaseout::decode
