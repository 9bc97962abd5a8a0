#include "decode/decoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "capture/capture_reader.h"
#include "capture/link_type.h"

namespace phaseout::decode {
namespace {

using Buf = std::vector<std::uint8_t>;

void put16(Buf& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
}
void put32(Buf& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v & 0xffff));
}
Buf cat(Buf a, const Buf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Buf text(const std::string& s) { return {s.begin(), s.end()}; }

Buf udp(std::uint16_t sport, std::uint16_t dport, const Buf& payload) {
  Buf b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<std::uint16_t>(8 + payload.size()));
  put16(b, 0);
  return cat(b, payload);
}

Buf tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags, const Buf& options,
        const Buf& payload) {
  Buf b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 1);
  put32(b, 0);
  b.push_back(static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4));
  b.push_back(flags);
  put16(b, 65535);
  put32(b, 0);
  return cat(cat(b, options), payload);
}

Buf ipv4(std::uint8_t proto, const Buf& body, std::uint16_t flags_offset = 0x4000,
         std::array<std::uint8_t, 4> src = {10, 0, 0, 1},
         std::array<std::uint8_t, 4> dst = {10, 0, 0, 2}, std::uint8_t tos = 0) {
  Buf b = {0x45, tos};
  put16(b, static_cast<std::uint16_t>(20 + body.size()));
  put16(b, 0x1234);
  put16(b, flags_offset);
  b.push_back(64);
  b.push_back(proto);
  put16(b, 0);
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  return cat(b, body);
}

Buf ipv6(std::uint8_t next, const Buf& body, std::uint8_t last_src_byte = 1) {
  Buf b;
  put32(b, 0x60000000 | (0x03u << 20));  // traffic class with ECN CE
  put16(b, static_cast<std::uint16_t>(body.size()));
  b.push_back(next);
  b.push_back(255);
  Buf src(16, 0);
  src[0] = 0xfe;
  src[1] = 0x80;
  src[15] = last_src_byte;
  Buf dst(16, 0);
  dst[0] = 0xff;
  dst[1] = 0x02;
  dst[15] = 0xfb;
  return cat(cat(cat(b, src), dst), body);
}

const Buf kSrcMac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
const Buf kDstMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

Buf ethernet(std::uint16_t type, const Buf& body) {
  Buf b = cat(kDstMac, kSrcMac);
  put16(b, type);
  return cat(b, body);
}

// Owns the frame bytes, since the decoded packet's spans point into them. Heap storage, so
// the spans stay valid when the Result is moved.
struct Decoded {
  std::unique_ptr<Buf> bytes;
  bool ok = false;
  DecodedPacket packet;
  AnomalyCounters anomalies;
};

Decoded run(std::uint32_t link, const Buf& bytes, std::uint32_t wire = 0) {
  Decoded r;
  r.bytes = std::make_unique<Buf>(bytes);
  capture::Frame frame;
  frame.data = *r.bytes;
  frame.wire_length = wire == 0 ? static_cast<std::uint32_t>(bytes.size()) : wire;
  frame.link_type = link;
  frame.number = 7;
  frame.ts_ns = 123;
  r.ok = decodeFrame(frame, r.packet, r.anomalies);
  return r;
}

std::string payloadText(const DecodedPacket& p) {
  return {reinterpret_cast<const char*>(p.payload.data()), p.payload.size()};
}

