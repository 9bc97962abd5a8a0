#include "decode/decoder.h"

#include <cstring>

#include "capture/link_type.h"
#include "core/byte_reader.h"

namespace phaseout::decode {
namespace {

using Bytes = std::span<const std::uint8_t>;

// Ethertypes (IEEE Registration Authority).
constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86DD;
constexpr std::uint16_t kEthertypeVlan = 0x8100;     // IEEE 802.1Q C-tag
constexpr std::uint16_t kEthertypeQinQ = 0x88A8;     // IEEE 802.1ad S-tag
constexpr std::uint16_t kEthertypeQinQOld = 0x9100;  // pre-standard QinQ
constexpr std::uint16_t kEthertypePppoeSession = 0x8864;
constexpr std::uint16_t kEthertypeMplsUnicast = 0x8847;
constexpr std::uint16_t kEthertypeMplsMulticast = 0x8848;
constexpr std::uint16_t kEthertypeTeb = 0x6558;  // transparent Ethernet bridging (GRE)
constexpr std::uint16_t kMinEthertype = 0x0600;  // IEEE 802.3 clause 3.2.6: below, a length
constexpr int kMaxVlanTags = 8;
constexpr int kMaxMplsLabels = 8;

// IP protocol numbers (IANA).
constexpr std::uint8_t kProtoIpip = 4;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoIpv6 = 41;
constexpr std::uint8_t kProtoGre = 47;
// IPv6 extension headers (RFC 8200 section 4; AH RFC 4302; mobility RFC 6275; HIP RFC 7401;
// shim6 RFC 5533).
constexpr std::uint8_t kExtHopByHop = 0;
constexpr std::uint8_t kExtRouting = 43;
constexpr std::uint8_t kExtFragment = 44;
constexpr std::uint8_t kExtEsp = 50;
constexpr std::uint8_t kExtAh = 51;
constexpr std::uint8_t kExtNoNext = 59;
constexpr std::uint8_t kExtDestination = 60;
constexpr std::uint8_t kExtMobility = 135;
constexpr std::uint8_t kExtHip = 139;
constexpr std::uint8_t kExtShim6 = 140;
constexpr int kMaxExtensionHeaders = 16;

// RFC 791 section 3.1.
constexpr std::size_t kIpv4MinHeaderBytes = 20;
constexpr std::uint16_t kIpv4FlagDf = 0x4000;
constexpr std::uint16_t kIpv4FlagMf = 0x2000;
constexpr std::uint16_t kIpv4OffsetMask = 0x1fff;
// RFC 8200 section 3.
constexpr std::size_t kIpv6HeaderBytes = 40;
constexpr std::size_t kUdpHeaderBytes = 8;
constexpr std::size_t kTcpMinHeaderBytes = 20;

// Linux cooked capture headers (tcpdump.org LINKTYPE_LINUX_SLL / LINKTYPE_LINUX_SLL2).
constexpr std::size_t kSllHeaderBytes = 16;
constexpr std::size_t kSll2HeaderBytes = 20;
constexpr std::uint16_t kArphrdEther = 1;
// BSD loopback address families (LINKTYPE_NULL / LINKTYPE_LOOP).
constexpr std::uint32_t kAfInet = 2;
constexpr std::uint32_t kAfInet6Bsd = 24;
constexpr std::uint32_t kAfInet6FreeBsd = 28;
constexpr std::uint32_t kAfInet6Darwin = 30;

// IEEE 802.11-2020 section 9.2.4.1 (Frame Control) and 9.3.2.1 (data frame format).
constexpr std::uint8_t kFcTypeData = 2;
constexpr std::uint8_t kFcToDs = 0x01;
constexpr std::uint8_t kFcFromDs = 0x02;
constexpr std::uint8_t kFcMoreFragments = 0x04;
constexpr std::uint8_t kFcProtected = 0x40;
constexpr std::uint8_t kFcOrder = 0x80;
constexpr std::uint8_t kSubtypeQos = 0x08;
constexpr std::uint8_t kSubtypeNoData = 0x04;
constexpr std::uint8_t kQosAmsduPresent = 0x80;
// RFC 1042 / IEEE 802.1H SNAP headers carrying an Ethertype.
constexpr std::uint8_t kLlcSnap[3] = {0xAA, 0xAA, 0x03};

// RFC 5415 section 4.3 (CAPWAP header) and RFC 5416 (IEEE 802.11 binding, WBID 1).
constexpr std::uint8_t kCapwapPreambleHeader = 0;  // version 0, type 0 (not DTLS)
constexpr std::uint32_t kCapwapFlagT = 1u << 8;    // native frame (802.11) rather than 802.3
constexpr std::uint32_t kCapwapFlagF = 1u << 7;    // fragment
constexpr std::uint32_t kCapwapWbidIeee80211 = 1;
// RFC 7348 section 5: I flag.
constexpr std::uint8_t kVxlanFlagI = 0x08;
// RFC 2784 / 2890: C, K, S bits and the version field.
constexpr std::uint16_t kGreChecksum = 0x8000;
constexpr std::uint16_t kGreKey = 0x2000;
constexpr std::uint16_t kGreSequence = 0x1000;
constexpr std::uint16_t kGreVersionMask = 0x0007;
// 3GPP TS 29.281 section 5.1 (GTPv1-U header): version 1, PT 1, E/S/PN flags; G-PDU type.
constexpr std::uint8_t kGtpVersionPtMask = 0xF0;
constexpr std::uint8_t kGtpVersionPt = 0x30;
constexpr std::uint8_t kGtpOptionalFields = 0x07;
constexpr std::uint8_t kGtpExtensionFlag = 0x04;
constexpr std::uint8_t kGtpGpdu = 0xFF;
constexpr int kMaxGtpExtensions = 8;
// RFC 4380 section 5.1.1: Teredo authentication (0x0001) and origin (0x0000) indicators.
constexpr std::uint16_t kTeredoAuthentication = 0x0001;
constexpr std::uint16_t kTeredoOrigin = 0x0000;
constexpr std::size_t kTeredoOriginBytes = 8;
// RFC 2516 section 4 (PPPoE session) and PPP protocol numbers (RFC 1332, RFC 5072).
constexpr std::uint16_t kPppIpv4 = 0x0021;
constexpr std::uint16_t kPppIpv6 = 0x0057;

class Decoder {
 public:
  Decoder(DecodedPacket& out, AnomalyCounters& anomalies, bool snapped)
      : out_(out), anomalies_(anomalies), snapped_(snapped) {}

