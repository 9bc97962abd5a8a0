#include "detect/pattern_matcher.h"

#include <gtest/gtest.h>

namespace phaseout::detect {
namespace {

std::vector<std::uint32_t> run(const PatternMatcher& m, std::string_view text) {
  std::vector<std::uint32_t> ids;
  m.match(text, ids);
  return ids;
}

TEST(PatternMatcherTest, ExactPrefixSuffixSubstringAndGlob) {
  PatternMatcher m;
  const auto exact = m.add("captive.apple.com");
  const auto prefix = m.add("android-*");
  const auto suffix = m.add("*.apple.com");
  const auto contains = m.add("*iPhone*");
  const auto glob = m.add("ttl64:*:ecn1:*");
  m.build();
  EXPECT_EQ(run(m, "captive.apple.com"), (std::vector<std::uint32_t>{exact, suffix}));
  EXPECT_EQ(run(m, "CAPTIVE.Apple.COM"), (std::vector<std::uint32_t>{exact, suffix}));
  EXPECT_EQ(run(m, "xcaptive.apple.com"), (std::vector<std::uint32_t>{suffix}));
  EXPECT_EQ(run(m, "android-1c1335ec95a27318"), (std::vector<std::uint32_t>{prefix}));
  EXPECT_TRUE(run(m, "my-android-phone").empty());
  EXPECT_EQ(run(m, "Lucas-iPhone"), (std::vector<std::uint32_t>{contains}));
  EXPECT_EQ(run(m, "ttl64:mss,nop:ws6:win65535:ecn1:df1"), (std::vector<std::uint32_t>{glob}));
  EXPECT_TRUE(run(m, "ttl64:mss,nop:ws6:win65535:ecn0:df1").empty());
  EXPECT_TRUE(run(m, "").empty());
}

TEST(PatternMatcherTest, OverlappingPatternsAllReportedOnce) {
  PatternMatcher m;
  const auto a = m.add("*he*");
  const auto b = m.add("*she*");
  const auto c = m.add("*hers*");
  const auto d = m.add("her*");
  m.build();
  EXPECT_EQ(run(m, "ushers"), (std::vector<std::uint32_t>{a, b, c}));
  EXPECT_EQ(run(m, "hehehe"), (std::vector<std::uint32_t>{a}));
  EXPECT_EQ(run(m, "hers"), (std::vector<std::uint32_t>{a, c, d}));
}

TEST(PatternMatcherTest, StarMatchesEverythingAndEmptyMatchesEmpty) {
  PatternMatcher m;
  const auto all = m.add("*");
  const auto empty = m.add("");
  m.build();
  EXPECT_EQ(run(m, "anything"), (std::vector<std::uint32_t>{all}));
  EXPECT_EQ(run(m, ""), (std::vector<std::uint32_t>{all, empty}));
}

TEST(PatternMatcherTest, AppendsToExistingIdsAndIgnoresBytesBeyondTheScanLimit) {
  PatternMatcher m;
  const auto tail = m.add("*needle");
  const auto head = m.add("*needle*");
  m.build();
  std::vector<std::uint32_t> ids = {99};
  m.match("a needle", ids);
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{99, tail, head}));
  std::string long_text(PatternMatcher::kMaxScanBytes, 'x');
  long_text += "needle";
  EXPECT_TRUE(run(m, long_text).empty());
}

TEST(PatternMatcherTest, BinaryInputIsSafe) {
  PatternMatcher m;
  m.add("*\xff\x00*");
  m.add("*abc*");
  m.build();
  std::string text(
      "\x00\xff\xfe"
      "abc",
      6);
  EXPECT_EQ(run(m, text).size(), 1u);
}

TEST(GlobMatchStarTest, InnerStars) {
  EXPECT_TRUE(globMatchStar("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(globMatchStar("a*b*c", "abc"));
  EXPECT_FALSE(globMatchStar("a*b*c", "acb"));
  EXPECT_TRUE(globMatchStar("www.google.*/generate_204", "WWW.Google.EU/generate_204"));
  EXPECT_FALSE(globMatchStar("www.google.*/generate_204", "www.google.eu/generate_204x"));
}

}  // namespace
}  // namespace phaseout::detect
