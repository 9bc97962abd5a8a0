#include "dissect/quic/quic_dissector.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>

#include "dissect/quic/initial_protection.h"
#include "dissect/quic/quic_test_vectors.h"
#include "dissect/registry.h"
#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using quic::testing_vectors::fromHex;
using testing::append;
using testing::appendU16;
using testing::Bytes;
using testing::CollectingSink;

constexpr std::uint32_t kV1 = 0x00000001;
constexpr std::uint32_t kV2 = 0x6b3343cf;
constexpr std::uint32_t kQ050 = 0x51303530;
// JA4 of the RFC 9001 A.2 ClientHello, computed independently from its bytes: TLS 1.3, SNI,
// 2 ciphers, 11 extensions, ALPN "alpn".
constexpr std::string_view kRfcHelloJa4 = "q13d0211an_62ed6f6ca7ad_4d634acda6c0";

struct Result {
  Outcome outcome = Outcome::kNotMine;
  CollectingSink sink;
  AnomalyCounters anomalies;
};

Result run(const Bytes& payload, std::uint16_t src_port = 50575, std::uint16_t dst_port = 443) {
  Result r;
  r.outcome =
      QuicDissector().dissect(testing::udp(src_port, dst_port, payload), r.sink, r.anomalies);
  return r;
}

// The ClientHello handshake message of RFC 9001 A.2 (its CRYPTO frame without the frame header).
Bytes rfcHello() {
  const Bytes frames = quic::testing_vectors::rfc9001ClientInitialFrames();
  return Bytes(frames.begin() + 4, frames.end());
}

void appendU32(Bytes& out, std::uint32_t v) {
  appendU16(out, v >> 16);
  appendU16(out, v & 0xffff);
}

// A two-byte varint (RFC 9000 §16).
void appendVarint2(Bytes& out, std::size_t v) { appendU16(out, static_cast<unsigned>(0x4000 | v)); }

Bytes cryptoFrame(std::size_t offset, std::span<const std::uint8_t> data,
                  std::uint8_t type = 0x06) {
  Bytes f{type};
  appendVarint2(f, offset);
  appendVarint2(f, data.size());
  f.insert(f.end(), data.begin(), data.end());
  return f;
}

// A client Initial protected as RFC 9001 §5 says, built with OpenSSL directly: long header of
// `version`, 4-byte packet number, `frames` padded with PADDING to `payload_bytes`.
Bytes protectInitial(std::uint32_t version, const Bytes& dcid, const Bytes& frames,
                     std::size_t payload_bytes = 1162, std::uint32_t packet_number = 0) {
  const std::uint8_t type = version == kV2 ? 1 : 0;
  Bytes plain = frames;
  if (plain.size() < payload_bytes) plain.resize(payload_bytes, 0);
  Bytes header{static_cast<std::uint8_t>(0xc0 | (type << 4) | 0x03)};
  appendU32(header, version);
  header.push_back(static_cast<std::uint8_t>(dcid.size()));
  header.insert(header.end(), dcid.begin(), dcid.end());
  append(header, {0, 0});  // no source connection id, no token
  appendVarint2(header, 4 + plain.size() + quic::kTagBytes);
  const std::size_t pn_offset = header.size();
  appendU32(header, packet_number);

  const auto scheme = quic::initialScheme(version);
  const quic::InitialKeys keys =
      quic::packetKeys(*scheme, quic::clientInitialSecret(*scheme, dcid));
  auto nonce = keys.iv;
  for (int i = 0; i < 4; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(packet_number >> (8 * i));
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  Bytes sealed(plain.size() + quic::kTagBytes);
  int len = 0;
  EXPECT_EQ(
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys.key.data(), nonce.data()), 1);
  EXPECT_EQ(
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, header.data(), static_cast<int>(header.size())),
      1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), sealed.data(), &len, plain.data(),
                              static_cast<int>(plain.size())),
            1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), sealed.data() + len, &len), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, sealed.data() + plain.size()),
            1);

  const auto mask =
      quic::headerProtectionMask(keys.hp, std::span<const std::uint8_t>(sealed).first<16>());
  header[0] ^= (*mask)[0] & 0x0f;
  for (int i = 0; i < 4; ++i) header[pn_offset + i] ^= (*mask)[1 + i];
  header.insert(header.end(), sealed.begin(), sealed.end());
  return header;
}