  bool link(std::uint32_t link_type, Bytes b) {
    switch (link_type) {
      case capture::kLinkTypeEthernet:
        return ethernet(b);
      case capture::kLinkTypeRaw:
      case capture::kLinkTypeRawDlt12:
      case capture::kLinkTypeRawDlt14:
        return rawIp(b);
      case capture::kLinkTypeIpv4:
        return ipv4(b);
      case capture::kLinkTypeIpv6:
        return ipv6(b);
      case capture::kLinkTypeLinuxSll:
        return sll(b);
      case capture::kLinkTypeLinuxSll2:
        return sll2(b);
      case capture::kLinkTypeNull:
      case capture::kLinkTypeLoop:
        return loopback(link_type, b);
      case capture::kLinkTypeIeee80211:
        return ieee80211(b, false);
      case capture::kLinkTypeRadiotap:
        return radiotap(b);
      default:
        anomalies_.bump("decode.unsupported_link_type");
        return false;
    }
  }

 private:
  // A header cut short: an anomaly unless the snap length explains it.
  bool truncated(std::string_view name) {
    if (!snapped_) anomalies_.bump(name);
    return false;
  }

  bool ethernet(Bytes b) {
    // IEEE 802.3 clause 3.2: destination, source, Length/Type.
    ByteReader r(b);
    auto dst = r.bytes(6);
    auto src = r.bytes(6);
    const std::uint16_t type = r.u16be();
    if (!r.ok()) return truncated("ethernet.truncated");
    std::memcpy(out_.dst_mac.bytes.data(), dst.data(), 6);
    std::memcpy(out_.src_mac.bytes.data(), src.data(), 6);
    out_.has_mac = true;
    out_.has_src_mac = true;
    if (type < kMinEthertype) return llc(r.rest());
    return ethertype(type, r.rest());
  }

  // An 802.3 length frame: only LLC/SNAP with an Ethertype can carry IP (RFC 1042).
  bool llc(Bytes b) {
    ByteReader r(b);
    auto head = r.bytes(3);
    if (!r.ok() || std::memcmp(head.data(), kLlcSnap, 3) != 0) return false;
    r.skip(3);  // OUI
    const std::uint16_t type = r.u16be();
    if (!r.ok()) return truncated("llc.truncated");
    return ethertype(type, r.rest());
  }

