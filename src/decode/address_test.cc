#include <gtest/gtest.h>

#include <string>

#include "decode/packet.h"

namespace phaseout::decode {
namespace {

IpAddress v6(std::initializer_list<unsigned> groups) {
  IpAddress a;
  a.family = 6;
  int i = 0;
  for (unsigned g : groups) {
    a.bytes[2 * i] = static_cast<std::uint8_t>(g >> 8);
    a.bytes[2 * i + 1] = static_cast<std::uint8_t>(g & 0xff);
    ++i;
  }
  return a;
}

TEST(MacAddress, LowerCaseColonSeparated) {
  MacAddress m{{0x1c, 0xab, 0xa7, 0xf2, 0x13, 0x9d}};
  EXPECT_EQ(m.toString(), "1c:ab:a7:f2:13:9d");
  std::string out = "mac=";
  m.appendTo(out);
  EXPECT_EQ(out, "mac=1c:ab:a7:f2:13:9d");
}

TEST(IpAddress, Ipv4DottedQuadAndNone) {
  IpAddress a;
  EXPECT_EQ(a.toString(), "");
  a.family = 4;
  a.bytes = {192, 168, 0, 255};
  EXPECT_EQ(a.toString(), "192.168.0.255");
  a.bytes = {0, 0, 0, 0};
  EXPECT_EQ(a.toString(), "0.0.0.0");
  a.bytes = {255, 255, 255, 255};
  EXPECT_EQ(a.toString(), "255.255.255.255");
}

TEST(IpAddress, Ipv6FollowsRfc5952) {
  // Section 4.1: leading zeros suppressed; 4.3: lower case.
  EXPECT_EQ(v6({0x2001, 0x0db8, 0, 0, 0, 0, 0x0002, 0x0001}).toString(), "2001:db8::2:1");
  EXPECT_EQ(v6({0x2001, 0xDB8, 0xAAAA, 0xBBBB, 0xCCCC, 0xDDDD, 0xEEEE, 0x0001}).toString(),
            "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1");
  // 4.2.2: a single zero group is not shortened.
  EXPECT_EQ(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}).toString(), "2001:db8:0:1:1:1:1:1");
  // 4.2.3: the longest run is shortened; on a tie, the first.
  EXPECT_EQ(v6({0x2001, 0, 0, 1, 0, 0, 0, 1}).toString(), "2001:0:0:1::1");
  EXPECT_EQ(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}).toString(), "2001:db8::1:0:0:1");
  // Edges.
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0, 0, 0}).toString(), "::");
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0, 0, 1}).toString(), "::1");
  EXPECT_EQ(v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}).toString(), "fe80::");
  EXPECT_EQ(v6({0xff02, 0, 0, 0, 0, 0, 0, 0xfb}).toString(), "ff02::fb");
  EXPECT_EQ(v6({0xfe80, 0, 0, 0, 0x1c5a, 0x9eff, 0xfe12, 0x3}).toString(),
            "fe80::1c5a:9eff:fe12:3");
  EXPECT_EQ(v6({1, 0, 0, 0, 0, 0, 0, 0}).toString(), "1::");
  EXPECT_EQ(v6({0, 1, 0, 0, 0, 0, 0, 0}).toString(), "0:1::");
  // Section 5: IPv4-mapped addresses keep the dotted IPv4 part.
  EXPECT_EQ(v6({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}).toString(), "::ffff:192.0.2.1");
}

}  // namespace
}  // namespace phaseout::decode
