#include <gtest/gtest.h>

#include <array>

#include "core/byte_reader.h"
#include "core/date.h"
#include "core/status.h"
#include "core/strings.h"

namespace phaseout {
namespace {

TEST(DateTest, ParsesAndFormatsRoundTrip) {
  auto d = Date::parse("2023-03-31");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->toString(), "2023-03-31");
  EXPECT_EQ(d->addDays(1).toString(), "2023-04-01");
  EXPECT_EQ(Date::parse("2024-02-29")->addDays(1).toString(), "2024-03-01");
  EXPECT_EQ(Date::parse("1970-01-01")->days(), 0);
}

TEST(DateTest, RejectsImpossibleDates) {
  for (const char* bad : {"2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "23-03-01",
                          "2023/03/01", "2023-3-1", "", "2023-03-01x", "abcd-ef-gh"}) {
    EXPECT_FALSE(Date::parse(bad).has_value()) << bad;
  }
}

TEST(DateTest, FromEpochMsFloorsToTheUtcDay) {
  EXPECT_EQ(Date::fromEpochMs(0).toString(), "1970-01-01");
  EXPECT_EQ(Date::fromEpochMs(86'399'999).toString(), "1970-01-01");
  EXPECT_EQ(Date::fromEpochMs(86'400'000).toString(), "1970-01-02");
  EXPECT_EQ(Date::fromEpochMs(-1).toString(), "1969-12-31");
  EXPECT_EQ(Date::fromEpochMs(-86'400'000).toString(), "1969-12-31");
  EXPECT_EQ(formatUtcTimestamp(Date::parse("2023-04-01")->epochMs() + 3'723'000),
            "2023-04-01T01:02:03Z");
  EXPECT_EQ(formatUtcTimestamp(-1000), "1969-12-31T23:59:59Z");
}

TEST(StatusTest, FieldIsKeptApartFromTheMessage) {
  const Status s = invalidField("until", "a waiver is never open-ended");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "until");
  EXPECT_EQ(s.message(), "a waiver is never open-ended");
  EXPECT_EQ(s.toString(), "InvalidArgument: until: a waiver is never open-ended");
}

TEST(DateTest, DaysUntil) {
  EXPECT_EQ(Date::parse("2023-03-20")->daysUntil(*Date::parse("2023-04-01")), 12);
}

TEST(StringsTest, EscapeMarkupCoversTextAndQuotedAttributes) {
  EXPECT_EQ(escapeMarkup("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(escapeMarkup("Минобороны"), "Минобороны");
  EXPECT_EQ(escapeMarkup(""), "");
}

TEST(StringsTest, GlobIsCaseInsensitive) {
  EXPECT_TRUE(globMatch("iphone*", "iPhone 13 Pro"));
  EXPECT_TRUE(globMatch("*13*", "iPhone 13 Pro"));
  EXPECT_TRUE(globMatch("i?hone", "IPHONE"));
  EXPECT_FALSE(globMatch("iphone", "iPhone 13"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_FALSE(globMatch("a*b", "acbd"));
}

TEST(StringsTest, SplitListTrimsAndDropsEmpty) {
  EXPECT_EQ(splitList(" official; unit-officer ;;", ';'),
            (std::vector<std::string>{"official", "unit-officer"}));
}

TEST(StringsTest, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("Кириенко"));
  EXPECT_FALSE(isValidUtf8("\xC3\x28"));
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));  // overlong
  EXPECT_FALSE(isValidUtf8("caf\xE9"));       // Latin-1
}

TEST(ByteReaderTest, LatchesOnOverrun) {
  const std::array<std::uint8_t, 3> bytes{0x12, 0x34, 0x56};
  ByteReader r(bytes);
  EXPECT_EQ(r.u16be(), 0x1234);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.u16be(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReaderTest, SubReaderOfOverrunIsFailed) {
  const std::array<std::uint8_t, 3> bytes{1, 2, 3};
  ByteReader r(bytes);
  ByteReader sub = r.sub(5);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(sub.ok());
  EXPECT_EQ(sub.remaining(), 0u);
}

TEST(StatusTest, ResultCarriesValueOrError) {
  Result<int> good(5);
  EXPECT_TRUE(good.isOk());
  EXPECT_EQ(*good, 5);
  Result<int> bad(notFound("device D-1"));
  EXPECT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().toString(), "NotFound: device D-1");
}

}  // namespace
}  // namespace phaseout

#include "core/json_writer.h"

namespace phaseout {
namespace {

TEST(JsonWriterTest, EscapesAndReplacesInvalidUtf8) {
  std::string out;
  appendJsonString(out, "a\"b\\c\n\x01 Кремль \xff");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001 Кремль \xEF\xBF\xBD\"");
  out.clear();
  appendJsonKey(out, "n", true);
  appendJsonInt(out, -42);
  EXPECT_EQ(out, "\"n\":-42");
}

}  // namespace
}  // namespace phaseout