// A gQUIC CHLO message (gquic_message.h) with the given tags, in order.
Bytes chloMessage(std::initializer_list<std::pair<std::string_view, std::string_view>> tags) {
  Bytes m;
  append(m, "CHLO");
  m.push_back(static_cast<std::uint8_t>(tags.size()));
  append(m, {0, 0, 0});
  std::uint32_t end = 0;
  for (const auto& [tag, value] : tags) {
    append(m, tag);
    end += static_cast<std::uint32_t>(value.size());
    for (int i = 0; i < 4; ++i) m.push_back(static_cast<std::uint8_t>(end >> (8 * i)));
  }
  for (const auto& tag_value : tags) append(m, tag_value.second);
  return m;
}

Bytes huaweiChlo() {
  return chloMessage({{std::string_view("PAD\0", 4), "----"},
                      {std::string_view("SNI\0", 4), "play.google.com"},
                      {std::string_view("VER\0", 4), "Q046"},
                      {"UAID", "Chrome/74.0.3729.157 Android 8.0.0; BND-L21"}});
}

TEST(QuicDissectorTest, Rfc9001ClientInitial) {
  Result r = run(quic::testing_vectors::rfc9001ClientInitial());
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  const Observation& o = r.sink.all[0];
  EXPECT_EQ(o.type, ObservationType::kQuic);
  EXPECT_EQ(o.quic.version, "1");
  EXPECT_EQ(o.quic.sni, "example.com");
  EXPECT_EQ(o.quic.alpn, (std::vector<std::string>{"alpn"}));
  EXPECT_EQ(o.quic.ja4, kRfcHelloJa4);
  EXPECT_TRUE(o.quic.user_agent.empty());
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(QuicDissectorTest, RegistryRoutesClientInitialsOnly) {
  const Bytes initial = quic::testing_vectors::rfc9001ClientInitial();
  CollectingSink sink;
  AnomalyCounters anomalies;
  Registry::builtin().dissect(testing::udp(50575, 443, initial), sink, anomalies);
  ASSERT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(sink.all[0].quic.sni, "example.com");
  // A short-header (1-RTT) packet is not routed: first byte 0x40-0x7f.
  Bytes short_header = initial;
  short_header[0] = 0x41;
  Registry::builtin().dissect(testing::udp(50575, 443, short_header), sink, anomalies);
  // Neither is an Initial on a port no QUIC server uses here.
  Registry::builtin().dissect(testing::udp(50575, 9999, initial), sink, anomalies);
  EXPECT_EQ(sink.all.size(), 1u);
  EXPECT_EQ(anomalies.total(), 0u);
}

TEST(QuicDissectorTest, ServerToClientIsNotLookedAt) {
  Result r = run(quic::testing_vectors::rfc9001ClientInitial(), 443, 50575);
  EXPECT_EQ(r.outcome, Outcome::kNotMine);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.total(), 0u);
}

// A later client Initial carries the server's connection ID but the first keys; it cannot be
// told from a damaged one, and neither is an anomaly.
TEST(QuicDissectorTest, InitialThatDoesNotOpenIsLeftAlone) {
  Bytes packet = quic::testing_vectors::rfc9001ClientInitial();
  packet[600] ^= 1;
  Result r = run(packet);
  EXPECT_EQ(r.outcome, Outcome::kNotMine);
  EXPECT_TRUE(r.sink.all.empty());
  EXPECT_EQ(r.anomalies.total(), 0u);
  packet[600] ^= 1;
  packet[6] ^= 1;  // another destination connection ID
  EXPECT_EQ(run(packet).outcome, Outcome::kNotMine);
}

TEST(QuicDissectorTest, DatagramCutBeforeThePacketEnds) {
  Bytes packet = quic::testing_vectors::rfc9001ClientInitial();
  packet.resize(700);
  Result r = run(packet);
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_EQ(r.anomalies.get("quic.truncated_packet"), 1u);
}

TEST(QuicDissectorTest, EveryPrefixIsHandled) {
  const Bytes packet = quic::testing_vectors::rfc9001ClientInitial();
  for (std::size_t n = 0; n < packet.size(); n += 7) {
    Result r = run(Bytes(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(n)));
    EXPECT_TRUE(r.sink.all.empty()) << n;
  }
}