  bool ethertype(std::uint16_t type, Bytes b) {
    ByteReader r(b);
    // IEEE 802.1Q-2018 section 9.6: a 2-byte TCI then the next Length/Type, repeated for
    // stacked (802.1ad / QinQ) tags.
    int tags = 0;
    while (type == kEthertypeVlan || type == kEthertypeQinQ || type == kEthertypeQinQOld) {
      if (++tags > kMaxVlanTags) {
        anomalies_.bump("vlan.too_many_tags");
        return false;
      }
      r.skip(2);
      type = r.u16be();
      if (!r.ok()) return truncated("vlan.truncated");
    }
    switch (type) {
      case kEthertypeIpv4:
        return ipv4(r.rest());
      case kEthertypeIpv6:
        return ipv6(r.rest());
      case kEthertypePppoeSession:
        return pppoe(r.rest());
      case kEthertypeMplsUnicast:
      case kEthertypeMplsMulticast:
        return mpls(r.rest());
      default:
        if (type < kMinEthertype && tags > 0) return llc(r.rest());
        return false;  // ARP, LLDP, ... carry nothing we dissect
    }
  }

  bool pppoe(Bytes b) {
    // RFC 2516 section 4: VER/TYPE, CODE, SESSION_ID, LENGTH, then the PPP protocol field.
    ByteReader r(b);
    r.skip(6);
    const std::uint16_t protocol = r.u16be();
    if (!r.ok()) return truncated("pppoe.truncated");
    if (protocol == kPppIpv4) return ipv4(r.rest());
    if (protocol == kPppIpv6) return ipv6(r.rest());
    return false;
  }

  bool mpls(Bytes b) {
    // RFC 3032 section 2.1: 4-byte label stack entries; S (bottom of stack) is bit 8.
    ByteReader r(b);
    for (int i = 0; i < kMaxMplsLabels; ++i) {
      const std::uint32_t entry = r.u32be();
      if (!r.ok()) return truncated("mpls.truncated");
      if ((entry & 0x100) != 0) return rawIpQuiet(r.rest());
    }
    anomalies_.bump("mpls.too_many_labels");
    return false;
  }

  bool sll(Bytes b) {
    // Packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2).
    if (b.size() < kSllHeaderBytes) return truncated("sll.truncated");
    ByteReader r(b);
    r.skip(2);
    const std::uint16_t hatype = r.u16be();
    const std::uint16_t halen = r.u16be();
    auto addr = r.bytes(8);
    const std::uint16_t protocol = r.u16be();
    cookedSource(hatype, halen, addr);
    return protocol >= kMinEthertype ? ethertype(protocol, r.rest()) : false;
  }

  bool sll2(Bytes b) {
    // Protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
    // address length (1), address (8).
    if (b.size() < kSll2HeaderBytes) return truncated("sll2.truncated");
    ByteReader r(b);
    const std::uint16_t protocol = r.u16be();
    r.skip(6);
    const std::uint16_t hatype = r.u16be();
    r.skip(1);
    const std::uint8_t halen = r.u8();
    auto addr = r.bytes(8);
    cookedSource(hatype, halen, addr);
    return protocol >= kMinEthertype ? ethertype(protocol, r.rest()) : false;
  }

  void cookedSource(std::uint16_t hatype, std::uint16_t halen, Bytes addr) {
    if (hatype == kArphrdEther && halen == 6 && addr.size() >= 6) {
      std::memcpy(out_.src_mac.bytes.data(), addr.data(), 6);
      out_.has_src_mac = true;
    }
  }

  bool loopback(std::uint32_t link_type, Bytes b) {
    // LINKTYPE_NULL: the address family in the capturing host's byte order; LINKTYPE_LOOP: in
    // network byte order. Both orders are tried for NULL since the host is unknown.
    ByteReader r(b);
    ByteReader r_le = r;
    const std::uint32_t be = r.u32be();
    const std::uint32_t le = r_le.u32le();
    if (!r.ok()) return truncated("loopback.truncated");
    const std::uint32_t family = link_type == capture::kLinkTypeLoop || be == kAfInet ||
                                         be == kAfInet6Bsd || be == kAfInet6FreeBsd ||
                                         be == kAfInet6Darwin
                                     ? be
                                     : le;
    if (family == kAfInet) return ipv4(r.rest());
    if (family == kAfInet6Bsd || family == kAfInet6FreeBsd || family == kAfInet6Darwin) {
      return ipv6(r.rest());
    }
    return false;
  }

