#include "dissect/dns/dns_name.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::append;
using testing::appendU16;
using testing::Bytes;

struct Read {
  DnsNameStatus status;
  std::string name;
  bool reader_ok;
  std::size_t end;  // reader offset after the call
};

Read readAt(const Bytes& message, std::size_t offset) {
  ByteReader r(message);
  r.seek(offset);
  Read out{};
  out.status = readDnsName(r, out.name);
  out.reader_ok = r.ok();
  out.end = r.offset();
  return out;
}

TEST(DnsNameTest, PlainName) {
  Bytes m;
  append(m, {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0xAA});
  const Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kOk);
  EXPECT_EQ(r.name, "www.example.com");
  EXPECT_EQ(r.end, 17u);  // just past the root label
}

TEST(DnsNameTest, RootIsShownAsTsharkDoes) {
  const Read r = readAt(Bytes{0}, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kOk);
  EXPECT_EQ(r.name, "<Root>");
  EXPECT_EQ(r.end, 1u);
}

TEST(DnsNameTest, CompressionPointerBackward) {
  Bytes m;
  append(m, {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0});  // offset 0
  append(m, {3, 'f', 't', 'p', 0xC0, 0x00, 0x55});                         // offset 13
  const Read r = readAt(m, 13);
  EXPECT_EQ(r.status, DnsNameStatus::kOk);
  EXPECT_EQ(r.name, "ftp.example.com");
  EXPECT_EQ(r.end, 19u);  // after the pointer, not after the target
}

TEST(DnsNameTest, ForwardPointerIsTolerated) {
  Bytes m;
  append(m, {0xC0, 0x03, 0xFF, 1, 'a', 0});
  const Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kOk);
  EXPECT_EQ(r.name, "a");
  EXPECT_EQ(r.end, 2u);
}

TEST(DnsNameTest, PointerToItselfIsALoop) {
  Bytes m;
  append(m, {3, 'a', 'b', 'c', 0xC0, 0x00});  // abc -> abc -> ...
  const Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kPointerLoop);
  EXPECT_TRUE(r.name.empty());
  EXPECT_TRUE(r.reader_ok);  // the name's end (after the pointer) is known
  EXPECT_EQ(r.end, 6u);
}

TEST(DnsNameTest, TwoPointersPointingAtEachOther) {
  Bytes m;
  append(m, {0xC0, 0x02, 0xC0, 0x00});
  EXPECT_EQ(readAt(m, 0).status, DnsNameStatus::kPointerLoop);
}

TEST(DnsNameTest, LongPointerChainWithoutRepeatsStops) {
  // 200 pointers, each to the next one: no target repeats, but no name needs more than 127.
  Bytes m;
  for (int i = 0; i < 200; ++i) appendU16(m, 0xC000 | static_cast<unsigned>(2 * (i + 1)));
  append(m, {0});
  EXPECT_EQ(readAt(m, 0).status, DnsNameStatus::kPointerLoop);
}

TEST(DnsNameTest, PointerBeyondTheMessage) {
  Bytes m;
  append(m, {3, 'a', 'b', 'c', 0xC0, 0xFF});
  const Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kPointerOutOfBounds);
  EXPECT_TRUE(r.reader_ok);
}

TEST(DnsNameTest, ExtendedLabelTypesAreRejected) {
  Bytes m;
  append(m, {0x41, 'a', 'b', 'c', 0});
  const Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kBadLabelType);
  EXPECT_FALSE(r.reader_ok);  // end unknown: the caller must stop
  Bytes m2;
  append(m2, {0x80, 0});
  EXPECT_EQ(readAt(m2, 0).status, DnsNameStatus::kBadLabelType);
}

TEST(DnsNameTest, NameLongerThan255OctetsIsRejected) {
  Bytes m;
  for (int i = 0; i < 4; ++i) {
    m.push_back(63);
    m.insert(m.end(), 63, 'a');
  }
  m.push_back(0);  // 4 * 64 + 1 = 257 octets
  EXPECT_EQ(readAt(m, 0).status, DnsNameStatus::kTooLong);
  // 3 * 64 + 62 + 1 = 255 octets is the longest legal name.
  Bytes ok;
  for (int i = 0; i < 3; ++i) {
    ok.push_back(63);
    ok.insert(ok.end(), 63, 'a');
  }
  ok.push_back(61);
  ok.insert(ok.end(), 61, 'b');
  ok.push_back(0);
  const Read r = readAt(ok, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kOk);
  EXPECT_EQ(r.name.size(), 3u * 64 + 61);
}

TEST(DnsNameTest, LoopThroughLabelsGrowingTheName) {
  // Each pass adds a label before jumping back: stopped as a loop before it gets long.
  Bytes m;
  append(m, {1, 'x', 0xC0, 0x00});
  EXPECT_EQ(readAt(m, 0).status, DnsNameStatus::kPointerLoop);
}

TEST(DnsNameTest, Truncated) {
  Bytes m;
  append(m, {5, 'a', 'b'});
  Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kTruncated);
  EXPECT_FALSE(r.reader_ok);
  EXPECT_EQ(readAt(Bytes{3, 'a', 'b', 'c'}, 0).status, DnsNameStatus::kTruncated);  // no root
  EXPECT_EQ(readAt(Bytes{0xC0}, 0).status, DnsNameStatus::kTruncated);  // half a pointer
}

TEST(DnsNameTest, LabelBytesRenderedAsTshark) {
  Bytes m;
  append(m, {3, 'a', '.', 'b', 2, 'g', 0x01, 2, 0xc3, 0xa9, 0});
  const Read r = readAt(m, 0);
  EXPECT_EQ(r.status, DnsNameStatus::kOk);
  EXPECT_EQ(r.name, "a.b.g\\001.\xc3\xa9");
}

TEST(DnsNameTest, AnomalyNames) {
  EXPECT_EQ(anomalyName(DnsNameStatus::kPointerLoop), "dns.pointer_loop");
  EXPECT_EQ(anomalyName(DnsNameStatus::kPointerOutOfBounds), "dns.pointer_out_of_bounds");
  EXPECT_EQ(anomalyName(DnsNameStatus::kBadLabelType), "dns.bad_label_type");
  EXPECT_EQ(anomalyName(DnsNameStatus::kTooLong), "dns.name_too_long");
  EXPECT_EQ(anomalyName(DnsNameStatus::kTruncated), "dns.truncated");
}

}  // namespace
}  // namespace phaseout::dissect