TEST(Decoder, EthernetIpv4UdpWithPaddingTrimmed) {
  Buf frame = ethernet(0x0800, ipv4(17, udp(68, 67, text("dhcp"))));
  frame.resize(frame.size() + 10, 0);  // Ethernet padding after the IP datagram
  auto r = run(capture::kLinkTypeEthernet, frame);
  ASSERT_TRUE(r.ok);
  const auto& p = r.packet;
  EXPECT_EQ(p.frame, 7u);
  EXPECT_EQ(p.ts_ns, 123);
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_mac.toString(), "02:11:22:33:44:55");
  EXPECT_EQ(p.dst_mac.toString(), "ff:ff:ff:ff:ff:ff");
  EXPECT_EQ(p.src_ip.toString(), "10.0.0.1");
  EXPECT_EQ(p.dst_ip.toString(), "10.0.0.2");
  EXPECT_EQ(p.ip_ttl, 64);
  EXPECT_TRUE(p.ip_df);
  EXPECT_FALSE(p.ip_fragment);
  EXPECT_EQ(p.transport, Transport::kUdp);
  EXPECT_EQ(p.src_port, 68);
  EXPECT_EQ(p.dst_port, 67);
  EXPECT_EQ(payloadText(p), "dhcp");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(Decoder, TcpFlagsWindowOptionsPayload) {
  const Buf options = {2, 4, 0x05, 0xb4, 1, 3, 3, 6};
  auto r = run(capture::kLinkTypeEthernet,
               ethernet(0x0800, ipv4(6, tcp(50000, 443, 0xC2, options, text("hello")), 0x4000,
                                     {1, 2, 3, 4}, {5, 6, 7, 8}, 0x02)));
  ASSERT_TRUE(r.ok);
  const auto& p = r.packet;
  EXPECT_EQ(p.transport, Transport::kTcp);
  EXPECT_EQ(p.tcp_flags, 0xC2);
  EXPECT_EQ(p.tcp_window, 65535);
  EXPECT_EQ(p.tcp_options.size(), options.size());
  EXPECT_EQ(p.tcp_options[0], 2);
  EXPECT_EQ(payloadText(p), "hello");
  EXPECT_EQ(p.ip_ecn, 2);
}

TEST(Decoder, VlanAndQinQTags) {
  for (std::uint16_t outer : {0x8100, 0x88a8, 0x9100}) {
    Buf tagged;
    put16(tagged, 0x0064);  // S-tag TCI
    put16(tagged, 0x8100);
    put16(tagged, 0x0005);  // C-tag TCI
    put16(tagged, 0x0800);
    auto r = run(capture::kLinkTypeEthernet,
                 ethernet(outer, cat(tagged, ipv4(17, udp(1, 53, text("q"))))));
    ASSERT_TRUE(r.ok) << outer;
    EXPECT_EQ(r.packet.dst_port, 53);
    EXPECT_EQ(payloadText(r.packet), "q");
  }
}

TEST(Decoder, NonIpEthertypesAreNotAnomalies) {
  auto r = run(capture::kLinkTypeEthernet, ethernet(0x0806, Buf(28, 0)));  // ARP
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.packet.has_mac);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(Decoder, LinuxCookedV1AndV2) {
  Buf sll;
  put16(sll, 0);  // to us
  put16(sll, 1);  // ARPHRD_ETHER
  put16(sll, 6);
  sll = cat(sll, kSrcMac);
  put16(sll, 0);  // address padding to 8
  put16(sll, 0x0800);
  auto r1 = run(capture::kLinkTypeLinuxSll, cat(sll, ipv4(17, udp(5353, 5353, text("m")))));
  ASSERT_TRUE(r1.ok);
  EXPECT_FALSE(r1.packet.has_mac);
  EXPECT_TRUE(r1.packet.has_src_mac);
  EXPECT_EQ(r1.packet.src_mac.toString(), "02:11:22:33:44:55");
  EXPECT_EQ(r1.packet.dst_port, 5353);

  Buf sll2;
  put16(sll2, 0x86dd);
  put16(sll2, 0);
  put32(sll2, 3);     // ifindex
  put16(sll2, 1);     // ARPHRD_ETHER
  sll2.push_back(4);  // outgoing
  sll2.push_back(6);
  sll2 = cat(sll2, kSrcMac);
  put16(sll2, 0);
  auto r2 = run(capture::kLinkTypeLinuxSll2, cat(sll2, ipv6(17, udp(546, 547, text("s")))));
  ASSERT_TRUE(r2.ok);
  EXPECT_TRUE(r2.packet.has_src_mac);
  EXPECT_EQ(r2.packet.src_ip.toString(), "fe80::1");
  EXPECT_EQ(r2.packet.dst_ip.toString(), "ff02::fb");
  EXPECT_EQ(r2.packet.ip_ttl, 255);
  EXPECT_EQ(r2.packet.ip_ecn, 3);
  EXPECT_EQ(r2.packet.dst_port, 547);
}

