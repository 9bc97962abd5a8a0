#include "dissect/dns/dns_dissector.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::append;
using testing::appendU16;
using testing::Bytes;
using testing::CollectingSink;

// RFC 1035 §4.1.1 header.
Bytes header(unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar) {
  Bytes m;
  appendU16(m, 0x1234);
  appendU16(m, flags);
  appendU16(m, qd);
  appendU16(m, an);
  appendU16(m, ns);
  appendU16(m, ar);
  return m;
}

void name(Bytes& m, std::initializer_list<std::string_view> labels) {
  for (std::string_view l : labels) {
    m.push_back(static_cast<std::uint8_t>(l.size()));
    append(m, l);
  }
  m.push_back(0);
}

void question(Bytes& m, unsigned type) {
  appendU16(m, type);
  appendU16(m, 1);  // IN
}

// TYPE, CLASS, TTL, RDLENGTH; RDATA follows.
void rrHeader(Bytes& m, unsigned type, unsigned rdlength) {
  appendU16(m, type);
  appendU16(m, 0x8001);  // IN with the mDNS cache-flush bit
  append(m, {0, 0, 0x11, 0x94});
  appendU16(m, rdlength);
}

struct Result {
  Outcome outcome;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result run(const decode::DecodedPacket& packet) {
  Result r;
  r.outcome = DnsDissector().dissect(packet, r.sink, r.anomalies);
  return r;
}

TEST(DnsDissectorTest, QueryWithTwoQuestionsAndCompression) {
  Bytes m = header(0x0100, 2, 0, 0, 0);
  name(m, {"www", "example", "com"});  // at offset 12
  question(m, 1);
  append(m, {3, 'f', 't', 'p', 0xC0, 16});  // ftp + pointer to "example.com"
  question(m, 28);
  Result r = run(testing::udp(40000, 53, m));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const Observation& o = r.sink.all[0];
  EXPECT_EQ(o.type, ObservationType::kDns);
  EXPECT_FALSE(o.dns.response);
  EXPECT_EQ(o.dns.queries, (std::vector<std::string>{"www.example.com", "ftp.example.com"}));
  EXPECT_EQ(o.dns.query_types, (std::vector<std::uint16_t>{1, 28}));
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(DnsDissectorTest, MdnsResponseRecords) {
  Bytes m = header(0x8400, 0, 5, 0, 2);
  // PTR _companion-link._tcp.local -> "Lucas iPhone" + pointer to the service name.
  const auto service = static_cast<std::uint8_t>(m.size());
  name(m, {"_companion-link", "_tcp", "local"});
  const auto local = static_cast<std::uint8_t>(service + 1 + 15 + 1 + 4);
  rrHeader(m, 12, 1 + 12 + 2);
  const auto instance = static_cast<std::uint8_t>(m.size());
  append(m, {12, 'L', 'u', 'c', 'a', 's', ' ', 'i', 'P', 'h', 'o', 'n', 'e', 0xC0, service});
  // SRV on the instance: priority 0, weight 0, port 49155, target Lucas-iPhone.local.
  append(m, {0xC0, instance});
  rrHeader(m, 33, 6 + 1 + 12 + 2);
  append(m, {0, 0, 0, 0, 0xC0, 0x03});
  const auto target = static_cast<std::uint8_t>(m.size());
  append(m, {12, 'L', 'u', 'c', 'a', 's', '-', 'i', 'P', 'h', 'o', 'n', 'e', 0xC0, local});
  // TXT with two strings and an empty one.
  append(m, {0xC0, instance});
  rrHeader(m, 16, 11 + 5 + 1);
  append(m, {10, 'r', 'p', 'V', 'r', '=', '1', '5', '2', '.', '1', 4, 'a', '=', 'b', 'c', 0});
  // MX 10 mail.local.
  append(m, {0xC0, local});
  rrHeader(m, 15, 2 + 5 + 2);
  append(m, {0, 10, 4, 'm', 'a', 'i', 'l', 0xC0, local});
  // An NSEC (no text form here) keeps no data.
  append(m, {0xC0, local});
  rrHeader(m, 47, 2);
  append(m, {0xAB, 0xCD});
  // Additional: the target's A record, and an OPT pseudo-record that is left out.
  append(m, {0xC0, target});
  rrHeader(m, 1, 4);
  append(m, {192, 168, 2, 17});
  append(m, {0});
  rrHeader(m, 41, 0);
  Result r = run(testing::udp(5353, 5353, m));
  ASSERT_EQ(r.sink.all.size(), 1u);
  const Observation& o = r.sink.all[0];
  EXPECT_EQ(o.type, ObservationType::kMdns);
  EXPECT_TRUE(o.dns.response);
  EXPECT_TRUE(o.dns.queries.empty());
  ASSERT_EQ(o.dns.answers.size(), 5u);
  EXPECT_EQ(o.dns.answers[0].name, "_companion-link._tcp.local");
  EXPECT_EQ(o.dns.answers[0].type, 12);
  EXPECT_EQ(o.dns.answers[0].data, "Lucas iPhone._companion-link._tcp.local");
  EXPECT_EQ(o.dns.answers[1].name, "Lucas iPhone._companion-link._tcp.local");
  EXPECT_EQ(o.dns.answers[1].data, "0 0 49155 Lucas-iPhone.local");
  EXPECT_EQ(o.dns.answers[2].txt, (std::vector<std::string>{"rpVr=152.1", "a=bc", ""}));
  EXPECT_TRUE(o.dns.answers[2].data.empty());
  EXPECT_EQ(o.dns.answers[3].data, "10 mail.local");
  EXPECT_EQ(o.dns.answers[4].type, 47);
  EXPECT_TRUE(o.dns.answers[4].data.empty());
  ASSERT_EQ(o.dns.additional.size(), 1u);
  EXPECT_EQ(o.dns.additional[0].name, "Lucas-iPhone.local");
  EXPECT_EQ(o.dns.additional[0].data, "192.168.2.17");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(DnsDissectorTest, AaaaAndAuthority) {
  Bytes m = header(0x0000, 0, 0, 1, 0);  // an mDNS probe carries its records in authority
  name(m, {"Lucas-iPhone", "local"});
  rrHeader(m, 28, 16);
  append(m, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x04, 0xba, 0x09, 0x1a, 0x78, 0x17, 0xe3, 0x18});
  Result r = run(testing::udp(5353, 5353, m));
  ASSERT_EQ(r.sink.all.at(0).dns.authority.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dns.authority[0].type, 28);
  EXPECT_EQ(r.sink.all[0].dns.authority[0].data, "fe80::4ba:91a:7817:e318");
}

TEST(DnsDissectorTest, MdnsWhenEitherPortIs5353) {
  Bytes m = header(0, 1, 0, 0, 0);
  name(m, {"x", "local"});
  question(m, 12);
  EXPECT_EQ(run(testing::udp(5353, 40000, m)).sink.all.at(0).type, ObservationType::kMdns);
  EXPECT_EQ(run(testing::udp(40000, 5353, m)).sink.all.at(0).type, ObservationType::kMdns);
  EXPECT_EQ(run(testing::udp(40000, 53, m)).sink.all.at(0).type, ObservationType::kDns);
}

TEST(DnsDissectorTest, TcpLengthPrefixedMessages) {
  Bytes one = header(0x0100, 1, 0, 0, 0);
  name(one, {"a", "org"});
  question(one, 1);
  Bytes two = header(0x0100, 1, 0, 0, 0);
  name(two, {"b", "org"});
  question(two, 1);
  Bytes segment;
  appendU16(segment, static_cast<unsigned>(one.size()));
  segment.insert(segment.end(), one.begin(), one.end());
  appendU16(segment, static_cast<unsigned>(two.size()));
  segment.insert(segment.end(), two.begin(), two.end());
  Result r = run(testing::tcp(40000, 53, segment));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 2u);
  EXPECT_EQ(r.sink.all[0].dns.queries.at(0), "a.org");
  EXPECT_EQ(r.sink.all[1].dns.queries.at(0), "b.org");
}

TEST(DnsDissectorTest, TcpSegmentNotStartingAMessageIsNotMine) {
  Bytes segment(40, 0x41);  // length prefix 0x4141 exceeds the segment
  Result r = run(testing::tcp(53, 40000, segment));
  EXPECT_EQ(r.outcome, Outcome::kNotMine);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(DnsDissectorTest, ShortHeader) {
  Bytes m = header(0, 1, 0, 0, 0);
  m.resize(11);
  Result r = run(testing::udp(40000, 53, m));
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.get("dns.truncated"), 1u);
}

TEST(DnsDissectorTest, QuestionCountLargerThanTheMessage) {
  Bytes m = header(0x0100, 3, 0, 0, 0);
  name(m, {"only", "one"});
  question(m, 1);
  Result r = run(testing::udp(40000, 53, m));
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  ASSERT_EQ(r.sink.all.size(), 1u);  // the partial observation keeps the first question
  EXPECT_EQ(r.sink.all[0].dns.queries, (std::vector<std::string>{"only.one"}));
  EXPECT_EQ(r.anomalies.get("dns.truncated"), 1u);
}

TEST(DnsDissectorTest, LoopingQuestionIsSkippedAndParsingGoesOn) {
  Bytes m = header(0x0100, 2, 0, 0, 0);
  append(m, {1, 'x', 0xC0, 12});  // points at itself: loop
  question(m, 1);
  name(m, {"ok", "net"});
  question(m, 1);
  Result r = run(testing::udp(40000, 53, m));
  EXPECT_EQ(r.anomalies.get("dns.pointer_loop"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dns.queries, (std::vector<std::string>{"ok.net"}));
}

TEST(DnsDissectorTest, BadLabelStopsParsing) {
  Bytes m = header(0x0100, 2, 0, 0, 0);
  append(m, {0x40, 'x', 0});
  question(m, 1);
  name(m, {"never", "seen"});
  question(m, 1);
  Result r = run(testing::udp(40000, 53, m));
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  EXPECT_EQ(r.anomalies.get("dns.bad_label_type"), 1u);
  EXPECT_TRUE(r.sink.all.at(0).dns.queries.empty());
}

TEST(DnsDissectorTest, BadRdata) {
  Bytes m = header(0x8000, 0, 3, 0, 0);
  name(m, {"a"});
  rrHeader(m, 1, 3);  // an A record of 3 bytes
  append(m, {1, 2, 3});
  name(m, {"b"});
  rrHeader(m, 16, 3);  // a TXT string overrunning its RDATA
  append(m, {5, 'x', 'y'});
  name(m, {"c"});
  rrHeader(m, 12, 3);  // a PTR whose name runs past its RDATA
  append(m, {1, 'z', 0});
  Result r = run(testing::udp(53, 40000, m));
  EXPECT_EQ(r.anomalies.get("dns.bad_rdata"), 2u);
  EXPECT_EQ(r.anomalies.get("dns.truncated"), 0u);
  ASSERT_EQ(r.sink.all.at(0).dns.answers.size(), 3u);
  EXPECT_TRUE(r.sink.all[0].dns.answers[0].data.empty());
  EXPECT_EQ(r.sink.all[0].dns.answers[2].data, "z");  // fits exactly: fine
}

TEST(DnsDissectorTest, PtrNameBeyondRdataIsBad) {
  Bytes m = header(0x8000, 0, 1, 0, 0);
  name(m, {"c"});
  rrHeader(m, 12, 2);  // RDATA says 2 bytes but the name needs 3
  append(m, {1, 'z', 0});
  Result r = run(testing::udp(53, 40000, m));
  EXPECT_EQ(r.anomalies.get("dns.bad_rdata"), 1u);
}

TEST(DnsDissectorTest, RecordCountIsBounded) {
  // 600 one-byte root questions.
  Bytes m = header(0x0100, 600, 0, 0, 0);
  for (int i = 0; i < 600; ++i) {
    m.push_back(0);
    question(m, 2);
  }
  Result r = run(testing::udp(40000, 53, m));
  EXPECT_EQ(r.anomalies.get("dns.too_many_records"), 1u);
  EXPECT_EQ(r.sink.all.at(0).dns.queries.size(), DnsDissector::kMaxRecords);
  EXPECT_EQ(r.sink.all[0].dns.queries[0], "<Root>");
}

// Real mDNS response from an iPad (telegram capture, frame 9; fuzz/dissect_dns/corpus).
TEST(DnsDissectorTest, RealIpadMdnsResponse) {
  const auto seed = testing::readSeed("dns", "telegram-9.bin");
  ASSERT_TRUE(seed.has_value());
  Result r = run(packetFromFuzzInput(*seed));
  ASSERT_EQ(r.sink.all.size(), 1u);
  const DnsFields& d = r.sink.all[0].dns;
  EXPECT_EQ(r.sink.all[0].type, ObservationType::kMdns);
  ASSERT_EQ(d.answers.size(), 3u);
  EXPECT_EQ(d.answers[0].data, "_dacp._tcp.local");
  EXPECT_EQ(d.answers[1].data, "Gabrieles-iPad.local");
  EXPECT_EQ(d.answers[2].name, "75.1.168.192.in-addr.arpa");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

// Real mDNS announcement of an iMac (iphone capture, frame 3): device-info TXT and the
// non-ASCII apostrophe of "Luca’s iMac" kept as UTF-8, as tshark shows it.
TEST(DnsDissectorTest, RealImacAnnouncement) {
  const auto seed = testing::readSeed("dns", "iphone-3.bin");
  ASSERT_TRUE(seed.has_value());
  Result r = run(packetFromFuzzInput(*seed));
  ASSERT_EQ(r.sink.all.size(), 1u);
  bool found = false;
  for (const DnsRecord& rr : r.sink.all[0].dns.answers) {
    if (rr.name == "Luca\xe2\x80\x99s iMac._device-info._tcp.local") {
      found = true;
      EXPECT_EQ(rr.txt, (std::vector<std::string>{"model=iMac11,3", "osxvers=17"}));
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

}  // namespace
}  // namespace phaseout::dissect
