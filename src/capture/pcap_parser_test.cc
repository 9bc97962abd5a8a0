#include "capture/pcap_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/pcap_writer.h"

namespace phaseout::capture {
namespace {

std::span<const std::uint8_t> view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void put32(std::string& out, std::uint32_t v, bool big) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big ? 24 - 8 * i : 8 * i;
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}
void put16(std::string& out, std::uint16_t v, bool big) {
  out.push_back(static_cast<char>(big ? v >> 8 : v & 0xff));
  out.push_back(static_cast<char>(big ? v & 0xff : v >> 8));
}

std::string header(std::uint32_t magic, bool big, std::uint32_t link) {
  std::string out;
  put32(out, magic, big);
  put16(out, 2, big);
  put16(out, 4, big);
  put32(out, 0, big);
  put32(out, 0, big);
  put32(out, 65535, big);
  put32(out, link, big);
  return out;
}

void record(std::string& out, bool big, std::uint32_t sec, std::uint32_t frac,
            const std::string& data, std::uint32_t orig) {
  put32(out, sec, big);
  put32(out, frac, big);
  put32(out, static_cast<std::uint32_t>(data.size()), big);
  put32(out, orig, big);
  out += data;
}

struct Variant {
  std::uint32_t magic;
  bool big;
  bool nano;
};

class PcapVariants : public ::testing::TestWithParam<Variant> {};

TEST_P(PcapVariants, ReadsRecordsWithTimestampsAndLengths) {
  const Variant v = GetParam();
  std::string file = header(v.magic, v.big, 1);
  record(file, v.big, 1600000000, v.nano ? 123456789 : 123456, "abcd", 60);
  record(file, v.big, 1600000001, 5, "xyz12", 5);
  auto parser = PcapParser::create(view(file));
  ASSERT_TRUE(parser.isOk()) << parser.status().toString();
  EXPECT_EQ(parser->bigEndian(), v.big);
  EXPECT_EQ(parser->nanosecond(), v.nano);
  EXPECT_EQ(parser->linkType(), 1u);
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.data.data()), f.data.size()), "abcd");
  EXPECT_EQ(f.wire_length, 60u);
  EXPECT_EQ(f.ts_ns, 1600000000LL * 1000000000LL + (v.nano ? 123456789 : 123456000));
  EXPECT_EQ(f.file_offset, 24u);
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.number, 2u);
  EXPECT_EQ(f.data.size(), 5u);
  EXPECT_EQ(f.ts_ns, 1600000001LL * 1000000000LL + (v.nano ? 5 : 5000));
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_EQ(diag.warningCount(), 0u);
  EXPECT_EQ(diag.anomalies().total(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllMagics, PcapVariants,
                         ::testing::Values(Variant{0xA1B2C3D4, false, false},
                                           Variant{0xA1B2C3D4, true, false},
                                           Variant{0xA1B23C4D, false, true},
                                           Variant{0xA1B23C4D, true, true}));

TEST(PcapParser, RejectsOtherMagicAndShortHeader) {
  std::string not_pcap = "hello world, this is not a capture file";
  EXPECT_FALSE(PcapParser::recognises(view(not_pcap)));
  EXPECT_FALSE(PcapParser::create(view(not_pcap)).isOk());
  std::string short_header = header(0xA1B2C3D4, false, 1).substr(0, 10);
  EXPECT_TRUE(PcapParser::recognises(view(short_header)));
  EXPECT_FALSE(PcapParser::create(view(short_header)).isOk());
}

TEST(PcapParser, LinkTypeIgnoresFcsBits) {
  // draft-ietf-opsawg-pcap section 4: FCS length in the top bits of the LinkType field.
  std::string file = header(0xA1B2C3D4, false, 0x14000001);
  auto parser = PcapParser::create(view(file));
  ASSERT_TRUE(parser.isOk());
  EXPECT_EQ(parser->linkType(), 1u);
}

TEST(PcapParser, TruncatedLastRecordWarnsWithOffsetAndFrame) {
  std::string file = header(0xA1B2C3D4, false, 1);
  record(file, false, 1, 0, std::string(40, 'a'), 40);
  const std::size_t second = file.size();
  record(file, false, 2, 0, std::string(40, 'b'), 40);
  file.resize(file.size() - 10);
  auto parser = PcapParser::create(view(file));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_FALSE(parser->next(f, diag));  // stays finished
  ASSERT_EQ(diag.warnings().size(), 1u);
  EXPECT_EQ(diag.warnings()[0].byte_offset, second);
  EXPECT_EQ(diag.warnings()[0].frame, 2u);
  EXPECT_EQ(diag.warnings()[0].anomaly, "pcap.truncated_record");
  EXPECT_EQ(diag.anomalies().get("pcap.truncated_record"), 1u);
}

TEST(PcapParser, CutRecordHeaderWarns) {
  std::string file = header(0xA1B2C3D4, true, 1);
  record(file, true, 1, 0, "aaaa", 4);
  file += std::string(7, '\0');
  auto parser = PcapParser::create(view(file));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_FALSE(parser->next(f, diag));
  ASSERT_EQ(diag.warnings().size(), 1u);
  EXPECT_EQ(diag.warnings()[0].anomaly, "pcap.truncated_record_header");
}

TEST(PcapParser, HugeCapturedLengthStops) {
  std::string file = header(0xA1B2C3D4, false, 1);
  put32(file, 1, false);
  put32(file, 0, false);
  put32(file, 0x7fffffff, false);
  put32(file, 10, false);
  file += std::string(100, 'x');
  auto parser = PcapParser::create(view(file));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  EXPECT_FALSE(parser->next(f, diag));
  ASSERT_EQ(diag.warnings().size(), 1u);
  EXPECT_EQ(diag.warnings()[0].anomaly, "pcap.bad_record_length");
  EXPECT_EQ(diag.warnings()[0].byte_offset, 24u);
}

TEST(PcapParser, ModifiedFormatHasLongerRecordHeaders) {
  // 16 standard header bytes, then 8 more (ifindex, protocol, type, pad) before the data.
  std::string fixed = header(0xA1B2CD34, false, 1);
  put32(fixed, 1, false);
  put32(fixed, 0, false);
  put32(fixed, 4, false);
  put32(fixed, 4, false);
  fixed += std::string(8, '\0') + "data";
  auto parser = PcapParser::create(view(fixed));
  ASSERT_TRUE(parser.isOk());
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.data.data()), f.data.size()), "data");
  EXPECT_FALSE(parser->next(f, diag));
  EXPECT_EQ(diag.warningCount(), 0u);
}

TEST(PcapWriter, RoundTripsThroughTheParser) {
  std::string file;
  appendPcapFileHeader(file, 101);
  const std::uint8_t data[] = {0x45, 0, 0, 20};
  appendPcapRecord(file, 1700000000123456789LL, data, 0);
  auto parser = PcapParser::create(view(file));
  ASSERT_TRUE(parser.isOk());
  EXPECT_TRUE(parser->nanosecond());
  EXPECT_EQ(parser->linkType(), 101u);
  Diagnostics diag;
  Frame f;
  ASSERT_TRUE(parser->next(f, diag));
  EXPECT_EQ(f.ts_ns, 1700000000123456789LL);
  EXPECT_EQ(f.wire_length, 4u);
  EXPECT_EQ(f.data.size(), 4u);
}

}  // namespace
}  // namespace phaseout::capture