TEST(Decoder, RawIpLinkTypes) {
  const Buf v4 = ipv4(17, udp(1, 2, text("x")));
  const Buf v6 = ipv6(17, udp(1, 2, text("y")));
  for (std::uint32_t link :
       {capture::kLinkTypeRaw, capture::kLinkTypeRawDlt12, capture::kLinkTypeRawDlt14}) {
    EXPECT_TRUE(run(link, v4).ok);
    EXPECT_TRUE(run(link, v6).ok);
  }
  EXPECT_TRUE(run(capture::kLinkTypeIpv4, v4).ok);
  EXPECT_TRUE(run(capture::kLinkTypeIpv6, v6).ok);
  auto bad = run(capture::kLinkTypeRaw, Buf{0x55, 0, 0});
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.anomalies.get("raw.bad_ip_version"), 1u);
}

TEST(Decoder, LoopbackFamilies) {
  Buf null_le = {2, 0, 0, 0};  // AF_INET written little-endian
  EXPECT_TRUE(run(capture::kLinkTypeNull, cat(null_le, ipv4(17, udp(1, 2, {})))).ok);
  Buf null_be = {0, 0, 0, 30};  // Darwin AF_INET6, big-endian host
  EXPECT_TRUE(run(capture::kLinkTypeNull, cat(null_be, ipv6(17, udp(1, 2, {})))).ok);
  Buf loop = {0, 0, 0, 24};
  EXPECT_TRUE(run(capture::kLinkTypeLoop, cat(loop, ipv6(17, udp(1, 2, {})))).ok);
}

TEST(Decoder, Ipv4FragmentsCountedNeverReassembled) {
  // First fragment (MF set): transport header decoded, payload withheld.
  auto first = run(capture::kLinkTypeEthernet,
                   ethernet(0x0800, ipv4(17, udp(68, 67, text("partial")), 0x2000)));
  ASSERT_TRUE(first.ok);
  EXPECT_TRUE(first.packet.ip_fragment);
  EXPECT_EQ(first.packet.transport, Transport::kUdp);
  EXPECT_EQ(first.packet.dst_port, 67);
  EXPECT_TRUE(first.packet.payload.empty());
  EXPECT_EQ(first.anomalies.get("ipv4.fragment"), 1u);
  // Later fragment: no transport at all.
  auto later = run(capture::kLinkTypeEthernet,
                   ethernet(0x0800, ipv4(17, text("more bytes of the datagram"), 0x0010)));
  ASSERT_TRUE(later.ok);
  EXPECT_TRUE(later.packet.ip_fragment);
  EXPECT_EQ(later.packet.transport, Transport::kNone);
  EXPECT_EQ(later.anomalies.get("ipv4.fragment"), 1u);
}

TEST(Decoder, Ipv4MalformedHeaders) {
  Buf bad_ihl = ipv4(17, udp(1, 2, {}));
  bad_ihl[0] = 0x43;
  auto r = run(capture::kLinkTypeRaw, bad_ihl);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.anomalies.get("ipv4.bad_header_length"), 1u);

  Buf short_total = ipv4(17, udp(1, 2, {}));
  short_total[2] = 0;
  short_total[3] = 10;
  r = run(capture::kLinkTypeRaw, short_total);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.anomalies.get("ipv4.bad_total_length"), 1u);

  // Total length beyond the frame, not explained by the snap length: counted, still decoded.
  Buf long_total = ipv4(17, udp(1, 2, text("abc")));
  long_total[3] = static_cast<std::uint8_t>(long_total[3] + 50);
  r = run(capture::kLinkTypeRaw, long_total);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.anomalies.get("ipv4.truncated"), 1u);
  EXPECT_EQ(payloadText(r.packet), "abc");
  EXPECT_EQ(r.anomalies.get("udp.truncated"), 0u);  // UDP length agrees with what is there

  // The same cut explained by the snap length: no anomaly.
  r = run(capture::kLinkTypeRaw, long_total, static_cast<std::uint32_t>(long_total.size() + 50));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.anomalies.total(), 0u);

  // A header cut short.
  r = run(capture::kLinkTypeEthernet, ethernet(0x0800, Buf{0x45, 0, 0}));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.anomalies.get("ipv4.truncated_header"), 1u);
}

