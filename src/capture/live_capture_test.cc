#include "capture/live_capture.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace phaseout::capture {
namespace {

TEST(LiveCapture, MissingInterfaceIsUnavailable) {
  LiveOptions options;
  options.interface = "ph-no-such-if0";
  auto capture = LiveCapture::open(options);
  ASSERT_FALSE(capture.isOk());
  EXPECT_NE(capture.status().message().find("ph-no-such-if0"), std::string::npos);
}

TEST(LiveCapture, BadFilterIsInvalidArgumentAndTimeoutReturnsZero) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to open the loopback interface";
  LiveOptions options;
  options.interface = "lo";
  options.filter = "tcp port";
  auto bad = LiveCapture::open(options);
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);

  // A filter nothing matches: poll() must come back after its timeout with no frames.
  options.filter = "udp port 9 and host 192.0.2.77";
  auto capture = LiveCapture::open(options);
  ASSERT_TRUE(capture.isOk()) << capture.status().toString();
  EXPECT_EQ(capture->linkType(), 1u);  // Linux loopback has Ethernet framing
  struct Counter : FrameHandler {
    int n = 0;
    void onFrame(const Frame&) override { ++n; }
  } counter;
  auto got = capture->poll(50, counter, 100);
  ASSERT_TRUE(got.isOk());
  EXPECT_EQ(*got, 0u);
  EXPECT_EQ(counter.n, 0);
}

}  // namespace
}  // namespace phaseout::capture
