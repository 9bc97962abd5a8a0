#include "dissect/tcp_syn/tcp_syn_dissector.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::Bytes;
using testing::CollectingSink;

constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kAck = 0x10;
constexpr std::uint8_t kEce = 0x40;
constexpr std::uint8_t kCwr = 0x80;

struct Result {
  Outcome outcome;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result run(const Bytes& options, std::uint8_t flags = kSyn) {
  static const Bytes kNoPayload;
  decode::DecodedPacket p = testing::tcp(50575, 443, kNoPayload, flags);
  p.tcp_options = options;
  p.tcp_window = 65535;
  p.ip_ttl = 64;
  p.ip_df = true;
  Result r;
  r.outcome = TcpSynDissector().dissect(p, r.sink, r.anomalies);
  return r;
}

// iOS 13's SYN (iphone capture): mss 1460, nop, ws 6, nop, nop, timestamps, SACK-permitted,
// eol and padding.
const Bytes kIosOptions = {2,    4,    0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10,
                           0x11, 0xdf, 0xe6, 0xd3, 0, 0, 0, 0, 4, 2, 0, 0};

TEST(TcpSynDissectorTest, IosSynWithEcnSetup) {
  Result r = run(kIosOptions, kSyn | kEce | kCwr);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const TcpSynFields& s = r.sink.all[0].tcp_syn;
  EXPECT_EQ(r.sink.all[0].type, ObservationType::kTcpSyn);
  EXPECT_EQ(s.window, 65535);
  EXPECT_EQ(s.mss, 1460);
  EXPECT_EQ(s.wscale, 6);
  EXPECT_EQ(s.options, "mss,nop,ws,nop,nop,ts,sack,eol");
  EXPECT_EQ(s.ttl, 64);
  EXPECT_TRUE(s.df);
  EXPECT_TRUE(s.ecn);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(TcpSynDissectorTest, EceAloneIsNotEcnSetup) {
  EXPECT_FALSE(run(kIosOptions, kSyn | kEce).sink.all.at(0).tcp_syn.ecn);
  EXPECT_FALSE(run(kIosOptions).sink.all.at(0).tcp_syn.ecn);
}

TEST(TcpSynDissectorTest, SynAckIsNotMine) {
  Result r = run(kIosOptions, kSyn | kAck);
  EXPECT_EQ(r.outcome, Outcome::kNotMine);
  EXPECT_TRUE(r.sink.all.empty());
}

TEST(TcpSynDissectorTest, NoOptions) {
  Result r = run({});
  const TcpSynFields& s = r.sink.all.at(0).tcp_syn;
  EXPECT_TRUE(s.options.empty());
  EXPECT_FALSE(s.mss.has_value());
  EXPECT_FALSE(s.wscale.has_value());
}

TEST(TcpSynDissectorTest, OtherOptionNames) {
  Bytes options = {34, 2, 30, 4, 0, 0, 19, 18};  // TFO cookie request, MP_CAPABLE, TCP MD5
  options.insert(options.end(), 16, 0xAA);       // the MD5 digest
  options.insert(options.end(), {254, 2});       // experimental
  Result r = run(options);
  EXPECT_EQ(r.sink.all.at(0).tcp_syn.options, "tfo,mptcp,md5,opt254");
}

TEST(TcpSynDissectorTest, OptionOverrunKeepsWhatWasRead) {
  Result r = run({2, 4, 0x05, 0xb4, 8, 10, 1, 2});
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  EXPECT_EQ(r.anomalies.get("tcp_syn.bad_option"), 1u);
  EXPECT_EQ(r.sink.all.at(0).tcp_syn.options, "mss,ts");
  EXPECT_EQ(r.sink.all[0].tcp_syn.mss, 1460);
}

TEST(TcpSynDissectorTest, OptionLengthBelowTwo) {
  Result r = run({3, 1, 1, 1});
  EXPECT_EQ(r.anomalies.get("tcp_syn.bad_option"), 1u);
  EXPECT_EQ(r.sink.all.at(0).tcp_syn.options, "ws");
  EXPECT_FALSE(r.sink.all[0].tcp_syn.wscale.has_value());
}

TEST(TcpSynDissectorTest, KindWithoutLengthByte) {
  Result r = run({1, 2});
  EXPECT_EQ(r.anomalies.get("tcp_syn.bad_option"), 1u);
  EXPECT_EQ(r.sink.all.at(0).tcp_syn.options, "nop,mss");
}

TEST(TcpSynDissectorTest, WrongSizedMssAndWindowScale) {
  Result r = run({2, 3, 5, 3, 4, 0, 0});
  EXPECT_EQ(r.anomalies.get("tcp_syn.bad_option_length"), 2u);
  EXPECT_FALSE(r.sink.all.at(0).tcp_syn.mss.has_value());
  EXPECT_FALSE(r.sink.all[0].tcp_syn.wscale.has_value());
  EXPECT_EQ(r.sink.all[0].tcp_syn.options, "mss,ws");
}

// Real SYN of the iPhone capture (frame 58; fuzz/dissect_tcp_syn/corpus).
TEST(TcpSynDissectorTest, RealIphoneSyn) {
  const auto seed = testing::readSeed("tcp_syn", "iphone-58.bin");
  ASSERT_TRUE(seed.has_value());
  CollectingSink sink;
  AnomalyCounters anomalies;
  TcpSynDissector().dissect(packetFromFuzzInput(*seed), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].tcp_syn.options, "mss,nop,ws,nop,nop,ts,sack,eol");
  EXPECT_EQ(sink.all[0].tcp_syn.mss, 1460);
  EXPECT_EQ(sink.all[0].tcp_syn.wscale, 7);
  EXPECT_TRUE(sink.all[0].tcp_syn.ecn);
}

}  // namespace
}  // namespace phaseout::dissect
