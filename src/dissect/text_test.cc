#include "dissect/text.h"

#include <gtest/gtest.h>

#include "dissect/test_support.h"

namespace phaseout::dissect {
namespace {

using testing::bytesOf;

// Expected strings below were produced by tshark 4.0.17 on hand-built packets carrying the
// same bytes (DHCP option 12 / HTTP User-Agent for asciiText, a DNS query name for
// displayText), read back with `tshark -T json`.

TEST(AsciiTextTest, KeepsControlCharactersAndReplacesEachHighByte) {
  // "a\x01b\x7fc" then UTF-8 'é' (2 bytes), 'd', 0xFF, "e\tf\"g\\h".
  EXPECT_EQ(asciiText(bytesOf("a\x01"
                              "b\x7f"
                              "c\xc3\xa9"
                              "d\xff"
                              "e\tf\"g\\h")),
            "a\x01"
            "b\x7f"
            "c\xEF\xBF\xBD\xEF\xBF\xBD"
            "d\xEF\xBF\xBD"
            "e\tf\"g\\h");
}

TEST(AsciiTextTest, StopsAtTheFirstNul) {
  EXPECT_EQ(asciiText(bytesOf(std::string_view("ho\0st", 5))), "ho");
  EXPECT_EQ(asciiText(bytesOf(std::string_view("\0abc", 4))), "");
}

TEST(DisplayTextTest, PrintableAsciiAndValidUtf8PassThrough) {
  EXPECT_EQ(displayText(bytesOf("a.b c\\d")), "a.b c\\d");  // backslash and dot not escaped
  EXPECT_EQ(displayText(bytesOf("Luca\xe2\x80\x99s iMac")), "Luca\xe2\x80\x99s iMac");
  EXPECT_EQ(displayText(bytesOf("p\xf0\x9f\x98\x80q")), "p\xf0\x9f\x98\x80q");  // emoji
  EXPECT_EQ(displayText(bytesOf("p\xc2\xa0q")), "p\xc2\xa0q");                  // no-break space
}

TEST(DisplayTextTest, NonPrintableAsciiBecomesCEscapes) {
  EXPECT_EQ(displayText(bytesOf("a\x1f"
                                "b\x7f"
                                "c\td\ne")),
            "a\\037b\\177c\\td\\ne");
  EXPECT_EQ(displayText(bytesOf("p\x07\x08\x0b\x0c\x0d\x1bq")), "p\\a\\b\\v\\f\\r\\033q");
  EXPECT_EQ(displayText(bytesOf(std::string_view("p\0a", 3))), "p\\000a");
}

TEST(DisplayTextTest, BrokenUtf8BecomesOneReplacementPerSequence) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(displayText(bytesOf("e\x80"
                                "f")),
            "e" + fffd + "f");                                          // stray continuation
  EXPECT_EQ(displayText(bytesOf("p\xed\xa0\x80q")), "p" + fffd + "q");  // surrogate
  EXPECT_EQ(displayText(bytesOf("p\xf8\x88\x80\x80\x80q")), "p" + fffd + "q");  // 5-byte form
  EXPECT_EQ(displayText(bytesOf("p\xe2\x80q")), "p" + fffd + "q");              // cut sequence
  EXPECT_EQ(displayText(bytesOf("p\xe2\x80x")), "p" + fffd + "x");
  EXPECT_EQ(displayText(bytesOf("p\xf4\x90\x80\x80q")), "p" + fffd + "q");  // > U+10FFFF
  EXPECT_EQ(displayText(bytesOf("\xff")), fffd);
  EXPECT_EQ(displayText(bytesOf("ab\xe2")), "ab" + fffd);  // cut at the end of the input
}

TEST(DisplayTextTest, OverlongFormsAreDecodedAsWiresharkDoes) {
  EXPECT_EQ(displayText(bytesOf("p\xe0\x80\xafq")), "p/q");
  EXPECT_EQ(displayText(bytesOf("p\xc0\x80q")), "p\\u0000q");
}

TEST(DisplayTextTest, NonPrintableNonAsciiBecomesUniversalNames) {
  EXPECT_EQ(displayText(bytesOf("p\xc2\x85q")), "p\\u0085q");              // C1 control
  EXPECT_EQ(displayText(bytesOf("p\xe2\x80\x8bq")), "p\\u200Bq");          // zero width space (Cf)
  EXPECT_EQ(displayText(bytesOf("p\xef\xbf\xbfq")), "p\\uFFFFq");          // non-character
  EXPECT_EQ(displayText(bytesOf("p\xf3\xa0\x80\x81q")), "p\\U000E0001q");  // language tag
}

TEST(HexTextTest, PlainAndSeparated) {
  EXPECT_EQ(hexText(bytesOf("\x01\xab\xff")), "01abff");
  EXPECT_EQ(hexText(bytesOf("\x01\xab\xff"), ':'), "01:ab:ff");
  EXPECT_EQ(hexText({}), "");
}

}  // namespace
}  // namespace phaseout::dissect
