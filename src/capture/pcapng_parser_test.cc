#include "capture/pcapng_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace phaseout::capture {
namespace {

std::span<const std::uint8_t> view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Builds pcapng blocks in either byte order (draft-ietf-opsawg-pcapng section 3.1).
class Builder {
 public:
  explicit Builder(bool big) : big_(big) {}
  std::string out;

  void u32(std::string& s, std::uint32_t v) const {
    for (int i = 0; i < 4; ++i) {
      const int shift = big_ ? 24 - 8 * i : 8 * i;
      s.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
  void u16(std::string& s, std::uint16_t v) const {
    s.push_back(static_cast<char>(big_ ? v >> 8 : v & 0xff));
    s.push_back(static_cast<char>(big_ ? v & 0xff : v >> 8));
  }
  static void pad(std::string& s) {
    while (s.size() % 4 != 0) s.push_back('\0');
  }
  void block(std::uint32_t type, const std::string& body) {
    const auto length = static_cast<std::uint32_t>(12 + body.size());
    u32(out, type);
    u32(out, length);
    out += body;
    u32(out, length);
  }
  void shb(std::uint16_t major = 1) {
    std::string b;
    u32(b, 0x1A2B3C4D);
    u16(b, major);
    u16(b, 0);
    u32(b, 0xffffffff);
    u32(b, 0xffffffff);  // section length -1
    block(0x0A0D0D0A, b);
  }
  void idb(std::uint16_t link, std::uint32_t snap, int tsresol = -1, std::int64_t tsoffset = 0) {
    std::string b;
    u16(b, link);
    u16(b, 0);
    u32(b, snap);
    if (tsresol >= 0) {
      u16(b, 9);
      u16(b, 1);
      b.push_back(static_cast<char>(tsresol));
      pad(b);
    }
    if (tsoffset != 0) {
      u16(b, 14);
      u16(b, 8);
      const auto v = static_cast<std::uint64_t>(tsoffset);
      if (big_) {
        u32(b, static_cast<std::uint32_t>(v >> 32));
        u32(b, static_cast<std::uint32_t>(v));
      } else {
        u32(b, static_cast<std::uint32_t>(v));
        u32(b, static_cast<std::uint32_t>(v >> 32));
      }
    }
    u16(b, 0);
    u16(b, 0);
    block(1, b);
  }
  void epb(std::uint32_t iface, std::uint64_t ts, const std::string& data, std::uint32_t orig,
           std::uint32_t claimed_caplen = 0xffffffff) {
    std::string b;
    u32(b, iface);
    u32(b, static_cast<std::uint32_t>(ts >> 32));
    u32(b, static_cast<std::uint32_t>(ts));
    u32(b, claimed_caplen == 0xffffffff ? static_cast<std::uint32_t>(data.size()) : claimed_caplen);
    u32(b, orig);
    b += data;
    pad(b);
    block(6, b);
  }
  void spb(std::uint32_t orig, const std::string& data) {
    std::string b;
    u32(b, orig);
    b += data;
    pad(b);
    block(3, b);
  }
  void opb(std::uint16_t iface, std::uint64_t ts, const std::string& data) {
    std::string b;
    u16(b, iface);
    u16(b, 0);
    u32(b, static_cast<std::uint32_t>(ts >> 32));
    u32(b, static_cast<std::uint32_t>(ts));
    u32(b, static_cast<std::uint32_t>(data.size()));
    u32(b, static_cast<std::uint32_t>(data.size()));
    b += data;
    pad(b);
    block(2, b);
  }

 private:
  bool big_;
};

std::string text(const Frame& f) {
  return {reinterpret_cast<const char*>(f.data.data()), f.data.size()};
}

class PcapngByteOrder : public ::testing::TestWithParam<bool> {};

TEST_P(PcapngByteOrder, ReadsAllPacketBlockKindsAndSkipsOthers) {
  Builder b(GetParam());
  b.shb();
  b.idb(1, 0);                       // microseconds (default)
  b.idb(101, 0, 9);                  // nanoseconds
  b.block(4, std::string(8, '\0'));  // name resolution block: skipped
  b.epb(0, 1600000000123456ULL, "hello", 100);
  b.block(0x12345678, "junk");  // unknown block type: skipped
  b.epb(1, 1600000000123456789ULL, "raw", 3);
  b.spb(10, "simple-pkt");
  b.opb(0, 1000000ULL, "old");
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk()) << parser.status().toString();
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(text(f), "hello");
  EXPECT_EQ(f.wire_length, 100u);
  EXPECT_EQ(f.link_type, 1u);
  EXPECT_EQ(f.ts_ns, 1600000000123456000LL);
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.number, 2u);
  EXPECT_EQ(text(f), "raw");
  EXPECT_EQ(f.link_type, 101u);
  EXPECT_EQ(f.ts_ns, 1600000000123456789LL);
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.number, 3u);
  EXPECT_EQ(text(f), "simple-pkt");
  EXPECT_EQ(f.link_type, 1u);
  EXPECT_EQ(f.ts_ns, 0);
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.number, 4u);
  EXPECT_EQ(text(f), "old");
  EXPECT_EQ(f.ts_ns, 1000000000LL);
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_EQ(diag.warningCount(), 0u) << diag.warnings()[0].message;
}