TEST(Decoder, Ipv4ZeroTotalLengthFromSegmentationOffload) {
  Buf tso = ipv4(6, tcp(1, 80, 0x18, {}, text("GET / HTTP/1.1\r\n")));
  tso[2] = 0;
  tso[3] = 0;
  auto r = run(capture::kLinkTypeRaw, tso);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(payloadText(r.packet), "GET / HTTP/1.1\r\n");
  EXPECT_EQ(r.anomalies.get("ipv4.zero_total_length"), 1u);
}

TEST(Decoder, Ipv6ExtensionHeaderChain) {
  // Hop-by-hop (8 bytes) -> destination options (16 bytes) -> routing (8) -> AH (12) -> UDP.
  Buf chain;
  chain = cat(chain, Buf{60, 0, 5, 2, 0, 0, 0, 0});  // HBH, next = dest opts
  chain = cat(chain, Buf{43, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // dest, next routing
  chain = cat(chain, Buf{51, 0, 0, 0, 0, 0, 0, 0});                          // routing, next AH
  chain = cat(chain, Buf{17, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1});              // AH: (1 + 2) * 4 = 12
  auto r = run(capture::kLinkTypeIpv6, ipv6(0, cat(chain, udp(5353, 5353, text("mdns")))));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.packet.transport, Transport::kUdp);
  EXPECT_EQ(r.packet.ip_protocol, 17);
  EXPECT_EQ(payloadText(r.packet), "mdns");
  EXPECT_EQ(r.anomalies.total(), 0u);

  // A chain that runs past the packet.
  auto cut = run(capture::kLinkTypeIpv6, ipv6(0, Buf{17, 9, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(cut.ok);
  EXPECT_EQ(cut.packet.transport, Transport::kNone);
  EXPECT_EQ(cut.anomalies.get("ipv6.truncated_extension_header"), 1u);
}

TEST(Decoder, Ipv6Fragments) {
  Buf first_frag = {17, 0, 0x00, 0x01, 0, 0, 0, 9};  // offset 0, M = 1
  auto first = run(capture::kLinkTypeIpv6, ipv6(44, cat(first_frag, udp(1, 53, text("abc")))));
  ASSERT_TRUE(first.ok);
  EXPECT_TRUE(first.packet.ip_fragment);
  EXPECT_EQ(first.packet.dst_port, 53);
  EXPECT_TRUE(first.packet.payload.empty());
  Buf later_frag = {17, 0, 0x00, 0x18, 0, 0, 0, 9};  // offset 3 (x8 bytes), M = 0
  auto later = run(capture::kLinkTypeIpv6, ipv6(44, cat(later_frag, text("tail"))));
  ASSERT_TRUE(later.ok);
  EXPECT_EQ(later.packet.transport, Transport::kNone);
  EXPECT_EQ(later.anomalies.get("ipv6.fragment"), 1u);
}

TEST(Decoder, TcpBadDataOffset) {
  Buf t = tcp(1, 2, 0x02, {}, {});
  t[12] = 0x30;  // 12 bytes: less than the fixed header
  auto r = run(capture::kLinkTypeRaw, ipv4(6, t));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.anomalies.get("tcp.bad_data_offset"), 1u);
  EXPECT_TRUE(r.packet.payload.empty());
}

TEST(Decoder, UdpBadLength) {
  Buf u = udp(1, 2, text("abc"));
  u[4] = 0;
  u[5] = 3;
  auto r = run(capture::kLinkTypeRaw, ipv4(17, u));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.anomalies.get("udp.bad_length"), 1u);
}

Buf ieee80211Data(std::uint8_t flags, const Buf& a1, const Buf& a2, const Buf& a3, const Buf& body,
                  bool swapped = false, bool qos = false) {
  const std::uint8_t fc0 = qos ? 0x88 : 0x08;
  Buf b = swapped ? Buf{flags, fc0} : Buf{fc0, flags};
  b = cat(b, Buf{0x2c, 0});
  b = cat(cat(cat(b, a1), a2), a3);
  b = cat(b, Buf{0, 0});
  if (qos) b = cat(b, Buf{0, 0});
  b = cat(b, Buf{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00});
  return cat(b, body);
}

const Buf kBssid = {0x58, 0x0a, 0x20, 0x69, 0x0e, 0x20};
const Buf kStation = {0x1c, 0xab, 0xa7, 0xf2, 0x13, 0x9d};

Buf capwapHeader(bool native) {
  // Preamble 0, HLEN 4 (16 bytes), RID 1, WBID 1, T, W; fragment id/offset; wireless info.
  Buf b = {0x00, 0x20, 0x43, static_cast<std::uint8_t>(native ? 0x20 : 0x00)};
  if (native)
    b[2] = 0x43;
  else
    b[2] = 0x42;
  return cat(b, Buf{0, 0, 0, 0, 0x01, 0x04, 0xed, 0x4d, 0, 0, 0, 0});
}

TEST(Decoder, CapwapDataWith80211TakesInnerAddresses) {
  const Buf dhcp = ipv4(17, udp(68, 67, text("inner")), 0, {0, 0, 0, 0}, {255, 255, 255, 255});
  for (bool swapped : {false, true}) {
    for (bool qos : {false, true}) {
      const Buf wlan = ieee80211Data(0x01, kBssid, kStation, kDstMac, dhcp, swapped, qos);
      const Buf outer = ipv4(17, udp(12380, kCapwapDataPort, cat(capwapHeader(true), wlan)), 0x4000,
                             {192, 168, 10, 10}, {192, 168, 10, 9});
      auto r = run(capture::kLinkTypeEthernet, ethernet(0x0800, outer));
      ASSERT_TRUE(r.ok);
      const auto& p = r.packet;
      EXPECT_TRUE(p.tunneled);
      EXPECT_EQ(p.src_mac.toString(), "1c:ab:a7:f2:13:9d") << swapped << qos;
      EXPECT_EQ(p.dst_mac.toString(), "ff:ff:ff:ff:ff:ff");
      EXPECT_EQ(p.src_ip.toString(), "0.0.0.0");
      EXPECT_EQ(p.dst_ip.toString(), "255.255.255.255");
      EXPECT_EQ(p.src_port, 68);
      EXPECT_EQ(p.dst_port, 67);
      EXPECT_EQ(payloadText(p), "inner");
      EXPECT_EQ(r.anomalies.total(), 0u);
    }
  }
}

TEST(Decoder, CapwapWith8023FrameAndUndecodableInnerKeepsOuter) {
  const Buf inner_eth = ethernet(0x0800, ipv4(17, udp(5353, 5353, text("m"))));
  const Buf outer = ipv4(17, udp(5247, 5247, cat(capwapHeader(false), inner_eth)));
  auto r = run(capture::kLinkTypeRaw, outer);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.packet.tunneled);
  EXPECT_TRUE(r.packet.has_mac);
  EXPECT_EQ(r.packet.dst_port, 5353);

  // A management frame inside: no IP inside, so the outer UDP packet stays.
  Buf mgmt = capwapHeader(true);
  mgmt = cat(mgmt, Buf(30, 0));  // frame control 0x0000: management / association request
  auto m = run(capture::kLinkTypeRaw, ipv4(17, udp(5247, 40000, mgmt)));
  ASSERT_TRUE(m.ok);
  EXPECT_FALSE(m.packet.tunneled);
  EXPECT_EQ(m.packet.src_port, 5247);
  EXPECT_EQ(m.packet.src_ip.toString(), "10.0.0.1");

  // DTLS-protected CAPWAP (preamble type 1).
  auto d = run(capture::kLinkTypeRaw, ipv4(17, udp(5247, 40000, Buf{0x01, 0, 0, 0, 0x17})));
  ASSERT_TRUE(d.ok);
  EXPECT_FALSE(d.packet.tunneled);
}

TEST(Decoder, Ieee80211FromDsAndWdsAddresses) {
  const Buf body = ipv4(17, udp(1, 2, {}));
  const Buf sa = {2, 0, 0, 0, 0, 0xaa};
  const Buf da = {2, 0, 0, 0, 0, 0xdd};
  auto from_ds = run(capture::kLinkTypeIeee80211, ieee80211Data(0x02, da, kBssid, sa, body));
  ASSERT_TRUE(from_ds.ok);
  EXPECT_EQ(from_ds.packet.src_mac.toString(), "02:00:00:00:00:aa");
  EXPECT_EQ(from_ds.packet.dst_mac.toString(), "02:00:00:00:00:dd");
  // Protected frames are left alone.
  auto protected_frame =
      run(capture::kLinkTypeIeee80211, ieee80211Data(0x41, kBssid, sa, da, body));
  EXPECT_FALSE(protected_frame.ok);
}

TEST(Decoder, RadiotapThen80211) {
  Buf rt = {0, 0, 8, 0, 0, 0, 0, 0};  // version 0, length 8, no fields present
  const Buf sa = {2, 0, 0, 0, 0, 0xaa};
  auto r = run(capture::kLinkTypeRadiotap,
               cat(rt, ieee80211Data(0x00, kDstMac, sa, kBssid, ipv4(17, udp(68, 67, {})))));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.packet.src_mac.toString(), "02:00:00:00:00:aa");
  EXPECT_EQ(r.packet.dst_port, 67);
}

