#include "dissect/dhcp/dhcp_dissector.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::append;
using testing::Bytes;
using testing::CollectingSink;

// A BOOTREQUEST from c4:61:8b:35:82:a9 (RFC 2131 §2): the 236-byte fixed part, the magic
// cookie, then `options` as given (the caller adds the end option when it wants one).
Bytes dhcpMessage(std::initializer_list<int> options, std::string_view sname = {},
                  std::string_view file = {}) {
  Bytes m;
  append(m, {1, 1, 6, 0});                          // op BOOTREQUEST, htype Ethernet, hlen 6, hops
  append(m, {0x12, 0x34, 0x56, 0x78});              // xid
  append(m, {0, 0, 0, 0});                          // secs, flags
  append(m, {0, 0, 0, 0});                          // ciaddr
  append(m, {192, 168, 2, 17});                     // yiaddr
  append(m, {0, 0, 0, 0, 0, 0, 0, 0});              // siaddr, giaddr
  append(m, {0xc4, 0x61, 0x8b, 0x35, 0x82, 0xa9});  // chaddr ...
  m.resize(m.size() + 10, 0);                       // ... padded to 16 bytes
  Bytes sname_field(64, 0);
  std::copy(sname.begin(), sname.end(), sname_field.begin());
  Bytes file_field(128, 0);
  std::copy(file.begin(), file.end(), file_field.begin());
  m.insert(m.end(), sname_field.begin(), sname_field.end());
  m.insert(m.end(), file_field.begin(), file_field.end());
  append(m, {99, 130, 83, 99});  // magic cookie
  append(m, options);
  return m;
}

struct Result {
  Outcome outcome;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result run(const Bytes& payload) {
  Result r;
  r.outcome = DhcpDissector().dissect(testing::udp(68, 67, payload), r.sink, r.anomalies);
  return r;
}

TEST(DhcpDissectorTest, IphoneDiscover) {
  const Bytes m = dhcpMessage({
      53, 1,  1,                                         // DHCPDISCOVER
      55, 7,  1,    121,  3,    6,    15,   119,  252,   // parameter request list
      57, 2,  0x05, 0xdc,                                // max message size 1500
      61, 7,  1,    0xc4, 0x61, 0x8b, 0x35, 0x82, 0xa9,  // client id: htype 1 + MAC
      50, 4,  192,  168,  2,    17,                      // requested address
      51, 4,  0,    0x76, 0xa7, 0,                       // lease time (not reported)
      12, 12, 'L',  'u',  'c',  'a',  's',  '-',  'i',  'P', 'h', 'o', 'n', 'e', 255,
  });
  Result r = run(m);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  EXPECT_EQ(r.anomalies.total(), 0u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const Observation& o = r.sink.all[0];
  EXPECT_EQ(o.type, ObservationType::kDhcp);
  const DhcpFields& d = o.dhcp;
  EXPECT_EQ(d.msg_type, 1);
  ASSERT_TRUE(d.client_mac.has_value());
  EXPECT_EQ(d.client_mac->toString(), "c4:61:8b:35:82:a9");
  EXPECT_FALSE(d.client_ip.has_value());
  ASSERT_TRUE(d.your_ip.has_value());
  EXPECT_EQ(d.your_ip->toString(), "192.168.2.17");
  EXPECT_EQ(d.hostname, "Lucas-iPhone");
  EXPECT_EQ(d.param_list, (std::vector<std::uint8_t>{1, 121, 3, 6, 15, 119, 252}));
  EXPECT_EQ(d.max_msg_size, 1500);
  EXPECT_EQ(d.client_id, "01c4618b3582a9");
  ASSERT_TRUE(d.requested_ip.has_value());
  EXPECT_EQ(d.requested_ip->toString(), "192.168.2.17");
  EXPECT_TRUE(d.vendor_class.empty());
}

TEST(DhcpDissectorTest, VendorClassUserClassAndFqdn) {
  const Bytes m = dhcpMessage({
      53,  1,   3,    60,  14, 'a', 'n', 'd', 'r', 'o', 'i', 'd', '-', 'd', 'h',
      'c', 'p', '-',  '9', 77, 8,   3,   'a', 'b', 'c', 3,   'x', 'y', 'z',  // RFC 3004: two
                                                                             // instances
      81,  12,  0x05, 0,   0,  4,   'h', 'o', 's', 't', 3,   'o', 'r', 'g',  // E bit: wire format
      255,
  });
  Result r = run(m);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const DhcpFields& d = r.sink.all[0].dhcp;
  EXPECT_EQ(d.vendor_class, "android-dhcp-9");
  EXPECT_EQ(d.user_class, "abc,xyz");
  EXPECT_EQ(d.client_fqdn, "host.org");
}

TEST(DhcpDissectorTest, UserClassAsBareStringAndAsciiFqdn) {
  const Bytes m = dhcpMessage({
      77,
      4,
      'M',
      'S',
      'F',
      'T',  // not RFC 3004 shaped: kept as one string
      81,
      7,
      0x01,
      0,
      0,
      'a',
      '.',
      'b',
      'c',
      255,
  });
  Result r = run(m);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcp.user_class, "MSFT");
  EXPECT_EQ(r.sink.all[0].dhcp.client_fqdn, "a.bc");
}

TEST(DhcpDissectorTest, HostNameConventionsMatchTshark) {
  // NUL ends the text; bytes >= 0x80 become U+FFFD; an empty option counts as absent.
  const Bytes m = dhcpMessage({12, 5, 'h', 'o', 0, 's', 't', 60, 3, 'v', 0xff, 'c', 255});
  Result r = run(m);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcp.hostname, "ho");
  EXPECT_EQ(r.sink.all[0].dhcp.vendor_class,
            "v\xEF\xBF\xBD"
            "c");
  Result empty = run(dhcpMessage({12, 0, 255}));
  EXPECT_TRUE(empty.sink.all.at(0).dhcp.hostname.empty());
}

