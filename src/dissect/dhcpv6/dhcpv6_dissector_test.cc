#include "dissect/dhcpv6/dhcpv6_dissector.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::append;
using testing::appendU16;
using testing::Bytes;
using testing::CollectingSink;

void option(Bytes& m, unsigned code, const Bytes& data) {
  appendU16(m, code);
  appendU16(m, static_cast<unsigned>(data.size()));
  m.insert(m.end(), data.begin(), data.end());
}

// SOLICIT (RFC 8415 §7.3 type 1) with a DUID-LLT, an ORO, a vendor class and an FQDN.
Bytes solicit() {
  Bytes m = {1, 0xab, 0xcd, 0xef};
  option(m, 1, {0, 1, 0, 1, 0x25, 0xe5, 0x14, 0x8e, 0x4c, 0x6a, 0xf6, 0x9f, 0xf6, 0x27});
  option(m, 6, {0, 23, 0, 24});
  Bytes vendor = {0, 0, 0x01, 0x37, 0, 8};  // enterprise 311, one 8-byte item
  append(vendor, "MSFT 5.0");
  option(m, 16, vendor);
  option(m, 39, {0x01, 5, 'p', 'h', 'o', 'n', 'e', 4, 'c', 'o', 'r', 'p', 0});
  option(m, 8, {0, 0});  // elapsed time: not reported
  return m;
}

struct Result {
  Outcome outcome;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result run(const Bytes& payload) {
  Result r;
  r.outcome = Dhcpv6Dissector().dissect(testing::udp(546, 547, payload), r.sink, r.anomalies);
  return r;
}

TEST(Dhcpv6DissectorTest, Solicit) {
  Result r = run(solicit());
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const Dhcpv6Fields& d = r.sink.all[0].dhcpv6;
  EXPECT_EQ(r.sink.all[0].type, ObservationType::kDhcpv6);
  EXPECT_EQ(d.msg_type, 1);
  EXPECT_EQ(d.duid, "0001000125e5148e4c6af69ff627");
  EXPECT_EQ(d.duid_type, 1);
  EXPECT_EQ(d.duid_lladdr, "4c:6a:f6:9f:f6:27");
  EXPECT_EQ(d.oro, (std::vector<std::uint16_t>{23, 24}));
  EXPECT_EQ(d.vendor_class_enterprise, 311u);
  EXPECT_EQ(d.vendor_class_data, (std::vector<std::string>{"MSFT 5.0"}));
  EXPECT_EQ(d.fqdn, "phone.corp");
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(Dhcpv6DissectorTest, DuidLlAndEn) {
  Bytes ll = {3, 0, 0, 0};
  option(ll, 1, {0, 3, 0, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x07});
  EXPECT_EQ(run(ll).sink.all.at(0).dhcpv6.duid_lladdr, "02:00:00:00:00:07");
  Bytes en = {3, 0, 0, 0};
  option(en, 1, {0, 2, 0, 0, 0x01, 0x37, 0xaa});
  const Result r = run(en);
  const Dhcpv6Fields& d = r.sink.all.at(0).dhcpv6;
  EXPECT_EQ(d.duid_type, 2);
  EXPECT_TRUE(d.duid_lladdr.empty());
  EXPECT_EQ(d.duid, "000200000137aa");
}

TEST(Dhcpv6DissectorTest, RelayedMessageIsUnwrapped) {
  Bytes relay = {12, 0};             // RELAY-FORW, hop count 0
  relay.insert(relay.end(), 32, 0);  // link and peer addresses
  option(relay, 18, {1, 2, 3});      // interface-id, ignored
  option(relay, 9, solicit());
  Result r = run(relay);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcpv6.msg_type, 1);
  EXPECT_EQ(r.sink.all[0].dhcpv6.duid_lladdr, "4c:6a:f6:9f:f6:27");
}

TEST(Dhcpv6DissectorTest, RelayNestingIsBounded) {
  Bytes inner = solicit();
  for (int depth = 0; depth < 10; ++depth) {
    Bytes relay = {12, static_cast<std::uint8_t>(depth)};
    relay.insert(relay.end(), 32, 0);
    option(relay, 9, inner);
    inner = relay;
  }
  Result r = run(inner);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.get("dhcpv6.relay_too_deep"), 1u);
}

TEST(Dhcpv6DissectorTest, RelayWithoutMessage) {
  Bytes relay = {13, 0};
  relay.insert(relay.end(), 32, 0);
  Result r = run(relay);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.get("dhcpv6.missing_relay_message"), 1u);
}

TEST(Dhcpv6DissectorTest, ShortRelayHeader) {
  Result r = run(Bytes{12, 0, 0, 0, 0});
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.get("dhcpv6.truncated"), 1u);
}

TEST(Dhcpv6DissectorTest, OptionOverrunKeepsEarlierOptions) {
  Bytes m = {1, 0, 0, 0};
  option(m, 6, {0, 23});
  append(m, {0, 1, 0, 30, 0, 1});  // client id claiming 30 bytes
  Result r = run(m);
  EXPECT_EQ(r.outcome, Outcome::kMalformed);
  EXPECT_EQ(r.anomalies.get("dhcpv6.option_overrun"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].dhcpv6.oro, (std::vector<std::uint16_t>{23}));
  EXPECT_TRUE(r.sink.all[0].dhcpv6.duid.empty());
}

TEST(Dhcpv6DissectorTest, BadOptionLengths) {
  Bytes m = {1, 0, 0, 0};
  option(m, 6, {0, 23, 0});  // odd ORO
  option(m, 16, {0, 0, 1});  // vendor class without a full enterprise number
  option(m, 1, {0});         // DUID without a type
  Result r = run(m);
  EXPECT_EQ(r.anomalies.get("dhcpv6.bad_option_length"), 3u);
  const Dhcpv6Fields& d = r.sink.all.at(0).dhcpv6;
  EXPECT_TRUE(d.oro.empty());
  EXPECT_FALSE(d.vendor_class_enterprise.has_value());
  EXPECT_TRUE(d.duid.empty());
}

// Real SOLICIT of the Android capture (frame 69; fuzz/dissect_dhcpv6/corpus).
TEST(Dhcpv6DissectorTest, RealAndroidSolicit) {
  const auto seed = testing::readSeed("dhcpv6", "android-69.bin");
  ASSERT_TRUE(seed.has_value());
  CollectingSink sink;
  AnomalyCounters anomalies;
  Dhcpv6Dissector().dissect(packetFromFuzzInput(*seed), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].dhcpv6.msg_type, 1);
  EXPECT_EQ(sink.all[0].dhcpv6.duid_type, 1);
  EXPECT_EQ(sink.all[0].dhcpv6.duid_lladdr, "4c:6a:f6:9f:f6:27");
  EXPECT_EQ(sink.all[0].dhcpv6.oro, (std::vector<std::uint16_t>{23, 24}));
}

}  // namespace
}  // namespace phaseout::dissect