// Chrome sends the ClientHello in several CRYPTO frames, out of order, with PING and PADDING
// between them (RFC 9000 §19.6 allows any order); they are joined by offset.
TEST(QuicDissectorTest, CryptoFramesOutOfOrderAreJoined) {
  const Bytes hello = rfcHello();
  const std::span<const std::uint8_t> h(hello);
  Bytes frames = cryptoFrame(150, h.subspan(150));
  append(frames, {0x01, 0x00, 0x00});  // PING, PADDING
  const Bytes middle = cryptoFrame(40, h.subspan(40, 110));
  const Bytes head = cryptoFrame(0, h.first(60));  // overlaps the middle one
  frames.insert(frames.end(), middle.begin(), middle.end());
  frames.insert(frames.end(), head.begin(), head.end());
  Result r = run(protectInitial(kV1, fromHex("0011223344556677"), frames));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.sni, "example.com");
  EXPECT_EQ(r.sink.all[0].quic.ja4, kRfcHelloJa4);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(QuicDissectorTest, HelloContinuingInTheNextDatagramKeepsTheSni) {
  const Bytes hello = rfcHello();
  Result r = run(protectInitial(kV1, fromHex("0011223344556677"),
                                cryptoFrame(0, std::span(hello).first(120))));
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_EQ(r.anomalies.get("quic.client_hello_split"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.sni, "example.com");
  EXPECT_TRUE(r.sink.all[0].quic.ja4.empty());

  Result rest = run(protectInitial(kV1, fromHex("0011223344556677"),
                                   cryptoFrame(120, std::span(hello).subspan(120)), 1162, 1));
  EXPECT_EQ(rest.outcome, Outcome::kTruncated);
  EXPECT_EQ(rest.anomalies.get("quic.client_hello_not_at_start"), 1u);
  EXPECT_TRUE(rest.sink.all.empty());
}

TEST(QuicDissectorTest, CoalescedInitialsShareTheCryptoStream) {
  const Bytes hello = rfcHello();
  const Bytes dcid = fromHex("0011223344556677");
  Bytes datagram = protectInitial(kV1, dcid, cryptoFrame(0, std::span(hello).first(100)), 300, 0);
  const Bytes second =
      protectInitial(kV1, dcid, cryptoFrame(100, std::span(hello).subspan(100)), 900, 1);
  datagram.insert(datagram.end(), second.begin(), second.end());
  Result r = run(datagram);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.ja4, kRfcHelloJa4);
}

TEST(QuicDissectorTest, CutPacketAfterAGoodOneEndsTheDatagram) {
  Bytes datagram = quic::testing_vectors::rfc9001ClientInitial();
  const Bytes cut(datagram.begin(), datagram.begin() + 40);  // the same Initial, cut
  datagram.insert(datagram.end(), cut.begin(), cut.end());
  Result r = run(datagram);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.ja4, kRfcHelloJa4);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(QuicDissectorTest, UnknownFrameInAnInitialIsCounted) {
  Bytes frames = cryptoFrame(0, rfcHello());
  frames.push_back(0x08);  // STREAM frames are not allowed in Initial packets
  Result r = run(protectInitial(kV1, fromHex("0011223344556677"), frames, 400));
  EXPECT_EQ(r.anomalies.get("quic.unexpected_frame"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);  // the hello before it still counts
  EXPECT_EQ(r.sink.all[0].quic.sni, "example.com");
}

TEST(QuicDissectorTest, Version2) {
  Result r = run(protectInitial(kV2, fromHex("8394c8f03e515708"), cryptoFrame(0, rfcHello())));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.version, "2");
  EXPECT_EQ(r.sink.all[0].quic.sni, "example.com");
}

TEST(QuicDissectorTest, Draft29) {
  Result r =
      run(protectInitial(0xff00001d, fromHex("8394c8f03e515708"), cryptoFrame(0, rfcHello())));
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.version, "draft-29");
  EXPECT_EQ(r.sink.all[0].quic.ja4, kRfcHelloJa4);
}

TEST(QuicDissectorTest, UnsupportedVersionIsCounted) {
  Bytes packet = quic::testing_vectors::rfc9001ClientInitial();
  packet[1] = 0x1a;  // 0x1a000001
  Result r = run(packet);
  EXPECT_EQ(r.outcome, Outcome::kNotMine);
  EXPECT_EQ(r.anomalies.get("quic.unsupported_version"), 1u);
}