INSTANTIATE_TEST_SUITE_P(BothOrders, PcapngByteOrder, ::testing::Bool());

TEST(PcapngParser, BinaryResolutionAndOffset) {
  Builder b(false);
  b.shb();
  b.idb(1, 0, 0x80 | 20, 100);                    // 2^-20 s units, +100 s
  b.epb(0, (5ULL << 20) | (1ULL << 19), "x", 1);  // 5.5 s
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.ts_ns, 105500000000LL);
}

TEST(PcapngParser, SimplePacketRespectsSnapLength) {
  Builder b(false);
  b.shb();
  b.idb(1, 4);
  b.spb(100, "abcdefgh");
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(text(f), "abcd");
  EXPECT_EQ(f.wire_length, 100u);
}

TEST(PcapngParser, NewSectionResetsInterfacesAndMayChangeByteOrder) {
  Builder little(false);
  little.shb();
  little.idb(1, 0);
  little.epb(0, 0, "one", 3);
  Builder big(true);
  big.shb();
  big.idb(113, 0);
  big.epb(0, 0, "two", 3);
  const std::string file = little.out + big.out;
  auto parser = PcapngParser::create(view(file));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.link_type, 1u);
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(text(f), "two");
  EXPECT_EQ(f.link_type, 113u);
  EXPECT_EQ(f.number, 2u);
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_EQ(diag.warningCount(), 0u);
}

TEST(PcapngParser, UnknownInterfaceIsSkippedWithWarningAndReadingGoesOn) {
  Builder b(false);
  b.shb();
  b.idb(1, 0);
  const std::size_t bad_block = b.out.size();
  b.epb(7, 0, "lost", 4);
  b.epb(0, 0, "kept", 4);
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(text(f), "kept");
  EXPECT_EQ(f.number, 2u);
  ASSERT_EQ(diag.warnings().size(), 1u);
  EXPECT_EQ(diag.warnings()[0].anomaly, "pcapng.unknown_interface");
  EXPECT_EQ(diag.warnings()[0].byte_offset, bad_block);
  EXPECT_EQ(diag.warnings()[0].frame, 1u);
}

TEST(PcapngParser, CapturedLengthBeyondBlockIsSkipped) {
  Builder b(false);
  b.shb();
  b.idb(1, 0);
  b.epb(0, 0, "abcd", 4, 4000);
  b.epb(0, 0, "next", 4);
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(text(f), "next");
  EXPECT_EQ(diag.anomalies().get("pcapng.captured_length_overrun"), 1u);
}

TEST(PcapngParser, TruncatedBlockStopsWithOffset) {
  Builder b(false);
  b.shb();
  b.idb(1, 0);
  b.epb(0, 0, "first", 5);
  const std::size_t cut_block = b.out.size();
  b.epb(0, 0, std::string(100, 'z'), 100);
  b.out.resize(b.out.size() - 30);
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_FALSE(parser->next(f, diag));
  ASSERT_EQ(diag.warnings().size(), 1u);
  EXPECT_EQ(diag.warnings()[0].anomaly, "pcapng.truncated_block");
  EXPECT_EQ(diag.warnings()[0].byte_offset, cut_block);
  EXPECT_EQ(diag.warnings()[0].frame, 2u);
}

TEST(PcapngParser, BadBlockLengthAndMismatchStop) {
  for (const std::uint32_t bad : {5u, 13u}) {
    Builder b(false);
    b.shb();
    b.idb(1, 0);
    b.u32(b.out, 6);
    b.u32(b.out, bad);
    b.out += std::string(40, '\0');
    auto parser = PcapngParser::create(view(b.out));
    ASSERT_TRUE(parser.isOk());
    Diagnostics diag;
    Frame f;
    EXPECT_FALSE(parser->next(f, diag));
    EXPECT_EQ(diag.anomalies().get("pcapng.bad_block_length"), 1u);
  }
  Builder b(false);
  b.shb();
  b.idb(1, 0);
  b.epb(0, 0, "abcd", 4);
  b.out[b.out.size() - 4] = 99;  // trailing length differs
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_EQ(diag.anomalies().get("pcapng.block_length_mismatch"), 1u);
}

TEST(PcapngParser, RejectsNonPcapngAndUnsupportedVersion) {
  std::string junk(64, 'q');
  EXPECT_FALSE(PcapngParser::recognises(view(junk)));
  EXPECT_FALSE(PcapngParser::create(view(junk)).isOk());
  Builder b(false);
  b.shb(2);
  b.idb(1, 0);
  b.epb(0, 0, "abcd", 4);
  auto parser = PcapngParser::create(view(b.out));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_EQ(diag.anomalies().get("pcapng.unsupported_version"), 1u);
}

}  // namespace
}  // namespace phaseout::capture