TEST(Decoder, GreVxlanAndIpInIp) {
  const Buf inner = ipv4(17, udp(68, 67, text("g")), 0, {172, 16, 0, 1}, {172, 16, 0, 2});
  Buf gre = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42};  // K bit, IPv4, key 42
  auto g = run(capture::kLinkTypeRaw, ipv4(47, cat(gre, inner)));
  ASSERT_TRUE(g.ok);
  EXPECT_TRUE(g.packet.tunneled);
  EXPECT_EQ(g.packet.src_ip.toString(), "172.16.0.1");
  EXPECT_EQ(payloadText(g.packet), "g");

  Buf vx = {0x08, 0, 0, 0, 0, 0, 1, 0};
  auto v = run(capture::kLinkTypeRaw,
               ipv4(17, udp(40000, kVxlanPort, cat(vx, ethernet(0x0800, inner)))));
  ASSERT_TRUE(v.ok);
  EXPECT_TRUE(v.packet.tunneled);
  EXPECT_EQ(v.packet.src_mac.toString(), "02:11:22:33:44:55");
  EXPECT_EQ(v.packet.dst_port, 67);

  auto i = run(capture::kLinkTypeRaw, ipv4(4, inner));
  ASSERT_TRUE(i.ok);
  EXPECT_EQ(i.packet.src_ip.toString(), "172.16.0.1");

  auto six = run(capture::kLinkTypeRaw, ipv4(41, ipv6(17, udp(1, 547, {}))));
  ASSERT_TRUE(six.ok);
  EXPECT_EQ(six.packet.src_ip.family, 6);
  EXPECT_EQ(six.packet.dst_port, 547);
}

