#include "dissect/http/http_dissector.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::Bytes;
using testing::bytesOf;
using testing::CollectingSink;

struct Result {
  Outcome outcome;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result runTcp(std::string_view segment, std::uint16_t dst_port = 80) {
  Result r;
  const Bytes payload = bytesOf(segment);
  r.outcome = HttpDissector().dissect(testing::tcp(49152, dst_port, payload), r.sink, r.anomalies);
  return r;
}

TEST(HttpDissectorTest, CaptivePortalProbe) {
  Result r = runTcp(
      "GET /hotspot-detect.html HTTP/1.0\r\n"
      "Host: captive.apple.com\r\n"
      "Connection: close\r\n"
      "User-Agent: CaptiveNetworkSupport-390.60.1 wispr\r\n"
      "\r\n");
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const HttpFields& h = r.sink.all[0].http;
  EXPECT_EQ(r.sink.all[0].type, ObservationType::kHttp);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.path, "/hotspot-detect.html");
  EXPECT_EQ(h.host, "captive.apple.com");
  EXPECT_EQ(h.user_agent, "CaptiveNetworkSupport-390.60.1 wispr");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(HttpDissectorTest, AnyPortAndMethods) {
  EXPECT_EQ(runTcp("POST /api HTTP/1.1\r\nHost: a\r\n\r\n", 4444).sink.all.at(0).http.method,
            "POST");
  EXPECT_EQ(runTcp("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").sink.all.at(0).http.path, "*");
  EXPECT_EQ(runTcp("PROPFIND /dav HTTP/1.1\r\n\r\n").sink.all.at(0).http.method, "PROPFIND");
  EXPECT_EQ(runTcp("UNSUBSCRIBE /e HTTP/1.1\r\n\r\n").sink.all.at(0).http.method, "UNSUBSCRIBE");
}

TEST(HttpDissectorTest, NotARequest) {
  EXPECT_EQ(runTcp("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n").outcome, Outcome::kNotMine);
  EXPECT_EQ(runTcp("GETX / HTTP/1.1\r\nHost: a\r\n\r\n").outcome, Outcome::kNotMine);
  EXPECT_EQ(runTcp("FOO / HTTP/1.1\r\nHost: foo\r\n\r\n").outcome, Outcome::kNotMine);
  EXPECT_EQ(runTcp("get / HTTP/1.1\r\nHost: a\r\n\r\n").outcome, Outcome::kNotMine);  // case
  Result r = runTcp("GET  HTTP/1.1\r\nHost: a\r\n\r\n");  // empty request-target
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  EXPECT_EQ(r.anomalies.get("http.bad_request_line"), 1u);
  EXPECT_TRUE(r.sink.all.empty());
}

// The conventions below were checked against tshark 4.0 with TCP desegmentation off.
TEST(HttpDissectorTest, FieldNamesAreCaseInsensitiveAndLeadingBlanksDropped) {
  Result r = runTcp("GET / HTTP/1.1\r\nhost:  ex.com  \r\nUSER-AGENT:ua  x \r\n\r\n");
  EXPECT_EQ(r.sink.all.at(0).http.host, "ex.com  ");
  EXPECT_EQ(r.sink.all[0].http.user_agent, "ua  x ");
}

TEST(HttpDissectorTest, FirstOfRepeatedFieldsWins) {
  Result r = runTcp(
      "GET / HTTP/1.1\r\nHost: one\r\nHost: two\r\nUser-Agent: u1\r\n"
      "User-Agent: u2\r\n\r\n");
  EXPECT_EQ(r.sink.all.at(0).http.host, "one");
  EXPECT_EQ(r.sink.all[0].http.user_agent, "u1");
  EXPECT_EQ(r.anomalies.get("http.duplicate_host"), 1u);
}

TEST(HttpDissectorTest, LastLineCutBySegmentEndIsRead) {
  Result r = runTcp("GET / HTTP/1.1\r\nHost: incomplete\r\nUser-Agent: inc");
  EXPECT_EQ(r.sink.all.at(0).http.host, "incomplete");
  EXPECT_EQ(r.sink.all[0].http.user_agent, "inc");
}

TEST(HttpDissectorTest, LineEndings) {
  Result lf = runTcp("GET / HTTP/1.1\nHost: lf\nUser-Agent: lfua\n\n");
  EXPECT_EQ(lf.sink.all.at(0).http.host, "lf");
  EXPECT_EQ(lf.sink.all[0].http.user_agent, "lfua");
  // A lone CR ends a line too.
  Result cr = runTcp("OPTIONS * HTTP/1.0\r\nHost: opt\r\nUser-Agent: a\rb\r\n\r\n");
  EXPECT_EQ(cr.sink.all.at(0).http.user_agent, "a");
  // Obsolete line folding is not joined.
  Result fold = runTcp("GET / HTTP/1.1\r\nHost: fold\r\nUser-Agent: first\r\n second\r\n\r\n");
  EXPECT_EQ(fold.sink.all.at(0).http.user_agent, "first");
}

TEST(HttpDissectorTest, HeadersAfterTheBlankLineAreBody) {
  Result r = runTcp("POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\nHost: not-a-header\r\n");
  EXPECT_TRUE(r.sink.all.at(0).http.host.empty());
}

TEST(HttpDissectorTest, ValuesReadAsAscii) {
  static constexpr char kRequest[] =
      "GET / HTTP/1.1\r\nHost: ho\0st\r\nUser-Agent: \xc3\xa9t\x01\r\n\r\n";
  Result r = runTcp(std::string_view(kRequest, sizeof kRequest - 1));
  EXPECT_EQ(r.sink.all.at(0).http.host, "ho");
  EXPECT_EQ(r.sink.all[0].http.user_agent, "\xEF\xBF\xBD\xEF\xBF\xBDt\x01");
}

TEST(HttpDissectorTest, EmptyValuesAreAbsent) {
  Result r = runTcp("GET / HTTP/1.1\r\nHost:\r\nUser-Agent:   \r\n\r\n");
  EXPECT_TRUE(r.sink.all.at(0).http.host.empty());
  EXPECT_TRUE(r.sink.all[0].http.user_agent.empty());
}

TEST(HttpDissectorTest, HttpZeroNineStyleRequestLine) {
  EXPECT_EQ(runTcp("GET /\r\nHost: nover\r\n\r\n").sink.all.at(0).http.host, "nover");
}

TEST(HttpDissectorTest, SsdpSearchOverUdp) {
  const Bytes payload = bytesOf(
      "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
      "ST: urn:dial-multiscreen-org:service:dial:1\r\n"
      "USER-AGENT: Google Chrome/80.0.3987.116 Mac OS X\r\n\r\n");
  CollectingSink sink;
  AnomalyCounters anomalies;
  HttpDissector().dissect(testing::udp(60538, 1900, payload), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].http.method, "M-SEARCH");
  EXPECT_EQ(sink.all[0].http.host, "239.255.255.250:1900");
  EXPECT_EQ(sink.all[0].http.user_agent, "Google Chrome/80.0.3987.116 Mac OS X");
}

// Real request from the iPhone capture (frame 87; fuzz/dissect_http/corpus).
TEST(HttpDissectorTest, RealIphoneCaptiveProbe) {
  const auto seed = testing::readSeed("http", "iphone-87.bin");
  ASSERT_TRUE(seed.has_value());
  CollectingSink sink;
  AnomalyCounters anomalies;
  HttpDissector().dissect(packetFromFuzzInput(*seed), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].http.host, "captive.apple.com");
  EXPECT_EQ(sink.all[0].http.user_agent, "CaptiveNetworkSupport-390.60.1 wispr");
}

}  // namespace
}  // namespace phaseout::dissect