  bool rawIp(Bytes b) {
    if (b.empty()) return truncated("raw.truncated");
    const std::uint8_t version = b[0] >> 4;
    if (version == 4) return ipv4(b);
    if (version == 6) return ipv6(b);
    anomalies_.bump("raw.bad_ip_version");
    return false;
  }

  // After MPLS the payload may be IP or a pseudowire; anything else is not ours, not malformed.
  bool rawIpQuiet(Bytes b) {
    if (b.empty()) return false;
    const std::uint8_t version = b[0] >> 4;
    if (version == 4) return ipv4(b);
    if (version == 6) return ipv6(b);
    return false;
  }

  bool ipv4(Bytes b) {
    ByteReader r(b);
    const std::uint8_t version_ihl = r.u8();
    const std::uint8_t tos = r.u8();
    std::uint16_t total_length = r.u16be();
    r.skip(2);  // identification
    const std::uint16_t flags_offset = r.u16be();
    const std::uint8_t ttl = r.u8();
    const std::uint8_t protocol = r.u8();
    r.skip(2);  // header checksum: not verified, as tshark does by default
    auto src = r.bytes(4);
    auto dst = r.bytes(4);
    if (!r.ok()) return truncated("ipv4.truncated_header");
    if ((version_ihl >> 4) != 4) {
      anomalies_.bump("ipv4.bad_version");
      return false;
    }
    const std::size_t header_bytes = static_cast<std::size_t>(version_ihl & 0x0f) * 4;
    if (header_bytes < kIpv4MinHeaderBytes) {
      anomalies_.bump("ipv4.bad_header_length");
      return false;
    }
    if (total_length == 0) {
      // Captured on the sending host with TCP segmentation offload: the NIC fills it in later.
      anomalies_.bump("ipv4.zero_total_length");
      total_length = static_cast<std::uint16_t>(b.size() > 0xffff ? 0xffff : b.size());
    }
    if (total_length < header_bytes) {
      anomalies_.bump("ipv4.bad_total_length");
      return false;
    }
    out_.src_ip.family = 4;
    out_.src_ip.bytes = {};
    std::memcpy(out_.src_ip.bytes.data(), src.data(), 4);
    out_.dst_ip.family = 4;
    out_.dst_ip.bytes = {};
    std::memcpy(out_.dst_ip.bytes.data(), dst.data(), 4);
    out_.ip_ttl = ttl;
    out_.ip_ecn = tos & 0x03;  // RFC 3168 section 5
    out_.ip_df = (flags_offset & kIpv4FlagDf) != 0;
    out_.ip_protocol = protocol;
    clearTransport();

    std::size_t end = total_length;
    if (end > b.size()) {
      truncated("ipv4.truncated");
      end = b.size();
    }
    if (header_bytes > end) {
      truncated("ipv4.truncated_options");
      return true;
    }
    const Bytes body = b.subspan(header_bytes, end - header_bytes);
    const std::uint16_t offset = flags_offset & kIpv4OffsetMask;
    const bool more = (flags_offset & kIpv4FlagMf) != 0;
    out_.ip_fragment = offset != 0 || more;
    if (out_.ip_fragment) {
      anomalies_.bump("ipv4.fragment");
      if (offset != 0) return true;  // no transport header in a later fragment
    }
    transport(protocol, body);
    return true;
  }

