#include <gtest/gtest.h>

#include "server/transport.h"

namespace phaseout::server {
namespace {

TEST(ListenAddressTest, ParsesIpv4Ipv6AndNames) {
  auto a = parseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(a.isOk());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = parseListenAddress("[::1]:0");
  ASSERT_TRUE(a.isOk());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  a = parseListenAddress("localhost:443");
  ASSERT_TRUE(a.isOk());
  EXPECT_EQ(a->host, "localhost");
  a = parseListenAddress(":8080");
  ASSERT_TRUE(a.isOk());
  EXPECT_EQ(a->host, "");
  EXPECT_EQ(formatListenAddress("::1", 80), "[::1]:80");
  EXPECT_EQ(formatListenAddress("10.0.0.1", 80), "10.0.0.1:80");
}

TEST(ListenAddressTest, RefusesWithTheField) {
  for (const char* bad : {"8080", "::1:8080", "[::1]8080", "[::1]", "[]:80", "host:", "host:x",
                          "host:65536", "host:-1", "a b:80", "h/x:80"}) {
    auto r = parseListenAddress(bad);
    ASSERT_FALSE(r.isOk()) << bad;
    EXPECT_EQ(r.status().field(), "listen") << bad;
  }
}

TEST(RequestTargetTest, DecodesPathAndQuery) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  ASSERT_TRUE(
      parseRequestTarget("/api/v1/devices?unit=pa%2F**&status=x+y&flag&=v&&a=%C3%A9", path, query)
          .isOk());
  EXPECT_EQ(path, "/api/v1/devices");
  ASSERT_EQ(query.size(), 5u);
  EXPECT_EQ(query[0], (std::pair<std::string, std::string>{"unit", "pa/**"}));
  EXPECT_EQ(query[1], (std::pair<std::string, std::string>{"status", "x y"}));
  EXPECT_EQ(query[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(query[3], (std::pair<std::string, std::string>{"", "v"}));
  EXPECT_EQ(query[4], (std::pair<std::string, std::string>{"a", "\xC3\xA9"}));
  ASSERT_TRUE(parseRequestTarget("/devices/a%20b+c", path, query).isOk());
  EXPECT_EQ(path, "/devices/a b+c");
  EXPECT_TRUE(query.empty());
  ASSERT_TRUE(parseRequestTarget("/", path, query).isOk());
  EXPECT_EQ(path, "/");
  ASSERT_TRUE(parseRequestTarget("/a/..b/.c", path, query).isOk());
}

TEST(RequestTargetTest, RefusesTraversalAndBadBytes) {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  for (const char* bad : {"",
                          "*",
                          "http://x/",
                          "api",
                          "/../../etc/passwd",
                          "/a/../b",
                          "/a/./b",
                          "/a/..",
                          "/%2e%2e/%2e%2e/etc/passwd",
                          "/%2E%2E",
                          "/a/%2e",
                          "/a%2f..%2fb",
                          "/a%5c..%5cb",
                          "/a\\b",
                          "/a%00",
                          "/a%",
                          "/a%4",
                          "/a%zz",
                          "/a%ff",
                          "/x?a=%",
                          "/x?a=%00",
                          "/x?%c3=1"}) {
    auto s = parseRequestTarget(bad, path, query);
    EXPECT_FALSE(s.isOk()) << bad;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SecurityHeadersTest, TransportResponsesCarryThem) {
  Headers h;
  h.add("Cache-Control", "public");
  addTransportSecurityHeaders(h);
  EXPECT_EQ(h.get("Content-Security-Policy").value(), "default-src 'self'; frame-ancestors 'none'");
  EXPECT_EQ(h.get("X-Content-Type-Options").value(), "nosniff");
  EXPECT_EQ(h.get("Referrer-Policy").value(), "no-referrer");
  EXPECT_EQ(h.get("Cache-Control").value(), "no-store");
  EXPECT_EQ(h.all().size(), 4u);
}

}  // namespace
}  // namespace phaseout::server