TEST(DhcpDissectorTest, RepeatedOptions) {
  // A second host name is ignored (and counted); parameter lists are concatenated.
  const Bytes m = dhcpMessage({12, 2, 'a', 'b', 12, 2, 'c', 'd', 55, 2, 1, 3, 55, 2, 6, 15, 255});
  Result r = run(m);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcp.hostname, "ab");
  EXPECT_EQ(r.sink.all[0].dhcp.param_list, (std::vector<std::uint8_t>{1, 3, 6, 15}));
  EXPECT_EQ(r.anomalies.get("dhcp.duplicate_option"), 1u);
}

TEST(DhcpDissectorTest, PadOptionsAreSkipped) {
  Result r = run(dhcpMessage({0, 0, 53, 1, 8, 0, 255, 0, 0}));
  EXPECT_EQ(r.sink.all.at(0).dhcp.msg_type, 8);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(DhcpDissectorTest, OptionOverrunKeepsEarlierOptions) {
  // Host name claims 5 bytes, 3 remain: stop there, keep the message type.
  Result r = run(dhcpMessage({53, 1, 1, 12, 5, 'a', 'b', 'c'}));
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcp.msg_type, 1);
  EXPECT_TRUE(r.sink.all[0].dhcp.hostname.empty());
  EXPECT_EQ(r.anomalies.get("dhcp.option_overrun"), 1u);
}

TEST(DhcpDissectorTest, LengthByteMissingAtTheEnd) {
  Result r = run(dhcpMessage({53, 1, 1, 12}));
  EXPECT_EQ(r.anomalies.get("dhcp.option_overrun"), 1u);
  EXPECT_EQ(r.sink.all.size(), 1u);
}

TEST(DhcpDissectorTest, MissingEndIsCountedButFieldsKept) {
  Result r = run(dhcpMessage({55, 2, 1, 3, 12, 3, 'h', ' ', 'i'}));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  EXPECT_EQ(r.anomalies.get("dhcp.missing_end"), 1u);
  EXPECT_EQ(r.sink.all.at(0).dhcp.hostname, "h i");
}