  bool ipv6(Bytes b) {
    ByteReader r(b);
    const std::uint32_t first = r.u32be();
    const std::uint16_t payload_length = r.u16be();
    std::uint8_t next = r.u8();
    const std::uint8_t hop_limit = r.u8();
    auto src = r.bytes(16);
    auto dst = r.bytes(16);
    if (!r.ok()) return truncated("ipv6.truncated_header");
    if ((first >> 28) != 6) {
      anomalies_.bump("ipv6.bad_version");
      return false;
    }
    out_.src_ip.family = 6;
    std::memcpy(out_.src_ip.bytes.data(), src.data(), 16);
    out_.dst_ip.family = 6;
    std::memcpy(out_.dst_ip.bytes.data(), dst.data(), 16);
    out_.ip_ttl = hop_limit;
    out_.ip_ecn = static_cast<std::uint8_t>((first >> 20) & 0x03);  // traffic class, RFC 3168
    out_.ip_df = false;
    out_.ip_fragment = false;
    out_.ip_protocol = next;
    clearTransport();

    std::size_t end = kIpv6HeaderBytes + payload_length;
    if (payload_length == 0 && next == kExtHopByHop) {
      end = b.size();  // RFC 2675 jumbogram: the length is in a hop-by-hop option
    } else if (end > b.size()) {
      truncated("ipv6.truncated");
      end = b.size();
    }
    ByteReader body(b.subspan(kIpv6HeaderBytes, end - kIpv6HeaderBytes));
    bool first_fragment = false;
    for (int i = 0;; ++i) {
      if (i > kMaxExtensionHeaders) {
        anomalies_.bump("ipv6.too_many_extension_headers");
        return true;
      }
      if (next == kExtHopByHop || next == kExtRouting || next == kExtDestination ||
          next == kExtMobility || next == kExtHip || next == kExtShim6) {
        // RFC 8200 section 4.3-4.6: Next Header, Hdr Ext Len in 8-octet units beyond the first.
        ByteReader peek = body;
        const std::uint8_t following = peek.u8();
        const std::uint8_t units = peek.u8();
        if (!peek.ok() || !body.skip((std::size_t{units} + 1) * 8)) {
          truncated("ipv6.truncated_extension_header");
          return true;
        }
        next = following;
      } else if (next == kExtAh) {
        // RFC 4302 section 2.2: Payload Len in 4-octet units, minus 2.
        ByteReader peek = body;
        const std::uint8_t following = peek.u8();
        const std::uint8_t units = peek.u8();
        if (!peek.ok() || !body.skip((std::size_t{units} + 2) * 4)) {
          truncated("ipv6.truncated_extension_header");
          return true;
        }
        next = following;
      } else if (next == kExtFragment) {
        // RFC 8200 section 4.5: Next Header, reserved, Fragment Offset (13 bits) | Res | M, ID.
        const std::uint8_t following = body.u8();
        body.skip(1);
        const std::uint16_t offset_m = body.u16be();
        body.skip(4);
        if (!body.ok()) {
          truncated("ipv6.truncated_extension_header");
          return true;
        }
        out_.ip_fragment = true;
        anomalies_.bump("ipv6.fragment");
        if ((offset_m >> 3) != 0) {
          out_.ip_protocol = following;
          return true;
        }
        first_fragment = true;
        next = following;
      } else {
        break;
      }
    }
    out_.ip_protocol = next;
    if (next == kExtEsp || next == kExtNoNext) return true;
    transport(next, body.rest());
    if (first_fragment) out_.payload = {};
    return true;
  }

  void clearTransport() {
    out_.transport = Transport::kNone;
    out_.src_port = 0;
    out_.dst_port = 0;
    out_.tcp_flags = 0;
    out_.tcp_window = 0;
    out_.tcp_options = {};
    out_.payload = {};
  }

  void transport(std::uint8_t protocol, Bytes b) {
    // A first fragment: transport header yes, payload and tunnels no (the rest is missing).
    const bool fragment = out_.ip_fragment;
    if (fragment && protocol != kProtoUdp && protocol != kProtoTcp) return;
    switch (protocol) {
      case kProtoUdp:
        udp(b);
        break;
      case kProtoTcp:
        tcp(b);
        break;
      case kProtoIpip:
        tunnel([&] { return ipv4(b); });
        break;
      case kProtoIpv6:
        tunnel([&] { return ipv6(b); });
        break;
      case kProtoGre:
        tunnel([&] { return gre(b); });
        break;
      default:
        break;
    }
    if (fragment) out_.payload = {};
  }

