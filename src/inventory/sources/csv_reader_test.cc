#include "inventory/sources/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phaseout::inventory {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Read {
  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> lines;
  std::vector<std::string> errors;  // "line: message"
};

Read readAll(std::string_view text) {
  Read out;
  CsvReader reader(text);
  for (;;) {
    const CsvReader::Step step = reader.next();
    if (step == CsvReader::Step::kEnd) break;
    if (step == CsvReader::Step::kError) {
      out.errors.push_back(std::to_string(reader.line()) + ": field " +
                           std::to_string(reader.errorField()) + ": " + reader.error());
      continue;
    }
    out.records.emplace_back(reader.fields().begin(), reader.fields().end());
    out.lines.push_back(reader.line());
  }
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReaderTest, PlainRecords) {
  const Read r = readAll("a,b,c\n1,2,3\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_THAT(r.records, ElementsAre(Fields{"a", "b", "c"}, Fields{"1", "2", "3"}));
  EXPECT_THAT(r.lines, ElementsAre(1, 2));
}

TEST(CsvReaderTest, LastLineWithoutLineBreak) {
  const Read r = readAll("a,b\n1,2");
  EXPECT_THAT(r.records, ElementsAre(Fields{"a", "b"}, Fields{"1", "2"}));
}

TEST(CsvReaderTest, EmptyFieldsAndTrailingDelimiter) {
  const Read r = readAll(",x,\n,,\n");
  EXPECT_THAT(r.records, ElementsAre(Fields{"", "x", ""}, Fields{"", "", ""}));
}

TEST(CsvReaderTest, QuotedFieldsWithDelimitersAndEscapedQuotes) {
  const Read r = readAll("\"a,b\",\"say \"\"hi\"\"\",\"\"\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_THAT(r.records, ElementsAre(Fields{"a,b", "say \"hi\"", ""}));
}

TEST(CsvReaderTest, SeveralEscapedFieldsInOneRecordStayValid) {
  // Escaped fields share one buffer; the views must survive its growth within a record.
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    if (i) text += ',';
    const std::string body(static_cast<std::size_t>(i) * 7 + 1, static_cast<char>('a' + i % 26));
    text += "\"" + body + "\"\"" + body + "\"";
    expected.push_back(body + "\"" + body);
  }
  text += "\n";
  const Read r = readAll(text);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0], expected);
}

TEST(CsvReaderTest, CrlfAndLoneCrEndRecords) {
  const Read r = readAll("a,b\r\n1,2\r3,4\r\n");
  EXPECT_THAT(r.records, ElementsAre(Fields{"a", "b"}, Fields{"1", "2"}, Fields{"3", "4"}));
  EXPECT_THAT(r.lines, ElementsAre(1, 2, 3));
}

TEST(CsvReaderTest, QuotedLineBreaksKeepTheRecordStartLine) {
  const Read r = readAll("id,note\n1,\"two\nlines\"\n2,\"three\r\nmore\nlines\"\n3,x\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_THAT(r.records, ElementsAre(Fields{"id", "note"}, Fields{"1", "two\nlines"},
                                     Fields{"2", "three\r\nmore\nlines"}, Fields{"3", "x"}));
  EXPECT_THAT(r.lines, ElementsAre(1, 2, 4, 7));
}

TEST(CsvReaderTest, SkipsByteOrderMarkAndBlankLines) {
  const Read r = readAll(
      "\xEF\xBB\xBF"
      "a,b\n\n\r\n1,2\n\n");
  EXPECT_THAT(r.records, ElementsAre(Fields{"a", "b"}, Fields{"1", "2"}));
  EXPECT_THAT(r.lines, ElementsAre(1, 4));
}

TEST(CsvReaderTest, EmptyInput) {
  EXPECT_TRUE(readAll("").records.empty());
  EXPECT_TRUE(readAll("\n\n").records.empty());
  EXPECT_TRUE(readAll("\xEF\xBB\xBF").records.empty());
}

TEST(CsvReaderTest, StrayQuoteInUnquotedFieldIsAnErrorAndReadingGoesOn) {
  const Read r = readAll("a,b\n1,x\"y\n2,z\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("2: field 1: a quote inside an unquoted field"));
  EXPECT_THAT(r.records, ElementsAre(Fields{"a", "b"}, Fields{"2", "z"}));
  EXPECT_THAT(r.lines, ElementsAre(1, 3));
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  const Read r = readAll("a,b\n\"1\"x,2\n3,4\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0],
              HasSubstr("2: field 0: expected a delimiter or the end of the line after a closing "
                        "quote; got 'x'"));
  EXPECT_THAT(r.records, ElementsAre(Fields{"a", "b"}, Fields{"3", "4"}));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineItOpened) {
  const Read r = readAll("a,b\n1,2\n3,\"open\nmore\nlines\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "3: field 1: unterminated quoted field (the quote opened on line 3 is never closed)");
  EXPECT_EQ(r.records.size(), 2u);
}

TEST(CsvReaderTest, OtherDelimiter) {
  CsvReader reader("a;\"b;c\"\n", ';');
  ASSERT_EQ(reader.next(), CsvReader::Step::kRecord);
  EXPECT_THAT(reader.fields(), ElementsAre("a", "b;c"));
  EXPECT_EQ(reader.next(), CsvReader::Step::kEnd);
  EXPECT_EQ(reader.next(), CsvReader::Step::kEnd);
}

TEST(CsvReaderTest, ReportsProgressOffset) {
  const std::string text = "a,b\n1,2\n";
  CsvReader reader(text);
  ASSERT_EQ(reader.next(), CsvReader::Step::kRecord);
  EXPECT_EQ(reader.offset(), 4u);
  ASSERT_EQ(reader.next(), CsvReader::Step::kRecord);
  EXPECT_EQ(reader.offset(), text.size());
}

}  // namespace
}  // namespace phaseout::inventory
