#include "dissect/fuzz_input.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::Bytes;

TEST(FuzzInputTest, ShortInputIsAUdpPayload) {
  const Bytes input = {1, 2, 3};
  const decode::DecodedPacket p = packetFromFuzzInput(input);
  EXPECT_EQ(p.transport, decode::Transport::kUdp);
  EXPECT_EQ(p.payload.size(), 3u);
  EXPECT_EQ(packetFromFuzzInput({}).payload.size(), 0u);
}

TEST(FuzzInputTest, Layout) {
  const Bytes input = {0x07, 0xC3, 0x50, 0x01, 0xBB, 0xC2, 4, 2, 4, 5, 0xb4, 'x', 'y'};
  const decode::DecodedPacket p = packetFromFuzzInput(input);
  EXPECT_EQ(p.transport, decode::Transport::kTcp);
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_ip.family, 6);
  EXPECT_EQ(p.src_port, 50000);
  EXPECT_EQ(p.dst_port, 443);
  EXPECT_EQ(p.tcp_flags, 0xC2);
  ASSERT_EQ(p.tcp_options.size(), 4u);
  EXPECT_EQ(p.tcp_options[3], 0xb4);
  ASSERT_EQ(p.payload.size(), 2u);
  EXPECT_EQ(p.payload[0], 'x');
}

TEST(FuzzInputTest, OptionsLengthIsClamped) {
  Bytes input = {0x01, 0, 1, 0, 2, 0x02, 200};
  input.resize(input.size() + 50, 1);
  const decode::DecodedPacket p = packetFromFuzzInput(input);
  EXPECT_EQ(p.tcp_options.size(), kFuzzMaxTcpOptionBytes);
  EXPECT_EQ(p.payload.size(), 10u);
  const Bytes tiny = {0x01, 0, 1, 0, 2, 0x02, 9, 1, 1};
  EXPECT_EQ(packetFromFuzzInput(tiny).tcp_options.size(), 2u);
}

TEST(FuzzInputTest, RoundTrip) {
  const Bytes payload = {'G', 'E', 'T', ' '};
  const Bytes options = {2, 4, 5, 0xb4};
  decode::DecodedPacket p = testing::tcp(50000, 80, payload, 0x02);
  p.tcp_options = options;
  const Bytes encoded = fuzzInputFromPacket(p);
  const decode::DecodedPacket back = packetFromFuzzInput(encoded);
  EXPECT_EQ(back.transport, decode::Transport::kTcp);
  EXPECT_EQ(back.src_port, 50000);
  EXPECT_EQ(back.dst_port, 80);
  EXPECT_EQ(back.tcp_flags, 0x02);
  EXPECT_EQ(Bytes(back.tcp_options.begin(), back.tcp_options.end()), options);
  EXPECT_EQ(Bytes(back.payload.begin(), back.payload.end()), payload);
}

TEST(CheckingSinkTest, AcceptsWhatAppendJsonLineWrites) {
  CheckingSink sink;
  const Bytes none;
  Observation o = makeObservation(ObservationType::kHttp, testing::tcp(1, 2, none));
  o.http.user_agent = std::string("\x01\xff\"\\", 4);
  sink.onObservation(o);
  EXPECT_EQ(sink.count(), 1u);
}

}  // namespace
}  // namespace phaseout::dissect