  void udp(Bytes b) {
    // RFC 768: source port, destination port, length, checksum.
    ByteReader r(b);
    const std::uint16_t src_port = r.u16be();
    const std::uint16_t dst_port = r.u16be();
    const std::uint16_t length = r.u16be();
    r.skip(2);
    if (!r.ok()) {
      truncated("udp.truncated_header");
      return;
    }
    out_.transport = Transport::kUdp;
    out_.src_port = src_port;
    out_.dst_port = dst_port;
    Bytes payload = r.rest();
    if (length < kUdpHeaderBytes) {
      // Zero is legal only for IPv6 jumbograms (RFC 2675 section 4); use what was captured.
      if (length != 0) anomalies_.bump("udp.bad_length");
    } else if (length - kUdpHeaderBytes < payload.size()) {
      payload = payload.first(length - kUdpHeaderBytes);
    } else if (length - kUdpHeaderBytes > payload.size()) {
      truncated("udp.truncated");
    }
    out_.payload = payload;
    if (out_.ip_fragment) return;
    if (dst_port == kCapwapDataPort || src_port == kCapwapDataPort) {
      tunnel([&] { return capwap(payload); });
    } else if (dst_port == kVxlanPort) {
      tunnel([&] { return vxlan(payload); });
    } else if (dst_port == kGtpUserPort || src_port == kGtpUserPort) {
      tunnel([&] { return gtpUser(payload); });
    } else if (dst_port == kTeredoPort || src_port == kTeredoPort) {
      tunnel([&] { return teredo(payload); });
    } else if (dst_port == kGenevePort) {
      tunnel([&] { return geneve(payload); });
    }
  }

  void tcp(Bytes b) {
    // RFC 9293 section 3.1: ports, sequence, acknowledgment, data offset, flags, window, ...
    ByteReader r(b);
    const std::uint16_t src_port = r.u16be();
    const std::uint16_t dst_port = r.u16be();
    r.skip(8);
    const std::uint8_t offset_byte = r.u8();
    const std::uint8_t flags = r.u8();
    const std::uint16_t window = r.u16be();
    r.skip(4);  // checksum, urgent pointer
    if (!r.ok()) {
      truncated("tcp.truncated_header");
      return;
    }
    out_.transport = Transport::kTcp;
    out_.src_port = src_port;
    out_.dst_port = dst_port;
    out_.tcp_flags = flags;
    out_.tcp_window = window;
    const std::size_t header_bytes = static_cast<std::size_t>(offset_byte >> 4) * 4;
    if (header_bytes < kTcpMinHeaderBytes) {
      anomalies_.bump("tcp.bad_data_offset");
      return;
    }
    if (header_bytes > b.size()) {
      truncated("tcp.truncated_options");
      out_.tcp_options = b.subspan(kTcpMinHeaderBytes);
      return;
    }
    out_.tcp_options = b.subspan(kTcpMinHeaderBytes, header_bytes - kTcpMinHeaderBytes);
    out_.payload = b.subspan(header_bytes);
  }

  // Decodes an inner packet; keeps the outer view when the inner one has no IP layer.
  template <typename Fn>
  void tunnel(Fn&& inner) {
    if (depth_ >= kMaxTunnelDepth) {
      anomalies_.bump("decode.tunnel_too_deep");
      return;
    }
    const DecodedPacket outer = out_;
    ++depth_;
    const bool ok = inner();
    --depth_;
    if (ok) {
      out_.tunneled = true;
    } else {
      out_ = outer;
    }
  }

  bool capwap(Bytes b) {
    // RFC 5415 section 4.3: preamble (version 4 bits, type 4 bits), then HLEN (5 bits, in
    // 4-byte words, counting from the preamble), RID (5), WBID (5), T, F, L, W, M, K, Flags (3).
    ByteReader r(b);
    const std::uint32_t word = r.u32be();
    if (!r.ok()) return truncated("capwap.truncated");
    if ((word >> 24) != kCapwapPreambleHeader) return false;  // DTLS or unknown version
    const std::size_t header_bytes = std::size_t{(word >> 19) & 0x1f} * 4;
    const std::uint32_t wbid = (word >> 9) & 0x1f;
    if (header_bytes < 8) {
      anomalies_.bump("capwap.bad_header_length");
      return false;
    }
    if (header_bytes > b.size()) return truncated("capwap.truncated");
    if ((word & kCapwapFlagF) != 0) {
      anomalies_.bump("capwap.fragment");  // fragments are not reassembled
      return false;
    }
    const Bytes inner = b.subspan(header_bytes);
    if ((word & kCapwapFlagT) != 0) {
      // A native frame of the wireless binding; only IEEE 802.11 is defined (RFC 5416).
      return wbid == kCapwapWbidIeee80211 && ieee80211(inner, true);
    }
    return ethernet(inner);
  }

