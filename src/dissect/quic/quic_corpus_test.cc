// The QUIC client hellos of the shared capture corpus (PH_SHARED_DIR/corpus/pcap), with the
// values tshark 4.0 shows for them (gquic.tag.sni / gquic.tag.uaid, or the TLS server name of
// the decrypted Initial). Skipped when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "decode/decoder.h"
#include "dissect/registry.h"
#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::Bytes;

// The records of a classic pcap (little-endian, as the corpus files are) or a pcapng file with
// Enhanced Packet Blocks, numbered as tshark numbers frames. Test-only: no damage handling.
struct Record {
  std::uint64_t number = 0;
  std::uint32_t link_type = 0;
  Bytes data;
};

std::uint32_t le32(const Bytes& b, std::size_t at) {
  return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) | (std::uint32_t{b[at + 2]} << 16) |
         (std::uint32_t{b[at + 3]} << 24);
}

std::vector<Record> readCapture(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Record> out;
  if (file.size() < 24) return out;
  if (le32(file, 0) == 0x0a0d0d0a) {  // pcapng: SHB, IDB (link type), EPB...
    std::vector<std::uint32_t> interfaces;
    for (std::size_t at = 0; at + 12 <= file.size();) {
      const std::uint32_t type = le32(file, at);
      const std::uint32_t length = le32(file, at + 4);
      if (length < 12 || at + length > file.size()) break;
      if (type == 1) interfaces.push_back(file[at + 8] | (file[at + 9] << 8));
      if (type == 6) {
        const std::uint32_t interface = le32(file, at + 8);
        const std::uint32_t captured = le32(file, at + 20);
        Record r{out.size() + 1, interface < interfaces.size() ? interfaces[interface] : 0, {}};
        r.data.assign(file.begin() + static_cast<std::ptrdiff_t>(at + 28),
                      file.begin() + static_cast<std::ptrdiff_t>(at + 28 + captured));
        out.push_back(std::move(r));
      }
      at += length;
    }
    return out;
  }
  const std::uint32_t link_type = le32(file, 20);
  for (std::size_t at = 24; at + 16 <= file.size();) {
    const std::uint32_t captured = le32(file, at + 8);
    if (at + 16 + captured > file.size()) break;
    Record r{out.size() + 1, link_type, {}};
    r.data.assign(file.begin() + static_cast<std::ptrdiff_t>(at + 16),
                  file.begin() + static_cast<std::ptrdiff_t>(at + 16 + captured));
    out.push_back(std::move(r));
    at += 16 + captured;
  }
  return out;
}

// QUIC observations of a corpus capture, by frame number.
std::map<std::uint64_t, QuicFields> quicObservations(const std::string& name,
                                                     AnomalyCounters& anomalies) {
  const auto path = std::filesystem::path(PH_SHARED_DIR) / "corpus/pcap/ndpi" / name;
  std::map<std::uint64_t, QuicFields> out;
  testing::CollectingSink sink;
  for (const Record& record : readCapture(path)) {
    capture::Frame frame;
    frame.data = record.data;
    frame.wire_length = static_cast<std::uint32_t>(record.data.size());
    frame.link_type = record.link_type;
    frame.number = record.number;
    decode::DecodedPacket packet;
    decode::decodeFrame(frame, packet, anomalies);
    sink.all.clear();
    Registry::builtin().dissect(packet, sink, anomalies);
    for (const Observation& o : sink.all) {
      if (o.type == ObservationType::kQuic) out[record.number] = o.quic;
    }
  }
  return out;
}

class QuicCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(std::filesystem::path(PH_SHARED_DIR) / "corpus/pcap/ndpi")) {
      GTEST_SKIP() << "corpus not found under " << PH_SHARED_DIR;
    }
  }
};

TEST_F(QuicCorpusTest, Q046HuaweiHonor7X) {
  AnomalyCounters anomalies;
  const auto quic = quicObservations("quic_q46.pcap", anomalies);
  ASSERT_EQ(quic.size(), 1u);
  const QuicFields& f = quic.at(1);
  EXPECT_EQ(f.version, "Q046");
  EXPECT_EQ(f.sni, "play.google.com");
  EXPECT_EQ(f.user_agent, "Chrome/74.0.3729.157 Android 8.0.0; BND-L21");
  EXPECT_EQ(anomalies.total(), 0u);
}

// Frames 1 and 6 are the client's two CHLOs (the second after the server's REJ).
TEST_F(QuicCorpusTest, Q050HuaweiY7) {
  AnomalyCounters anomalies;
  const auto quic = quicObservations("quic_q50.pcap", anomalies);
  ASSERT_EQ(quic.size(), 2u);
  for (std::uint64_t frame : {1, 6}) {
    const QuicFields& f = quic.at(frame);
    EXPECT_EQ(f.version, "Q050");
    EXPECT_EQ(f.sni, "www.googletagmanager.com");
    EXPECT_EQ(f.user_agent, "Chrome/83.0.4103.101 Android 8.0.0; LDN-L21");
  }
  EXPECT_EQ(anomalies.total(), 0u);
}

// IETF QUIC v1 Initials (over IPv4 and IPv6); frame 481 coalesces an Initial and a 0-RTT
// packet, frame 482 is the server's Initial.
TEST_F(QuicCorpusTest, V1InitialsOfSites) {
  AnomalyCounters anomalies;
  const auto quic = quicObservations("sites.pcapng", anomalies);
  const std::map<std::uint64_t, std::string> want = {{315, "classroom.google.com"},
                                                     {481, "hangouts.google.com"},
                                                     {487, "plus.google.com"},
                                                     {656, "www.threads.net"}};
  ASSERT_EQ(quic.size(), want.size());
  for (const auto& [frame, sni] : want) {
    const QuicFields& f = quic.at(frame);
    EXPECT_EQ(f.version, "1") << frame;
    EXPECT_EQ(f.sni, sni) << frame;
    EXPECT_EQ(f.alpn, (std::vector<std::string>{"h3"})) << frame;
    EXPECT_EQ(f.ja4.substr(0, 4), "q13d") << frame;
  }
  // Chrome's QUIC hello: the JA4 FoxIO's reference implementation computes for the Chrome QUIC
  // hellos of its own test captures.
  // (nDPI's published result for this capture has the same hashes with ALPN code "h0".)
  EXPECT_EQ(quic.at(315).ja4, "q13d0310h3_55b375c5d22e_cd85d2d88918");
}

TEST_F(QuicCorpusTest, Q035AndQ046Desktops) {
  AnomalyCounters anomalies;
  const auto wechat = quicObservations("wechat.pcap", anomalies);
  ASSERT_FALSE(wechat.empty());
  for (const auto& [frame, f] : wechat) {
    EXPECT_EQ(f.version, "Q035") << frame;
    EXPECT_EQ(f.user_agent, "Chrome/57.0.2987.133 Linux x86_64") << frame;
  }
  EXPECT_EQ(wechat.at(49).sni, "ssl.gstatic.com");
  EXPECT_EQ(wechat.at(64).sni, "docs.google.com");
  const auto telegram = quicObservations("telegram.pcap", anomalies);
  ASSERT_EQ(telegram.size(), 2u);
  EXPECT_EQ(telegram.at(725).user_agent, "beta Chrome/83.0.4103.34 Intel Mac OS X 10_13_6");
  EXPECT_EQ(telegram.at(726).sni, "www.google.com");
}

}  // namespace
}  // namespace phaseout::dissect