// Q050: the Initial is protected like IETF QUIC's with Google's salt; gQUIC frame types, the
// CHLO in a CRYPTO frame (type 0x08).
TEST(QuicDissectorTest, GoogleQ050) {
  Bytes frames{0x00, 0x00};  // leading PADDING
  const Bytes chlo = huaweiChlo();
  const Bytes crypto = cryptoFrame(0, chlo, 0x08);
  frames.insert(frames.end(), crypto.begin(), crypto.end());
  Result r = run(protectInitial(kQ050, fromHex("df4a089e4eff5e7a"), frames, 1300));
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.version, "Q050");
  EXPECT_EQ(r.sink.all[0].quic.sni, "play.google.com");
  EXPECT_EQ(r.sink.all[0].quic.user_agent, "Chrome/74.0.3729.157 Android 8.0.0; BND-L21");
  EXPECT_TRUE(r.sink.all[0].quic.ja4.empty());
}

// Q046: long header with one byte of connection id lengths, plaintext after a 12-byte hash;
// STREAM frame 0xa4 (data length present, 2-byte offset, 1-byte stream id), big-endian.
TEST(QuicDissectorTest, GoogleQ046) {
  Bytes p = fromHex("c3513034365011223344556677880000000400112233445566778899aabb");
  const Bytes chlo = huaweiChlo();
  append(p, {0xa4, 0x01, 0x04, 0x00});
  appendU16(p, static_cast<unsigned>(chlo.size()));
  p.insert(p.end(), chlo.begin(), chlo.end());
  Result r = run(p);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.version, "Q046");
  EXPECT_EQ(r.sink.all[0].quic.sni, "play.google.com");
  EXPECT_EQ(r.sink.all[0].quic.user_agent, "Chrome/74.0.3729.157 Android 8.0.0; BND-L21");
}

// Q035: public header (flags 0x0d: version, 8-byte connection id), 1-byte packet number, the
// hash, then an ACK frame and a STREAM frame 0xa0 whose length is little-endian (before Q039).
TEST(QuicDissectorTest, GoogleQ035PublicHeader) {
  Bytes p = fromHex("0d1122334455667788513033350100112233445566778899aabb");
  append(p, {0x40, 0x01, 0x00, 0x00, 0x01, 0x00});  // ACK: largest 1, delay, block 1, 0 timestamps
  const Bytes chlo = huaweiChlo();
  append(p, {0xa0, 0x01});
  p.push_back(static_cast<std::uint8_t>(chlo.size() & 0xff));
  p.push_back(static_cast<std::uint8_t>(chlo.size() >> 8));
  p.insert(p.end(), chlo.begin(), chlo.end());
  Result r = run(p);
  EXPECT_EQ(r.outcome, Outcome::kObserved);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.version, "Q035");
  EXPECT_EQ(r.sink.all[0].quic.user_agent, "Chrome/74.0.3729.157 Android 8.0.0; BND-L21");
}

TEST(QuicDissectorTest, GquicPacketWithoutChloIsNotMine) {
  // An encrypted Q035 packet: the bytes after the hash are not a frame we read.
  Result r = run(fromHex("0d112233445566778851303335020011223344556677889900aabbccddeeff0102"));
  EXPECT_EQ(r.outcome, Outcome::kNotMine);
  EXPECT_EQ(r.anomalies.total(), 0u);
}

TEST(QuicDissectorTest, CutChloKeepsTheTagsBeforeTheCut) {
  Bytes p = fromHex("c3513034365011223344556677880000000400112233445566778899aabb");
  const Bytes chlo = huaweiChlo();
  append(p, {0xa4, 0x01, 0x04, 0x00});
  appendU16(p, static_cast<unsigned>(chlo.size()));
  p.insert(p.end(), chlo.begin(), chlo.end() - 10);
  Result r = run(p);
  EXPECT_EQ(r.outcome, Outcome::kTruncated);
  EXPECT_EQ(r.anomalies.get("quic.truncated_chlo"), 1u);
  ASSERT_EQ(r.sink.all.size(), 1u);
  EXPECT_EQ(r.sink.all[0].quic.sni, "play.google.com");
  EXPECT_TRUE(r.sink.all[0].quic.user_agent.empty());
}

TEST(QuicDissectorTest, VersionNames) {
  EXPECT_EQ(quicVersionName(1), "1");
  EXPECT_EQ(quicVersionName(kV2), "2");
  EXPECT_EQ(quicVersionName(0xff00001d), "draft-29");
  EXPECT_EQ(quicVersionName(0x51303436), "Q046");
  EXPECT_EQ(quicVersionName(0xfaceb002), "0xfaceb002");
}

}  // namespace
}  // namespace phaseout::dissect