  bool vxlan(Bytes b) {
    // RFC 7348 section 5: flags (I = VNI valid), reserved, VNI, reserved; then Ethernet.
    ByteReader r(b);
    const std::uint8_t flags = r.u8();
    r.skip(7);
    if (!r.ok()) return truncated("vxlan.truncated");
    if ((flags & kVxlanFlagI) == 0) return false;
    return ethernet(r.rest());
  }

  bool gtpUser(Bytes b) {
    // 3GPP TS 29.281 section 5.1: flags, message type, length, TEID, then (when E, S or PN is
    // set) sequence number (2), N-PDU number (1), next extension header type (1).
    ByteReader r(b);
    const std::uint8_t flags = r.u8();
    const std::uint8_t type = r.u8();
    r.skip(6);  // length, TEID
    if (!r.ok()) return truncated("gtp.truncated");
    if ((flags & kGtpVersionPtMask) != kGtpVersionPt || type != kGtpGpdu) return false;
    if ((flags & kGtpOptionalFields) != 0) {
      r.skip(3);
      std::uint8_t next_type = r.u8();
      // Section 5.2: extension headers, each a length (in 4-octet units) ... next type.
      for (int i = 0; (flags & kGtpExtensionFlag) != 0 && next_type != 0; ++i) {
        if (i == kMaxGtpExtensions) {
          anomalies_.bump("gtp.too_many_extensions");
          return false;
        }
        const std::uint8_t units = r.u8();
        if (units == 0) {
          anomalies_.bump("gtp.bad_extension");
          return false;
        }
        r.skip(std::size_t{units} * 4 - 2);
        next_type = r.u8();
      }
      if (!r.ok()) return truncated("gtp.truncated");
    }
    return rawIpQuiet(r.rest());
  }

  bool teredo(Bytes b) {
    // RFC 4380 section 5.1.1: optional authentication and origin indicators, then IPv6.
    ByteReader r(b);
    ByteReader peek = r;
    if (peek.u16be() == kTeredoAuthentication && peek.ok()) {
      const std::uint8_t id_length = peek.u8();
      const std::uint8_t auth_length = peek.u8();
      // Client identifier, authentication value, nonce (8), confirmation (1).
      peek.skip(std::size_t{id_length} + auth_length + 9);
      if (!peek.ok()) return truncated("teredo.truncated");
      r = peek;
    }
    peek = r;
    if (peek.u16be() == kTeredoOrigin && peek.ok()) {
      if (!r.skip(kTeredoOriginBytes)) return truncated("teredo.truncated");
    }
    const Bytes rest = r.rest();
    if (rest.empty() || (rest[0] >> 4) != 6) return false;  // bubbles and non-Teredo traffic
    return ipv6(rest);
  }

  bool geneve(Bytes b) {
    // RFC 8926 section 3.4: Ver (2) | Opt Len (6), flags, protocol type, VNI, reserved, options.
    ByteReader r(b);
    const std::uint8_t ver_len = r.u8();
    r.skip(1);
    const std::uint16_t protocol = r.u16be();
    r.skip(4);
    if (!r.ok()) return truncated("geneve.truncated");
    if ((ver_len >> 6) != 0) return false;
    if (!r.skip(std::size_t{ver_len & 0x3fu} * 4)) return truncated("geneve.truncated");
    if (protocol == kEthertypeTeb) return ethernet(r.rest());
    return ethertype(protocol, r.rest());
  }

  bool gre(Bytes b) {
    // RFC 2784 section 2.1 and RFC 2890 section 2: C, K, S bits, version 0, protocol type.
    ByteReader r(b);
    const std::uint16_t flags = r.u16be();
    const std::uint16_t protocol = r.u16be();
    if (!r.ok()) return truncated("gre.truncated");
    if ((flags & kGreVersionMask) != 0) return false;  // version 1 is PPTP's enhanced GRE
    if ((flags & kGreChecksum) != 0) r.skip(4);
    if ((flags & kGreKey) != 0) r.skip(4);
    if ((flags & kGreSequence) != 0) r.skip(4);
    if (!r.ok()) return truncated("gre.truncated");
    if (protocol == kEthertypeTeb) return ethernet(r.rest());
    return ethertype(protocol, r.rest());
  }

