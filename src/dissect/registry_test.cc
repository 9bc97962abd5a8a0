#include "dissect/registry.h"

#include <gtest/gtest.h>

#include <array>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::Bytes;
using testing::bytesOf;
using testing::CollectingSink;

// Counts the packets routed to it.
class Probe final : public Dissector {
 public:
  explicit Probe(std::span<const Interest> interests, int* calls)
      : interests_(interests), calls_(calls) {}
  std::string_view name() const override { return "probe"; }
  std::span<const Interest> interests() const override { return interests_; }
  Outcome dissect(const decode::DecodedPacket&, ObservationSink&, AnomalyCounters&) const override {
    ++*calls_;
    return Outcome::kNotMine;
  }

 private:
  std::span<const Interest> interests_;
  int* calls_;
};

constexpr std::array<std::uint16_t, 2> kPorts = {53, 5353};

int routedCalls(std::span<const Interest> interests, const decode::DecodedPacket& packet) {
  int calls = 0;
  Registry registry;
  EXPECT_TRUE(registry.add(std::make_unique<Probe>(interests, &calls)));
  CollectingSink sink;
  AnomalyCounters anomalies;
  registry.dissect(packet, sink, anomalies);
  return calls;
}

TEST(RegistryTest, PortsMatchEitherSide) {
  static constexpr std::array<Interest, 1> kUdp = {Interest::udp(kPorts)};
  const Bytes payload(20, 0);
  EXPECT_EQ(routedCalls(kUdp, testing::udp(40000, 53, payload)), 1);
  EXPECT_EQ(routedCalls(kUdp, testing::udp(5353, 40000, payload)), 1);
  EXPECT_EQ(routedCalls(kUdp, testing::udp(40000, 54, payload)), 0);
  EXPECT_EQ(routedCalls(kUdp, testing::tcp(40000, 53, payload)), 0);  // wrong transport
}

TEST(RegistryTest, OneCallWhenTwoInterestsMatch) {
  static constexpr std::array<std::uint16_t, 1> kOther = {5353};
  static constexpr std::array<Interest, 2> kTwo = {Interest::udp(kPorts), Interest::udp(kOther)};
  const Bytes payload(20, 0);
  EXPECT_EQ(routedCalls(kTwo, testing::udp(53, 5353, payload)), 1);
}

TEST(RegistryTest, MinimumPayload) {
  static constexpr std::array<Interest, 1> kMin = {Interest::udp(kPorts).minPayload(12)};
  EXPECT_EQ(routedCalls(kMin, testing::udp(1, 53, Bytes(11, 0))), 0);
  EXPECT_EQ(routedCalls(kMin, testing::udp(1, 53, Bytes(12, 0))), 1);
}

TEST(RegistryTest, FirstByteGate) {
  static constexpr std::array<Interest, 1> kGate = {Interest::tcp().firstBytes("GP")};
  EXPECT_EQ(routedCalls(kGate, testing::tcp(1, 2, bytesOf("GET /"))), 1);
  EXPECT_EQ(routedCalls(kGate, testing::tcp(1, 2, bytesOf("POST /"))), 1);
  EXPECT_EQ(routedCalls(kGate, testing::tcp(1, 2, bytesOf("HEAD /"))), 0);
  EXPECT_EQ(routedCalls(kGate, testing::tcp(1, 2, Bytes{})), 0);  // no first byte at all
}

TEST(RegistryTest, TcpFlagsGate) {
  static constexpr std::array<Interest, 1> kSyn = {Interest::tcp().tcpFlags(0x16, 0x02)};
  const Bytes none;
  EXPECT_EQ(routedCalls(kSyn, testing::tcp(1, 2, none, 0x02)), 1);  // SYN
  EXPECT_EQ(routedCalls(kSyn, testing::tcp(1, 2, none, 0xC2)), 1);  // SYN+ECE+CWR
  EXPECT_EQ(routedCalls(kSyn, testing::tcp(1, 2, none, 0x12)), 0);  // SYN+ACK
  EXPECT_EQ(routedCalls(kSyn, testing::tcp(1, 2, none, 0x10)), 0);  // ACK
}