TEST(Decoder, GtpTeredoGeneve) {
  const Buf inner =
      ipv4(6, tcp(34536, 80, 0x18, {}, text("GET /")), 0, {10, 140, 206, 74}, {18, 135, 206, 102});
  Buf gtp = {0x30, 0xff, 0, 0, 0x07, 0xe0, 0x29, 0xa2};
  gtp[3] = static_cast<std::uint8_t>(inner.size());
  auto g = run(capture::kLinkTypeRaw, ipv4(17, udp(kGtpUserPort, kGtpUserPort, cat(gtp, inner))));
  ASSERT_TRUE(g.ok);
  EXPECT_TRUE(g.packet.tunneled);
  EXPECT_EQ(g.packet.src_ip.toString(), "10.140.206.74");
  EXPECT_EQ(g.packet.dst_port, 80);
  // With sequence number and one extension header (PDU session container, 4 bytes).
  Buf gtp_ext = {0x36, 0xff, 0, 0, 0, 0, 0, 1, 0, 7, 0, 0x85, 1, 0x10, 0x09, 0x00};
  auto ge = run(capture::kLinkTypeRaw, ipv4(17, udp(40000, kGtpUserPort, cat(gtp_ext, inner))));
  ASSERT_TRUE(ge.ok);
  EXPECT_EQ(ge.packet.dst_port, 80);

  // Teredo with an origin indication in front of the IPv6 packet.
  Buf origin = {0, 0, 0x12, 0x34, 1, 2, 3, 4};
  auto t = run(capture::kLinkTypeRaw,
               ipv4(17, udp(kTeredoPort, 50000, cat(origin, ipv6(17, udp(1, 53, text("q")))))));
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.packet.src_ip.family, 6);
  EXPECT_EQ(t.packet.dst_port, 53);

  Buf geneve = {0x01, 0, 0x65, 0x58, 0, 0, 1, 0, 0, 0, 0, 0};  // one 4-byte option word
  auto gn = run(capture::kLinkTypeRaw,
                ipv4(17, udp(50000, kGenevePort, cat(geneve, ethernet(0x0800, inner)))));
  ASSERT_TRUE(gn.ok);
  EXPECT_TRUE(gn.packet.has_mac);
  EXPECT_EQ(gn.packet.dst_port, 80);
}