  bool radiotap(Bytes b) {
    // radiotap.org "Radiotap header": version (0), pad, length (little-endian), present words.
    ByteReader r(b);
    const std::uint8_t version = r.u8();
    r.skip(1);
    const std::uint16_t length = r.u16le();
    if (!r.ok()) return truncated("radiotap.truncated");
    if (version != 0 || length < 8) {
      anomalies_.bump("radiotap.bad_header");
      return false;
    }
    if (length > b.size()) return truncated("radiotap.truncated");
    return ieee80211(b.subspan(length), false);
  }

  bool ieee80211(Bytes b, bool from_capwap) {
    ByteReader r(b);
    std::uint8_t fc0 = r.u8();
    std::uint8_t fc1 = r.u8();
    r.skip(2);  // duration
    auto a1 = r.bytes(6);
    auto a2 = r.bytes(6);
    auto a3 = r.bytes(6);
    r.skip(2);  // sequence control
    if (!r.ok()) return truncated("ieee80211.truncated");
    // Cisco access points send the two Frame Control bytes swapped inside CAPWAP (Wireshark's
    // capwap "swap frame control" preference). The protocol version bits must be 0, so a
    // non-zero version with a zero version in the other byte means swapped.
    if (from_capwap && (fc0 & 0x03) != 0 && (fc1 & 0x03) == 0) std::swap(fc0, fc1);
    if ((fc0 & 0x03) != 0) {
      anomalies_.bump("ieee80211.bad_version");
      return false;
    }
    const std::uint8_t type = (fc0 >> 2) & 0x03;
    const std::uint8_t subtype = fc0 >> 4;
    if (type != kFcTypeData || (subtype & kSubtypeNoData) != 0) return false;
    if ((fc1 & kFcProtected) != 0) return false;  // encrypted: nothing to read
    // Only More Fragments marks a fragment: Cisco's CAPWAP frames carry non-zero fragment
    // numbers in unfragmented frames (tshark decodes them as whole too). A genuine last
    // fragment would fail the LLC/SNAP check below.
    if ((fc1 & kFcMoreFragments) != 0) {
      anomalies_.bump("ieee80211.fragment");
      return false;
    }
    const bool to_ds = (fc1 & kFcToDs) != 0;
    const bool from_ds = (fc1 & kFcFromDs) != 0;
    Bytes a4;
    if (to_ds && from_ds) a4 = r.bytes(6);
    if ((subtype & kSubtypeQos) != 0) {
      const std::uint8_t qos = r.u8();
      r.skip(1);
      if ((fc1 & kFcOrder) != 0) r.skip(4);  // HT Control
      if (r.ok() && (qos & kQosAmsduPresent) != 0) {
        anomalies_.bump("ieee80211.amsdu");  // aggregated subframes are not split
        return false;
      }
    }
    if (!r.ok()) return truncated("ieee80211.truncated");
    // IEEE 802.11-2020 Table 9-30 (Address field contents): where DA and SA sit.
    Bytes da = a1;
    Bytes sa = a2;
    if (to_ds && !from_ds) {
      da = a3;
    } else if (!to_ds && from_ds) {
      sa = a3;
    } else if (to_ds && from_ds) {
      da = a3;
      sa = a4;
    }
    auto snap = r.bytes(3);
    r.skip(3);  // OUI: 00-00-00 (RFC 1042) or 00-00-F8 (802.1H)
    const std::uint16_t ethertype_value = r.u16be();
    if (!r.ok()) return truncated("ieee80211.truncated");
    if (std::memcmp(snap.data(), kLlcSnap, 3) != 0) return false;
    std::memcpy(out_.dst_mac.bytes.data(), da.data(), 6);
    std::memcpy(out_.src_mac.bytes.data(), sa.data(), 6);
    out_.has_mac = true;
    out_.has_src_mac = true;
    return ethertype(ethertype_value, r.rest());
  }

  DecodedPacket& out_;
  AnomalyCounters& anomalies_;
  bool snapped_;
  int depth_ = 0;
};

}  // namespace

bool decodeFrame(const capture::Frame& frame, DecodedPacket& out, AnomalyCounters& anomalies) {
  out = DecodedPacket{};
  out.frame = frame.number;
  out.ts_ns = frame.ts_ns;
  out.wire_length = frame.wire_length;
  Decoder decoder(out, anomalies, frame.data.size() < frame.wire_length);
  return decoder.link(frame.link_type, frame.data);
}

}  // namespace phaseout::decode
