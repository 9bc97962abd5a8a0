#include "dissect/tls/tls_dissector.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::append;
using testing::appendU16;
using testing::Bytes;
using testing::CollectingSink;

void appendU24(Bytes& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  appendU16(out, static_cast<unsigned>(v & 0xFFFF));
}

void extension(Bytes& out, unsigned type, const Bytes& data) {
  appendU16(out, type);
  appendU16(out, static_cast<unsigned>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

Bytes serverName(std::string_view host) {
  Bytes d;
  appendU16(d, static_cast<unsigned>(host.size() + 3));  // server_name_list length
  d.push_back(0);                                        // host_name
  appendU16(d, static_cast<unsigned>(host.size()));
  append(d, host);
  return d;
}

Bytes alpn(std::initializer_list<std::string_view> protocols) {
  Bytes list;
  for (std::string_view p : protocols) {
    list.push_back(static_cast<std::uint8_t>(p.size()));
    append(list, p);
  }
  Bytes d;
  appendU16(d, static_cast<unsigned>(list.size()));
  d.insert(d.end(), list.begin(), list.end());
  return d;
}

// ClientHello body (RFC 8446 §4.1.2): version, random, empty session id, ciphers,
// null compression, extensions.
Bytes helloBody(std::initializer_list<unsigned> ciphers, const Bytes& extensions,
                bool with_extensions = true) {
  Bytes b;
  appendU16(b, 0x0303);
  b.resize(b.size() + 32, 0x11);
  b.push_back(0);
  appendU16(b, static_cast<unsigned>(2 * ciphers.size()));
  for (unsigned c : ciphers) appendU16(b, c);
  append(b, {1, 0});
  if (with_extensions) {
    appendU16(b, static_cast<unsigned>(extensions.size()));
    b.insert(b.end(), extensions.begin(), extensions.end());
  }
  return b;
}

Bytes handshake(const Bytes& body) {
  Bytes h;
  h.push_back(1);  // client_hello
  appendU24(h, body.size());
  h.insert(h.end(), body.begin(), body.end());
  return h;
}

Bytes record(const Bytes& fragment) {
  Bytes r;
  append(r, {22, 3, 1});
  appendU16(r, static_cast<unsigned>(fragment.size()));
  r.insert(r.end(), fragment.begin(), fragment.end());
  return r;
}

// The hello of ja4_test's HandComputedVector, plus GREASE: JA4
// t13d0205h1_c1929292aa6b_fbabbea27ee8.
Bytes standardExtensions() {
  Bytes e;
  extension(e, 0x0000, serverName("gateway.icloud.com"));
  extension(e, 0x3a3a, {});               // GREASE
  extension(e, 0x000a, {0, 2, 0, 0x1d});  // supported_groups
  extension(e, 0x0010, alpn({"http/1.1", "h2"}));
  extension(e, 0x000d, {0, 4, 0x04, 0x03, 0x08, 0x04});  // signature_algorithms
  extension(e, 0x002b, {4, 0x4a, 0x4a, 0x03, 0x04});     // supported_versions
  return e;
}

struct Result {
  Outcome outcome;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result run(const Bytes& segment) {
  Result r;
  r.outcome = TlsDissector().dissect(testing::tcp(50575, 443, segment), r.sink, r.anomalies);
  return r;
}

TEST(TlsDissectorTest, ClientHelloFields) {
  Result r = run(record(handshake(helloBody({0x0a0a, 0xc02f, 0x1301}, standardExtensions()))));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const TlsFields& t = r.sink.all[0].tls;
  EXPECT_EQ(r.sink.all[0].type, ObservationType::kTls);
  EXPECT_EQ(t.version, "1.3");
  EXPECT_EQ(t.sni, "gateway.icloud.com");
  EXPECT_EQ(t.alpn, (std::vector<std::string>{"http/1.1", "h2"}));
  EXPECT_EQ(t.ja4, "t13d0205h1_c1929292aa6b_fbabbea27ee8");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(TlsDissectorTest, HelloSplitOverTwoRecords) {
  const Bytes message = handshake(helloBody({0xc02f, 0x1301}, standardExtensions()));
  const Bytes first(message.begin(), message.begin() + 30);
  const Bytes second(message.begin() + 30, message.end());
  Bytes segment = record(first);
  const Bytes tail = record(second);
  segment.insert(segment.end(), tail.begin(), tail.end());
  Result r = run(segment);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  EXPECT_EQ(r.sink.all.at(0).tls.ja4, "t13d0205h1_c1929292aa6b_fbabbea27ee8");
}

TEST(TlsDissectorTest, HelloCutBySegmentEndKeepsSniButNoJa4) {
  Bytes segment = record(handshake(helloBody({0xc02f, 0x1301}, standardExtensions())));
  segment.resize(segment.size() - 8);  // cut inside supported_versions
  Result r = run(segment);
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_EQ(r.anomalies.get("tls.truncated_client_hello"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].tls.sni, "gateway.icloud.com");
  EXPECT_EQ(r.sink.all[0].tls.alpn.size(), 2u);
  EXPECT_TRUE(r.sink.all[0].tls.ja4.empty());
  EXPECT_TRUE(r.sink.all[0].tls.version.empty());  // supported_versions not seen
}

TEST(TlsDissectorTest, HelloCutBeforeExtensions) {
  Bytes segment = record(handshake(helloBody({0xc02f, 0x1301}, standardExtensions())));
  segment.resize(5 + 4 + 20);
  Result r = run(segment);
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_TRUE(r.sink.all[0].tls.sni.empty());
}

TEST(TlsDissectorTest, ExtensionOverrunningTheListIsMalformed) {
  Bytes e;
  extension(e, 0x0000, serverName("a.example"));
  appendU16(e, 0x000a);
  appendU16(e, 40);  // claims 40 bytes, 2 follow
  append(e, {0, 0});
  Result r = run(record(handshake(helloBody({0x1301}, e))));
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  EXPECT_EQ(r.anomalies.get("tls.malformed_client_hello"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].tls.sni, "a.example");
  EXPECT_TRUE(r.sink.all[0].tls.ja4.empty());
}

TEST(TlsDissectorTest, ServerNameListOverrunIsMalformed) {
  Bytes sni = serverName("a.example");
  sni[1] = 40;  // list length beyond the extension
  Bytes e;
  extension(e, 0x0000, sni);
  Result r = run(record(handshake(helloBody({0x1301}, e))));
  EXPECT_EQ(r.anomalies.get("tls.malformed_client_hello"), 1u);
}

TEST(TlsDissectorTest, SniReadAsAscii) {
  Bytes e;
  extension(e, 0x0000, serverName(std::string_view("ho\0st", 5)));
  Result r = run(record(handshake(helloBody({0x1301}, e))));
  EXPECT_EQ(r.sink.all.at(0).tls.sni, "ho");
}

TEST(TlsDissectorTest, HelloWithoutExtensions) {
  Result r = run(record(handshake(helloBody({0x0035}, {}, /*with_extensions=*/false))));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  EXPECT_EQ(r.sink.all.at(0).tls.ja4, "t12i010000_692296a295db_000000000000");
  EXPECT_EQ(r.sink.all[0].tls.version, "1.2");
}

TEST(TlsDissectorTest, NotAClientHello) {
  Bytes server_hello = record(handshake(helloBody({0x1301}, {})));
  server_hello[5] = 2;
  EXPECT_EQ(run(server_hello).outcome, Outcome::kNotMine);
  Bytes application_data = server_hello;
  application_data[0] = 23;
  EXPECT_EQ(run(application_data).outcome, Outcome::kNotMine);
  Bytes sslv2ish = server_hello;
  sslv2ish[1] = 2;
  EXPECT_EQ(run(sslv2ish).outcome, Outcome::kNotMine);
  EXPECT_EQ(run(Bytes{22, 3, 1}).outcome, Outcome::kNotMine);
}

TEST(TlsDissectorTest, VersionNames) {
  EXPECT_EQ(tlsVersionName(0x0304), "1.3");
  EXPECT_EQ(tlsVersionName(0x0301), "1.0");
  EXPECT_EQ(tlsVersionName(0x0300), "ssl3");
  EXPECT_EQ(tlsVersionName(0x7f1c), "0x7f1c");
}

// Real ClientHello of the iPhone capture (frame 68; fuzz/dissect_tls/corpus). tshark shows
// SNI p26-fmfmobile.icloud.com; nDPI's published result for this flow
// (tests/cfgs/default/result/iphone.pcap.out) has JA4 t13d2613h2_2802a3db6c62_845d286b0d67.
TEST(TlsDissectorTest, RealIphoneHelloMatchesPublishedJa4) {
  const auto seed = testing::readSeed("tls", "iphone-68.bin");
  ASSERT_TRUE(seed.has_value());
  CollectingSink sink;
  AnomalyCounters anomalies;
  TlsDissector().dissect(packetFromFuzzInput(*seed), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].tls.sni, "p26-fmfmobile.icloud.com");
  EXPECT_EQ(sink.all[0].tls.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(sink.all[0].tls.ja4, "t13d2613h2_2802a3db6c62_845d286b0d67");
  EXPECT_EQ(sink.all[0].tls.version, "1.3");
}

}  // namespace
}  // namespace phaseout::dissect