TEST(Decoder, TunnelNestingIsBounded) {
  Buf packet = ipv4(17, udp(1, 2, text("core")));
  for (int i = 0; i < 10; ++i) packet = ipv4(4, packet);
  auto r = run(capture::kLinkTypeRaw, packet);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.anomalies.get("decode.tunnel_too_deep"), 1u);
}

TEST(Decoder, PppoeAndMpls) {
  Buf pppoe = {0x11, 0x00, 0x12, 0x34, 0x00, 0x30};
  put16(pppoe, 0x0021);
  auto p = run(capture::kLinkTypeEthernet, ethernet(0x8864, cat(pppoe, ipv4(17, udp(1, 53, {})))));
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.packet.dst_port, 53);
  Buf labels = {0, 0x01, 0x00, 64, 0, 0x02, 0x01, 64};  // two labels, second bottom-of-stack
  auto m = run(capture::kLinkTypeEthernet,
               ethernet(0x8847, cat(labels, ipv6(6, tcp(1, 443, 2, {}, {})))));
  ASSERT_TRUE(m.ok);
  EXPECT_EQ(m.packet.dst_port, 443);
}

TEST(Decoder, EveryTruncationOfAFrameIsSafe) {
  const Buf inner =
      ipv4(17, udp(68, 67, text("inner payload")), 0, {0, 0, 0, 0}, {255, 255, 255, 255});
  const Buf full = ethernet(
      0x0800, ipv4(17, udp(1, 5247,
                           cat(capwapHeader(true), ieee80211Data(0x01, kBssid, kStation, kDstMac,
                                                                 inner, true, true)))));
  for (std::size_t n = 0; n <= full.size(); ++n) {
    const Buf cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = run(capture::kLinkTypeEthernet, cut);
    EXPECT_LE(r.packet.payload.size(), cut.size());
  }
}

TEST(Decoder, CorpusCapwapFrameHasInnerDhcp) {
  const auto path = std::filesystem::path(PH_SHARED_DIR) / "corpus/pcap/ndpi/capwap.pcap";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus not found at " << path;
  auto reader = capture::CaptureReader::open(path.string());
  ASSERT_TRUE(reader.isOk());
  capture::Frame frame;
  AnomalyCounters anomalies;
  int inner_dhcp = 0;
  while (reader->next(frame)) {
    DecodedPacket p;
    decodeFrame(frame, p, anomalies);
    if (frame.number == 280) {
      EXPECT_TRUE(p.tunneled);
      EXPECT_EQ(p.src_mac.toString(), "1c:ab:a7:f2:13:9d");
      EXPECT_EQ(p.dst_ip.toString(), "255.255.255.255");
      EXPECT_EQ(p.dst_port, 67);
    }
    if (p.tunneled && p.dst_port == 67) ++inner_dhcp;
  }
  // tshark shows 5 DHCP messages, all inside the tunnel.
  EXPECT_EQ(inner_dhcp, 5);
}

}  // namespace
}  // namespace phaseout::decode
