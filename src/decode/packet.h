// DecodedPacket: what the decode layer hands to dissectors — addresses, transport header
// fields and the transport payload of one frame, all as views into the capture's bytes.
//
// A DecodedPacket does not own memory: its spans point into the frame, which stays valid only
// for the duration of the dissect call. Dissectors copy what they keep.
//
// Tunnels (CAPWAP data, GRE, VXLAN, Geneve, GTP-U, Teredo, IP-in-IP) are looked through: addresses,
// ports and payload are those of the innermost packet decode could reach, and `tunneled` says so.
// Fields may be added here, never renamed.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace phaseout::decode {

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};
  std::string toString() const;           // "aa:bb:cc:dd:ee:ff"
  void appendTo(std::string& out) const;  // the same text, appended without a temporary
  bool operator==(const MacAddress&) const = default;
};

struct IpAddress {
  std::uint8_t family = 0;               // 0 none, 4 or 6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
  // Dotted quad, or RFC 5952 IPv6 text ("2001:db8::1", "::ffff:192.0.2.1"); "" when family 0.
  std::string toString() const;
  void appendTo(std::string& out) const;
  bool operator==(const IpAddress&) const = default;
};

enum class Transport : std::uint8_t { kNone = 0, kTcp = 6, kUdp = 17 };

struct DecodedPacket {
  std::uint64_t frame = 0;  // 1-based index in the capture, as tshark numbers frames
  std::int64_t ts_ns = 0;   // capture timestamp, ns since the Unix epoch
  std::uint32_t wire_length = 0;

  bool has_mac = false;      // both MACs known; false for raw IP and cooked captures
  bool has_src_mac = false;  // src_mac known (cooked captures record only the sender's)
  MacAddress src_mac;
  MacAddress dst_mac;

  IpAddress src_ip;
  IpAddress dst_ip;
  std::uint8_t ip_ttl = 0;  // TTL or IPv6 hop limit
  bool ip_df = false;       // IPv4 don't-fragment
  std::uint8_t ip_ecn = 0;  // the two ECN bits of the IP header
  // Part of a fragmented datagram (IPv4 MF/offset, IPv6 fragment header). Fragments are not
  // reassembled: a first fragment has its transport header decoded but an empty payload; later
  // fragments have no transport layer at all.
  bool ip_fragment = false;
  std::uint8_t ip_protocol = 0;  // final protocol / next header number (6, 17, 58, ...)
  bool tunneled = false;         // the fields above come from inside a tunnel

  Transport transport = Transport::kNone;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;

  // TCP only.
  std::uint8_t tcp_flags =
      0;  // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ECE 0x40, CWR 0x80
  std::uint16_t tcp_window = 0;
  std::span<const std::uint8_t> tcp_options;

  // The transport payload (UDP data or TCP segment data), possibly truncated by the snap length.
  std::span<const std::uint8_t> payload;
};

}  // namespace phaseout::decode
