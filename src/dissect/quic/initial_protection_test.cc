#include "dissect/quic/initial_protection.h"

#include <gtest/gtest.h>

#include <string>

#include "dissect/quic/quic_test_vectors.h"

namespace phaseout::dissect::quic {
namespace {

using testing_vectors::fromHex;
using testing_vectors::toHex;

// RFC 9001 Appendix A.1: keys of the client Initial for DCID 0x8394c8f03e515708.
TEST(InitialProtectionTest, Rfc9001AppendixA1Keys) {
  const auto scheme = initialScheme(0x00000001);
  ASSERT_TRUE(scheme.has_value());
  const auto dcid = fromHex("8394c8f03e515708");
  EXPECT_EQ(toHex(hkdfExtract(scheme->salt, dcid)),
            "7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44");
  const auto secret = clientInitialSecret(*scheme, dcid);
  EXPECT_EQ(toHex(secret), "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
  const InitialKeys keys = packetKeys(*scheme, secret);
  EXPECT_EQ(toHex(keys.key), "1f369613dd76d5467730efcbe3b1a22d");
  EXPECT_EQ(toHex(keys.iv), "fa044b2f42a3fd3b46fb255c");
  EXPECT_EQ(toHex(keys.hp), "9f50449e04a0e810283a1e9933adedd2");
}

// RFC 9001 Appendix A.2: the header protection sample and mask of the client Initial.
TEST(InitialProtectionTest, Rfc9001AppendixA2HeaderProtectionMask) {
  const auto scheme = initialScheme(0x00000001);
  const InitialKeys keys =
      packetKeys(*scheme, clientInitialSecret(*scheme, fromHex("8394c8f03e515708")));
  const auto sample = fromHex("d1b1c98dd7689fb8ec11d242b123dc9b");
  const auto mask =
      headerProtectionMask(keys.hp, std::span<const std::uint8_t>(sample).first<16>());
  ASSERT_TRUE(mask.has_value());
  EXPECT_EQ(toHex(*mask), "437b9aec36");
}

// RFC 9001 Appendix A.2: the 1200-byte protected client Initial opens to the CRYPTO frame of
// the example ClientHello followed by PADDING.
TEST(InitialProtectionTest, Rfc9001AppendixA2PacketOpens) {
  const auto packet = testing_vectors::rfc9001ClientInitial();
  ASSERT_EQ(packet.size(), 1200u);
  const auto scheme = initialScheme(0x00000001);
  const InitialKeys keys =
      packetKeys(*scheme, clientInitialSecret(*scheme, fromHex("8394c8f03e515708")));
  // Unprotected header (A.2): first byte 0xc3, packet number 2 in 4 bytes.
  const auto header = fromHex("c300000001088394c8f03e5157080000449e00000002");
  const auto opened = openPayload(keys, 2, header, std::span(packet).subspan(header.size()));
  ASSERT_TRUE(opened.has_value());
  ASSERT_EQ(opened->size(), 1162u);
  const auto frames = testing_vectors::rfc9001ClientInitialFrames();
  EXPECT_EQ(toHex(std::span(*opened).first(frames.size())), toHex(frames));
  for (std::size_t i = frames.size(); i < opened->size(); ++i) ASSERT_EQ((*opened)[i], 0) << i;
}

TEST(InitialProtectionTest, WrongPacketNumberFailsTheTag) {
  const auto packet = testing_vectors::rfc9001ClientInitial();
  const auto scheme = initialScheme(0x00000001);
  const InitialKeys keys =
      packetKeys(*scheme, clientInitialSecret(*scheme, fromHex("8394c8f03e515708")));
  const auto header = fromHex("c300000001088394c8f03e5157080000449e00000002");
  EXPECT_FALSE(openPayload(keys, 3, header, std::span(packet).subspan(header.size())).has_value());
  EXPECT_FALSE(openPayload(keys, 2, header, std::span(packet).first(10)).has_value());
}

TEST(InitialProtectionTest, SchemesByVersion) {
  EXPECT_EQ(initialScheme(0x00000001)->label_prefix, "quic ");
  EXPECT_EQ(initialScheme(0x6b3343cf)->label_prefix, "quicv2 ");
  EXPECT_EQ(toHex(initialScheme(0xff00001d)->salt), "afbfec289993d24c9e9786f19c6111e04390a899");
  EXPECT_EQ(toHex(initialScheme(0x51303530)->salt), "504574efd066fe2f9d945cfcdbd3a7f0d3b56b45");
  EXPECT_FALSE(initialScheme(0x51303436).has_value());  // Q046: plaintext
  EXPECT_FALSE(initialScheme(0x00000000).has_value());  // version negotiation
  EXPECT_FALSE(initialScheme(0x1a2a3a4a).has_value());  // reserved (RFC 9000 §15)
}

// RFC 9369 Appendix A.1: QUIC v2 keys of the same DCID.
TEST(InitialProtectionTest, Rfc9369AppendixA1Keys) {
  const auto scheme = initialScheme(0x6b3343cf);
  const auto secret = clientInitialSecret(*scheme, fromHex("8394c8f03e515708"));
  EXPECT_EQ(toHex(secret), "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
  const InitialKeys keys = packetKeys(*scheme, secret);
  EXPECT_EQ(toHex(keys.key), "8b1a0bc121284290a29e0971b5cd045d");
  EXPECT_EQ(toHex(keys.iv), "91f73e2351d8fa91660e909f");
  EXPECT_EQ(toHex(keys.hp), "45b95e15235d6f45a6b19cbcb0294ba9");
}

}  // namespace
}  // namespace phaseout::dissect::quic