TEST(RegistryTest, UntransportedPacketsAreIgnored) {
  static constexpr std::array<Interest, 1> kAny = {Interest::udp()};
  decode::DecodedPacket fragment;
  fragment.transport = decode::Transport::kNone;
  fragment.ip_fragment = true;
  EXPECT_EQ(routedCalls(kAny, fragment), 0);
}

TEST(RegistryTest, CapacityIsChecked) {
  static constexpr std::array<Interest, 1> kOne = {Interest::udp(kPorts)};
  int calls = 0;
  Registry registry;
  for (std::size_t i = 0; i < Registry::kMaxInterestsPerTransport; ++i) {
    EXPECT_TRUE(registry.add(std::make_unique<Probe>(kOne, &calls)));
  }
  EXPECT_FALSE(registry.add(std::make_unique<Probe>(kOne, &calls)));
  EXPECT_FALSE(registry.add(nullptr));
  EXPECT_EQ(registry.size(), Registry::kMaxInterestsPerTransport);
}

TEST(RegistryTest, InterestWithoutTransportIsRefused) {
  static constexpr std::array<Interest, 1> kNone = {[] {
    Interest i;
    i.transport = decode::Transport::kNone;
    return i;
  }()};
  int calls = 0;
  Registry registry;
  EXPECT_FALSE(registry.add(std::make_unique<Probe>(kNone, &calls)));
  EXPECT_EQ(registry.size(), 0u);
}

// The built-in registry, end to end: each kind of packet reaches the right dissector and
// ordinary TCP data reaches none.
struct Routed {
  std::vector<ObservationType> types;
  std::uint64_t anomalies;
};

Routed builtin(const decode::DecodedPacket& packet) {
  CollectingSink sink;
  AnomalyCounters anomalies;
  Registry::builtin().dissect(packet, sink, anomalies);
  Routed out{{}, anomalies.total()};
  for (const Observation& o : sink.all) out.types.push_back(o.type);
  return out;
}

TEST(BuiltinRegistryTest, RoutesEachProtocol) {
  EXPECT_EQ(Registry::builtin().size(), 7u);
  const Bytes http = bytesOf("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(builtin(testing::tcp(40000, 8080, http)).types,
            (std::vector<ObservationType>{ObservationType::kHttp}));
  Bytes dns = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1};
  EXPECT_EQ(builtin(testing::udp(40000, 53, dns)).types,
            (std::vector<ObservationType>{ObservationType::kDns}));
  EXPECT_EQ(builtin(testing::udp(5353, 5353, dns)).types,
            (std::vector<ObservationType>{ObservationType::kMdns}));
  const Bytes none;
  EXPECT_EQ(builtin(testing::tcp(40000, 443, none, 0x02)).types,
            (std::vector<ObservationType>{ObservationType::kTcpSyn}));
}

TEST(BuiltinRegistryTest, OrdinaryTrafficProducesNothing) {
  const Bytes data = bytesOf("\x17\x03\x03\x00\x20 encrypted application data.....");
  EXPECT_TRUE(builtin(testing::tcp(443, 50000, data)).types.empty());
  EXPECT_TRUE(builtin(testing::tcp(443, 50000, data, 0x12)).types.empty());  // SYN+ACK
  const Bytes response = bytesOf("HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_TRUE(builtin(testing::tcp(80, 50000, response)).types.empty());
  const Bytes quic(1200, 0xC3);
  EXPECT_TRUE(builtin(testing::udp(50000, 443, quic)).types.empty());
  // A segment that only looks like a method is not counted as an anomaly.
  const Bytes getx = bytesOf("GETTING THERE, NOT HTTP");
  const Routed r = builtin(testing::tcp(1234, 5678, getx));
  EXPECT_TRUE(r.types.empty());
  EXPECT_EQ(r.anomalies, 0u);
}

// The fuzz harness of each dissector folder finds its dissector by name (fuzz/CMakeLists.txt).
TEST(BuiltinRegistryTest, FindsEveryDissectorByFolderName) {
  for (const char* name : {"dhcp", "dhcpv6", "dns", "http", "quic", "tcp_syn", "tls"}) {
    const Dissector* d = Registry::builtin().find(name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ(d->name(), name);
  }
  EXPECT_EQ(Registry::builtin().find("gopher"), nullptr);
}

}  // namespace
}  // namespace phaseout::dissect
