#include "dissect/observation.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

Observation base(ObservationType type) {
  const testing::Bytes payload;
  Observation o = makeObservation(type, testing::udp(68, 67, payload));
  return o;
}

TEST(ObservationTest, Names) {
  EXPECT_EQ(name(ObservationType::kDhcp), "dhcp");
  EXPECT_EQ(name(ObservationType::kDhcpv6), "dhcpv6");
  EXPECT_EQ(name(ObservationType::kDns), "dns");
  EXPECT_EQ(name(ObservationType::kMdns), "mdns");
  EXPECT_EQ(name(ObservationType::kHttp), "http");
  EXPECT_EQ(name(ObservationType::kTls), "tls");
  EXPECT_EQ(name(ObservationType::kTcpSyn), "tcp_syn");
  EXPECT_EQ(name(ObservationType::kQuic), "quic");
}

TEST(ObservationTest, DnsTypeNames) {
  EXPECT_EQ(dnsTypeName(1), "A");
  EXPECT_EQ(dnsTypeName(28), "AAAA");
  EXPECT_EQ(dnsTypeName(33), "SRV");
  EXPECT_EQ(dnsTypeName(65), "HTTPS");
  EXPECT_EQ(dnsTypeName(4242), "TYPE4242");
}

TEST(TimestampTest, MicrosecondsUtcTruncated) {
  std::string s;
  appendTimestamp(1'679'307'072'123'456'789, s);
  EXPECT_EQ(s, "2023-03-20T10:11:12.123456Z");
  s.clear();
  appendTimestamp(0, s);
  EXPECT_EQ(s, "1970-01-01T00:00:00.000000Z");
  s.clear();
  appendTimestamp(-1, s);  // one nanosecond before the epoch rounds toward the past
  EXPECT_EQ(s, "1969-12-31T23:59:59.999999Z");
  s.clear();
  appendTimestamp(951'782'400'000'000'000, s);  // a leap day
  EXPECT_EQ(s, "2000-02-29T00:00:00.000000Z");
}

TEST(JsonLineTest, CommonFieldsInOrder) {
  Observation o = base(ObservationType::kDhcp);
  o.dhcp.msg_type = 3;
  o.dhcp.hostname = "Lucas-iPhone";
  o.dhcp.param_list = {1, 121, 3};
  std::string line;
  appendJsonLine(o, line);
  EXPECT_EQ(line,
            "{\"frame\":7,\"ts\":\"2023-03-20T10:11:12.123456Z\","
            "\"src_mac\":\"c4:61:8b:35:82:a9\",\"dst_mac\":\"ff:ff:ff:ff:ff:ff\","
            "\"src_ip\":\"10.0.0.1\",\"dst_ip\":\"10.0.0.2\",\"src_port\":68,\"dst_port\":67,"
            "\"type\":\"dhcp\",\"msg_type\":3,\"hostname\":\"Lucas-iPhone\","
            "\"param_list\":[1,121,3]}\n");
}

TEST(JsonLineTest, MacsOmittedWithoutLinkLayer) {
  Observation o = base(ObservationType::kHttp);
  o.has_mac = false;
  o.http.method = "GET";
  std::string line;
  appendJsonLine(o, line);
  EXPECT_EQ(line.find("src_mac"), std::string::npos);
  EXPECT_EQ(line.find("dst_mac"), std::string::npos);
  EXPECT_NE(line.find("\"method\":\"GET\""), std::string::npos);
}

TEST(JsonLineTest, AbsentFieldsAreOmitted) {
  Observation o = base(ObservationType::kDhcp);
  std::string line;
  appendJsonLine(o, line);
  EXPECT_TRUE(line.ends_with("\"type\":\"dhcp\"}\n")) << line;
}

TEST(JsonLineTest, EscapesQuotesBackslashesAndControlCharacters) {
  Observation o = base(ObservationType::kHttp);
  o.http.user_agent = std::string("a\"b\\c\x01\x1f\x7f\b\f\n\r\td", 14);
  std::string line;
  appendJsonLine(o, line);
  EXPECT_NE(line.find(R"("user_agent":"a\"b\\c\u0001\u001f\u007f\b\f\n\r\td")"), std::string::npos)
      << line;
}

TEST(JsonLineTest, NulIsEscaped) {
  Observation o = base(ObservationType::kHttp);
  o.http.host = std::string("a\0b", 3);
  std::string line;
  appendJsonLine(o, line);
  EXPECT_NE(line.find(R"("host":"a\u0000b")"), std::string::npos) << line;
}

TEST(JsonLineTest, InvalidUtf8BecomesReplacementCharacterPerByte) {
  Observation o = base(ObservationType::kHttp);
  // Valid 2-, 3- and 4-byte sequences pass; a lone 0xFF, an overlong "\xC0\xAF", a surrogate
  // and a cut sequence at the end do not.
  o.http.host = "\xc3\xa9\xe2\x80\x99\xf0\x9f\x98\x80|\xff|\xc0\xaf|\xed\xa0\x80|\xe2\x80";
  std::string line;
  appendJsonLine(o, line);
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_NE(line.find("\"host\":\"\xc3\xa9\xe2\x80\x99\xf0\x9f\x98\x80|" + r + "|" + r + r + "|" +
                      r + r + r + "|" + r + r + "\""),
            std::string::npos)
      << line;
}

TEST(JsonLineTest, DnsRecordsAndTxt) {
  Observation o = base(ObservationType::kMdns);
  o.dns.response = true;
  o.dns.answers.push_back({"_device-info._tcp.local", 16, "", {"model=iMac11,3", "osxvers=17"}});
  o.dns.additional.push_back({"Lucas-iMac.local", 1, "192.168.2.1", {}});
  std::string line;
  appendJsonLine(o, line);
  EXPECT_NE(line.find("\"type\":\"mdns\",\"response\":true,\"answers\":[{\"name\":"
                      "\"_device-info._tcp.local\",\"type\":\"TXT\",\"txt\":[\"model=iMac11,3\","
                      "\"osxvers=17\"]}],\"additional\":[{\"name\":\"Lucas-iMac.local\","
                      "\"type\":\"A\",\"data\":\"192.168.2.1\"}]}"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("queries"), std::string::npos);
  EXPECT_EQ(line.find("authority"), std::string::npos);
}

TEST(JsonLineTest, DnsQueriesWithTypes) {
  Observation o = base(ObservationType::kDns);
  o.dns.queries = {"<Root>", "example.com"};
  o.dns.query_types = {2, 28};
  std::string line;
  appendJsonLine(o, line);
  EXPECT_NE(line.find("\"response\":false,\"queries\":[\"<Root>\",\"example.com\"],"
                      "\"query_types\":[\"NS\",\"AAAA\"]}"),
            std::string::npos)
      << line;
}

TEST(JsonLineTest, Dhcpv6VendorClassObject) {
  Observation o = base(ObservationType::kDhcpv6);
  o.dhcpv6.msg_type = 1;
  o.dhcpv6.duid = "0001000125e5148e4c6af69ff627";
  o.dhcpv6.duid_type = 1;
  o.dhcpv6.duid_lladdr = "4c:6a:f6:9f:f6:27";
  o.dhcpv6.oro = {23, 24};
  o.dhcpv6.vendor_class_enterprise = 311;
  o.dhcpv6.vendor_class_data = {"MSFT 5.0"};
  std::string line;
  appendJsonLine(o, line);
  EXPECT_NE(
      line.find("\"type\":\"dhcpv6\",\"msg_type\":1,\"duid\":\"0001000125e5148e4c6af69ff627\","
                "\"duid_type\":1,\"duid_lladdr\":\"4c:6a:f6:9f:f6:27\",\"oro\":[23,24],"
                "\"vendor_class\":{\"enterprise\":311,\"data\":[\"MSFT 5.0\"]}}"),
      std::string::npos)
      << line;
}

TEST(JsonLineTest, TlsAndTcpSyn) {
  Observation tls = base(ObservationType::kTls);
  tls.tls = {
      "1.3", "gateway.icloud.com", {"h2", "http/1.1"}, "t13d2613h2_2802a3db6c62_845d286b0d67"};
  std::string line;
  appendJsonLine(tls, line);
  EXPECT_NE(line.find("\"type\":\"tls\",\"version\":\"1.3\",\"sni\":\"gateway.icloud.com\","
                      "\"alpn\":[\"h2\",\"http/1.1\"],"
                      "\"ja4\":\"t13d2613h2_2802a3db6c62_845d286b0d67\"}"),
            std::string::npos)
      << line;

  Observation syn = base(ObservationType::kTcpSyn);
  syn.tcp_syn.window = 65535;
  syn.tcp_syn.mss = 1460;
  syn.tcp_syn.options = "mss,nop,ws";
  syn.tcp_syn.ttl = 64;
  syn.tcp_syn.df = true;
  line.clear();
  appendJsonLine(syn, line);
  EXPECT_NE(line.find("\"type\":\"tcp_syn\",\"window\":65535,\"mss\":1460,"
                      "\"options\":\"mss,nop,ws\",\"ttl\":64,\"df\":true,\"ecn\":false}"),
            std::string::npos)
      << line;
}

TEST(JsonLineTest, Quic) {
  Observation gquic = base(ObservationType::kQuic);
  gquic.quic.version = "Q050";
  gquic.quic.sni = "www.googletagmanager.com";
  gquic.quic.user_agent = "Chrome/83.0.4103.101 Android 8.0.0; LDN-L21";
  std::string line;
  appendJsonLine(gquic, line);
  EXPECT_NE(line.find("\"type\":\"quic\",\"version\":\"Q050\",\"sni\":\"www.googletagmanager.com\","
                      "\"user_agent\":\"Chrome/83.0.4103.101 Android 8.0.0; LDN-L21\"}\n"),
            std::string::npos)
      << line;
  line.clear();
  appendTextLine(gquic, line);
  EXPECT_NE(line.find(" quic 10.0.0.1:68 > 10.0.0.2:67 mac=c4:61:8b:35:82:a9 version=Q050 "
                      "sni=www.googletagmanager.com "
                      "user_agent=\"Chrome/83.0.4103.101 Android 8.0.0; LDN-L21\"\n"),
            std::string::npos)
      << line;

  Observation ietf = base(ObservationType::kQuic);
  ietf.quic = {"1", "example.com", {"h3"}, "", "q13d0211h3_62ed6f6ca7ad_4d634acda6c0"};
  line.clear();
  appendJsonLine(ietf, line);
  EXPECT_NE(line.find("\"type\":\"quic\",\"version\":\"1\",\"sni\":\"example.com\","
                      "\"alpn\":[\"h3\"],\"ja4\":\"q13d0211h3_62ed6f6ca7ad_4d634acda6c0\"}"),
            std::string::npos)
      << line;
}

TEST(JsonLineTest, Ipv6AddressesUseTheirTextForm) {
  Observation o = base(ObservationType::kMdns);
  o.src_ip.family = 6;
  o.src_ip.bytes = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x4e, 0x6a, 0xf6, 0xff, 0xfe, 0x9f, 0xf6, 0x27};
  std::string line;
  appendJsonLine(o, line);
  EXPECT_NE(line.find("\"src_ip\":\"fe80::4e6a:f6ff:fe9f:f627\""), std::string::npos) << line;
}

TEST(TextLineTest, OneReadableLine) {
  Observation o = base(ObservationType::kDhcp);
  o.dhcp.msg_type = 1;
  o.dhcp.hostname = "Lucas iPhone";
  o.dhcp.param_list = {1, 3};
  std::string line;
  appendTextLine(o, line);
  EXPECT_EQ(line,
            "2023-03-20T10:11:12.123456Z #7 dhcp 10.0.0.1:68 > 10.0.0.2:67 "
            "mac=c4:61:8b:35:82:a9 msg_type=1 hostname=\"Lucas iPhone\" param_list=1,3\n");
}

}  // namespace
}  // namespace phaseout::dissect
