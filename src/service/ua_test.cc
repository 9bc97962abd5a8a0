#include "service/ua.h"

#include <gtest/gtest.h>

#include <sstream>

namespace phaseout::service {
namespace {

class Collect : public UaSink {
 public:
  void onUserAgent(std::string_view ua, const detect::SignatureSet::UaMatch& match,
                   const detect::SignatureSet& /*signatures*/) override {
    lines.emplace_back(ua);
    platforms.push_back(match.platform);
  }
  void onUnreadable(const std::string& file, const Status& /*why*/) override {
    unreadable.push_back(file);
  }
  std::vector<std::string> lines, unreadable;
  std::vector<platform::Platform> platforms;
};

TEST(ClassifyUserAgents, ReadsStandardInputAndNamesUnreadableFiles) {
  std::istringstream in(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15\r\n"
      "curl/8.0\n");
  UaRequest request;
  request.files = {"-", "/nonexistent/uas.txt"};
  Collect sink;
  const Status status = classifyUserAgents(Caller::localOperator("t"), request, in, sink);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "1 of 2 inputs cannot be read: /nonexistent/uas.txt");
  ASSERT_EQ(sink.lines.size(), 2u);
  EXPECT_EQ(sink.platforms[0], platform::Platform::kIos);
  EXPECT_EQ(sink.lines[1], "curl/8.0");
  EXPECT_EQ(sink.unreadable, std::vector<std::string>{"/nonexistent/uas.txt"});
  // Bad signatures: nothing is read.
  request.signatures_dir = "/nonexistent/signatures";
  Collect none;
  EXPECT_FALSE(classifyUserAgents(Caller::localOperator("t"), request, in, none).isOk());
  EXPECT_TRUE(none.lines.empty());
}

// A UA alone is one group of evidence: at most likely, and an embedded second platform keeps
// it from being a confident verdict on the first.
TEST(JudgeUserAgentAlone, NeverConfirmedAndEmbeddedUaWeakensIt) {
  auto set = detect::SignatureSet::loadBuiltin();
  ASSERT_TRUE(set.isOk());
  const auto iphone = (*set)->classifyUserAgent(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/16.5 Mobile/15E148 Safari/604.1");
  const UaAlone alone = judgeUserAgentAlone(**set, iphone);
  EXPECT_EQ(alone.level, detect::Level::kLikely);
  EXPECT_GT(alone.confidence, 0.9);
  const auto mixed = (*set)->classifyUserAgent(
      "Mozilla/5.0 (Symbian/3; U; E6-00; de-DE) AppleWebKit/534.3 (KHTML, like Gecko) "
      "Mozilla/5.0 (iPhone; U; CPU iPhone OS 7_1 like Mac OS X; en-us) AppleWebKit/528.18");
  ASSERT_TRUE(mixed.embedded_rule.has_value());
  EXPECT_EQ(judgeUserAgentAlone(**set, mixed).level, detect::Level::kUnknown);
  EXPECT_EQ(judgeUserAgentAlone(**set, (*set)->classifyUserAgent("curl/8.0")).confidence, 0.0);
}

}  // namespace
}  // namespace phaseout::service
