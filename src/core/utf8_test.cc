#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "core/strings.h"

namespace phaseout {
namespace {

struct Expected {
  std::uint32_t code_point;
  std::size_t size;
  Utf8Error error;
};

void expectDecodes(std::string_view bytes, Expected expected,
                   Utf8Forms forms = Utf8Forms::kRfc3629) {
  const Utf8Decoded d = decodeUtf8(bytes, forms);
  EXPECT_EQ(d.code_point, expected.code_point) << "code point of " << testing::PrintToString(bytes);
  EXPECT_EQ(d.size, expected.size) << "size of " << testing::PrintToString(bytes);
  EXPECT_EQ(d.error, expected.error) << "error of " << testing::PrintToString(bytes);
}

TEST(Utf8DecodeTest, WellFormedSequencesOfEachLength) {
  expectDecodes("A", {0x41, 1, Utf8Error::kNone});
  expectDecodes(std::string_view("\0", 1), {0, 1, Utf8Error::kNone});
  expectDecodes("\xD0\x9A", {0x41A, 2, Utf8Error::kNone});             // К
  expectDecodes("\xE2\x82\xAC", {0x20AC, 3, Utf8Error::kNone});        // €
  expectDecodes("\xF0\x9F\x93\xB1", {0x1F4F1, 4, Utf8Error::kNone});   // 📱
  expectDecodes("\xF4\x8F\xBF\xBF", {0x10FFFF, 4, Utf8Error::kNone});  // the last code point
  expectDecodes("\xEF\xBF\xBD", {0xFFFD, 3, Utf8Error::kNone});
  expectDecodes("\xD0\x9A rest", {0x41A, 2, Utf8Error::kNone});  // reads one only
  EXPECT_TRUE(decodeUtf8("\xE2\x82\xAC").ok());
}

TEST(Utf8DecodeTest, EmptyInput) { expectDecodes("", {0xFFFD, 0, Utf8Error::kTruncated}); }

TEST(Utf8DecodeTest, InvalidLeadBytes) {
  for (std::string_view lead : {"\x80", "\xBF", "\xF8", "\xFC", "\xFE", "\xFF"}) {
    expectDecodes(lead, {0xFFFD, 1, Utf8Error::kInvalidLead});
  }
  expectDecodes("\xFE\x80", {0xFFFD, 1, Utf8Error::kInvalidLead}, Utf8Forms::kLegacy);
}

TEST(Utf8DecodeTest, TruncatedAtTheEndOrByANonContinuationByte) {
  expectDecodes("\xD0", {0xFFFD, 1, Utf8Error::kTruncated});
  expectDecodes("\xE2\x82", {0xFFFD, 2, Utf8Error::kTruncated});
  expectDecodes("\xF0\x9F\x93", {0xFFFD, 3, Utf8Error::kTruncated});
  // The breaking byte is not consumed: it may start the next character.
  expectDecodes("\xC3\x28", {0xFFFD, 1, Utf8Error::kTruncated});
  expectDecodes("\xE2\x82\xD0\x9A", {0xFFFD, 2, Utf8Error::kTruncated});
}

TEST(Utf8DecodeTest, OverlongFormsCarryTheirValue) {
  expectDecodes("\xC0\x80", {0, 2, Utf8Error::kOverlong});
  expectDecodes("\xC1\xBF", {0x7F, 2, Utf8Error::kOverlong});
  expectDecodes("\xE0\x80\xAF", {0x2F, 3, Utf8Error::kOverlong});
  expectDecodes("\xF0\x8F\xBF\xBF", {0xFFFF, 4, Utf8Error::kOverlong});
  // An overlong surrogate is reported as overlong; its value still tells what it is.
  expectDecodes("\xF0\x8D\xA0\x80", {0xD800, 4, Utf8Error::kOverlong});
}

TEST(Utf8DecodeTest, SurrogatesAndValuesBeyondUnicode) {
  expectDecodes("\xED\xA0\x80", {0xD800, 3, Utf8Error::kSurrogate});
  expectDecodes("\xED\xBF\xBF", {0xDFFF, 3, Utf8Error::kSurrogate});
  expectDecodes("\xED\x9F\xBF", {0xD7FF, 3, Utf8Error::kNone});
  expectDecodes("\xF4\x90\x80\x80", {0x110000, 4, Utf8Error::kTooLarge});
  expectDecodes("\xF7\xBF\xBF\xBF", {0x1FFFFF, 4, Utf8Error::kTooLarge});
}

TEST(Utf8DecodeTest, LegacyFiveAndSixByteForms) {
  expectDecodes("\xF8\x88\x80\x80\x80", {0x200000, 5, Utf8Error::kTooLarge}, Utf8Forms::kLegacy);
  expectDecodes("\xF8\x80\x80\x80\x80", {0, 5, Utf8Error::kOverlong}, Utf8Forms::kLegacy);
  expectDecodes("\xFD\xBF\xBF\xBF\xBF\xBF", {0x7FFFFFFF, 6, Utf8Error::kTooLarge},
                Utf8Forms::kLegacy);
  expectDecodes("\xFC\x80\x80\x80\x80\xAF", {0x2F, 6, Utf8Error::kOverlong}, Utf8Forms::kLegacy);
  expectDecodes("\xF8\x88\x80", {0xFFFD, 3, Utf8Error::kTruncated}, Utf8Forms::kLegacy);
  // Without the legacy forms the same lead bytes start nothing.
  expectDecodes("\xF8\x88\x80\x80\x80", {0xFFFD, 1, Utf8Error::kInvalidLead});
}

TEST(Utf8DecodeTest, ByteSpansAndStringsAgree) {
  const std::uint8_t bytes[] = {0xE2, 0x82, 0xAC};
  const Utf8Decoded d = decodeUtf8(std::span<const std::uint8_t>(bytes));
  EXPECT_EQ(d.code_point, 0x20AC);
  EXPECT_EQ(d.size, 3);
  static_assert(decodeUtf8(std::span<const std::uint8_t>()).size == 0);
}

TEST(Utf8FindInvalidTest, OffsetOfTheFirstBadByte) {
  EXPECT_EQ(findInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(findInvalidUtf8("Кириенко, plain ASCII long enough for the fast path"),
            std::string_view::npos);
  EXPECT_EQ(findInvalidUtf8("caf\xE9"), 3);
  EXPECT_EQ(findInvalidUtf8("0123456789abcdef\xC3\x28"), 16);  // after two fast chunks
  EXPECT_EQ(findInvalidUtf8("ab\xED\xA0\x80"), 2);             // surrogate
  EXPECT_EQ(findInvalidUtf8("ab\xE0\x80\xAF"), 2);             // overlong
  EXPECT_EQ(findInvalidUtf8("ab\xF0\x9F\x93"), 2);             // truncated at the end
}

TEST(Utf8FindInvalidTest, NulIsValidUnlessAsked) {
  const std::string_view with_nul("abcdefgh\0ijklmnop", 17);
  EXPECT_EQ(findInvalidUtf8(with_nul), std::string_view::npos);
  EXPECT_EQ(findInvalidUtf8(with_nul, Utf8Nul::kInvalid), 8);
  EXPECT_EQ(findInvalidUtf8(std::string_view("a\0", 2), Utf8Nul::kInvalid), 1);
  EXPECT_TRUE(isValidUtf8(with_nul));
}

TEST(Utf8FindInvalidTest, AgreesWithTheDecoderOnEveryTwoByteInput) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char text[] = {static_cast<char>(a), static_cast<char>(b)};
      const std::string_view s(text, 2);
      // Decode the way a validator reads: sequence after sequence.
      std::size_t i = 0;
      std::size_t expected = std::string_view::npos;
      while (i < s.size()) {
        const Utf8Decoded d = decodeUtf8(s.substr(i));
        if (!d.ok()) {
          expected = i;
          break;
        }
        i += d.size;
      }
      ASSERT_EQ(findInvalidUtf8(s), expected) << a << " " << b;
    }
  }
}

TEST(Utf8AppendTest, ShortestFormsAndReplacement) {
  std::string out;
  appendUtf8(0x41, out);
  appendUtf8(0x41A, out);
  appendUtf8(0x20AC, out);
  appendUtf8(0x1F4F1, out);
  EXPECT_EQ(out, "A\xD0\x9A\xE2\x82\xAC\xF0\x9F\x93\xB1");
  out.clear();
  appendUtf8(0xD800, out);
  appendUtf8(0x110000, out);
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8AppendTest, RoundTripsEveryScalarValue) {
  std::string out;
  for (std::uint32_t cp = 0; cp <= kMaxCodePoint; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    out.clear();
    appendUtf8(cp, out);
    const Utf8Decoded d = decodeUtf8(out);
    ASSERT_TRUE(d.ok()) << cp;
    ASSERT_EQ(d.code_point, cp);
    ASSERT_EQ(d.size, out.size());
  }
}

}  // namespace
}  // namespace phaseout