TEST(DhcpDissectorTest, WrongFixedLengths) {
  Result r = run(dhcpMessage({53, 2, 1, 1, 50, 3, 1, 2, 3, 57, 1, 5, 255}));
  const DhcpFields& d = r.sink.all.at(0).dhcp;
  EXPECT_FALSE(d.msg_type.has_value());
  EXPECT_FALSE(d.requested_ip.has_value());
  EXPECT_FALSE(d.max_msg_size.has_value());
  EXPECT_EQ(r.anomalies.get("dhcp.bad_option_length"), 3u);
}

TEST(DhcpDissectorTest, OptionOverloadReadsFileThenSname) {
  // RFC 2132 §9.3: option 52 = 3, 'file' holds the host name, 'sname' the vendor class.
  const std::string file = std::string(
      "\x0c\x04"
      "host\xff",
      7);
  const std::string sname = std::string(
      "\x3c\x02"
      "vc\xff",
      5);
  Result r = run(dhcpMessage({53, 1, 1, 52, 1, 3, 255}, sname, file));
  const DhcpFields& d = r.sink.all.at(0).dhcp;
  EXPECT_EQ(d.hostname, "host");
  EXPECT_EQ(d.vendor_class, "vc");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(DhcpDissectorTest, ShortMessageIsTruncated) {
  Bytes m = dhcpMessage({});
  m.resize(235);
  Result r = run(m);
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.get("dhcp.truncated"), 1u);
}

TEST(DhcpDissectorTest, BootpWithoutCookieKeepsFixedFields) {
  Bytes m = dhcpMessage({});
  m.resize(236);  // no cookie at all
  Result r = run(m);
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  EXPECT_EQ(r.anomalies.get("dhcp.bad_magic_cookie"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcp.client_mac->toString(), "c4:61:8b:35:82:a9");
}

TEST(DhcpDissectorTest, NonEthernetChaddrIsNotAMac) {
  Bytes m = dhcpMessage({255});
  m[1] = 6;  // IEEE 802 (token ring)
  Result r = run(m);
  EXPECT_FALSE(r.sink.all.at(0).dhcp.client_mac.has_value());
}

// Real payloads extracted from the shared corpus (fuzz/dissect_dhcp/corpus); the expected
// values are what tshark 4.0 prints for the same frames.
TEST(DhcpDissectorTest, RealIphoneRequest) {
  const auto seed = testing::readSeed("dhcp", "iphone-29.bin");
  ASSERT_TRUE(seed.has_value()) << "fuzz/dissect_dhcp/corpus/iphone-29.bin missing";
  CollectingSink sink;
  AnomalyCounters anomalies;
  DhcpDissector().dissect(packetFromFuzzInput(*seed), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].dhcp.hostname, "Lucas-iPhone");
  EXPECT_EQ(sink.all[0].dhcp.param_list, (std::vector<std::uint8_t>{1, 121, 3, 6, 15, 119, 252}));
  EXPECT_EQ(sink.all[0].dhcp.client_mac->toString(), "c4:61:8b:35:82:a9");
  EXPECT_EQ(anomalies.total(), 0u);
}

TEST(DhcpDissectorTest, RealCapwapTunnelledIpad) {
  // The payload was taken from inside the CAPWAP tunnel: chaddr is the iPad, not the AP.
  const auto seed = testing::readSeed("dhcp", "capwap-280.bin");
  ASSERT_TRUE(seed.has_value());
  CollectingSink sink;
  AnomalyCounters anomalies;
  DhcpDissector().dissect(packetFromFuzzInput(*seed), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].dhcp.hostname, "kawai-iPad3");
  EXPECT_EQ(sink.all[0].dhcp.param_list, (std::vector<std::uint8_t>{1, 3, 6, 15, 119, 252}));
  EXPECT_EQ(sink.all[0].dhcp.client_mac->toString().substr(0, 8), "1c:ab:a7");
}

}  // namespace
}  // namespace phaseout::dissect
