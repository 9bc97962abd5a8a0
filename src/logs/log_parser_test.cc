#include "logs/log_parser.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace phaseout::logs {
namespace {

class Collect : public LogListener {
 public:
  void onProblem(const LogProblem& p) override { problems.push_back(p); }
  std::vector<LogProblem> problems;
};

class Lines : public LogParser {
 public:
  Lines(detect::Ledger& ledger, LogStats& stats, LogListener* listener)
      : LogParser(ledger, 0, "test", listener, stats) {}
  void parseLine(std::string_view line, std::uint64_t number) override {
    lines.emplace_back(line);
    numbers.push_back(number);
    if (line == "bad") bad(number, "bad line");
  }
  std::vector<std::string> lines;
  std::vector<std::uint64_t> numbers;
};

std::shared_ptr<const detect::SignatureSet> builtin() {
  static const auto set = detect::SignatureSet::loadBuiltin().value();
  return set;
}

TEST(LogParserTest, TimesInTheThreeNotations) {
  // 2000-10-10T20:55:36Z is 971211336.
  EXPECT_EQ(parseCommonLogTime("10/Oct/2000:13:55:36 -0700"), 971211336'000'000'000);
  EXPECT_EQ(parseCommonLogTime("10/Oct/2000:20:55:36 +0000"), 971211336'000'000'000);
  EXPECT_FALSE(parseCommonLogTime("10/Foo/2000:20:55:36 +0000"));
  EXPECT_FALSE(parseCommonLogTime("10/Oct/2000:20:55"));
  EXPECT_EQ(parseIsoTime("2000-10-10T20:55:36.250000+0000"), 971211336'250'000'000);
  EXPECT_EQ(parseIsoTime("2000-10-10T22:55:36+02:00"), 971211336'000'000'000);
  EXPECT_EQ(parseIsoTime("2000-10-10T20:55:36Z"), 971211336'000'000'000);
  EXPECT_FALSE(parseIsoTime("2000-10-10"));
  EXPECT_FALSE(parseIsoTime("2000-13-10T20:55:36Z"));
  EXPECT_EQ(parseEpochSeconds("971211336.000001"), 971211336'000'001'000);
  EXPECT_EQ(parseEpochSeconds("971211336"), 971211336'000'000'000);
  EXPECT_FALSE(parseEpochSeconds("XXXXXXXXXX.XXXXXX"));
  EXPECT_FALSE(parseEpochSeconds(""));
}

TEST(LogParserTest, AddressesAndHosts) {
  ASSERT_TRUE(parseIp("192.0.2.7"));
  EXPECT_EQ(parseIp("192.0.2.7")->toString(), "192.0.2.7");
  EXPECT_EQ(parseIp("fe80::1%en0")->family, 6);
  EXPECT_FALSE(parseIp("example.org"));
  EXPECT_FALSE(parseIp("-"));
  EXPECT_FALSE(isDeviceAddress(*parseIp("0.0.0.0")));
  EXPECT_FALSE(isDeviceAddress(*parseIp("255.255.255.255")));
  EXPECT_FALSE(isDeviceAddress(*parseIp("ff02::fb")));
  EXPECT_TRUE(isDeviceAddress(*parseIp("2001:db8::7")));
  EXPECT_EQ(parseMac("90:B1:1C:99:49:29")->toString(), "90:b1:1c:99:49:29");
  EXPECT_FALSE(parseMac("90:b1:1c:99:49"));
  EXPECT_FALSE(parseMac("-"));
  EXPECT_EQ(stripPort("mail.example.org:443"), "mail.example.org");
  EXPECT_EQ(stripPort("[2001:db8::1]:443"), "[2001:db8::1]");
  EXPECT_EQ(stripPort("2001:db8::1"), "2001:db8::1");
  EXPECT_TRUE(isIpLiteral("10.0.0.1"));
  EXPECT_TRUE(isIpLiteral("[::1]"));
  EXPECT_FALSE(isIpLiteral("cafe"));
  EXPECT_FALSE(isIpLiteral("example.org"));
}

TEST(LogParserTest, ReadsPlainAndGzipFilesLineByLine) {
  detect::Ledger ledger(builtin(), nullptr);
  const std::string text = "one\r\ntwo\n\nbad\nlast-without-newline";
  const std::string plain = ::testing::TempDir() + "/lines.log";
  std::ofstream(plain, std::ios::binary) << text;
  const std::string gz = ::testing::TempDir() + "/lines.log.gz";
  gzFile out = gzopen(gz.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
  gzclose(out);
  for (const std::string& path : {plain, gz}) {
    LogStats stats;
    Collect problems;
    Lines parser(ledger, stats, &problems);
    ASSERT_TRUE(readLines(path, parser, &problems, stats).isOk()) << path;
    EXPECT_EQ(parser.lines,
              (std::vector<std::string>{"one", "two", "", "bad", "last-without-newline"}));
    EXPECT_EQ(parser.numbers, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(stats.lines, 5u);
    EXPECT_EQ(stats.bad_lines, 1u);
    ASSERT_EQ(problems.problems.size(), 1u);
    EXPECT_EQ(problems.problems[0].line, 4u);
    EXPECT_EQ(problems.problems[0].file, "test");
  }
  std::remove(plain.c_str());
  std::remove(gz.c_str());
}

TEST(LogParserTest, OverlongLinesAreSkippedAndUnreadableFilesNamed) {
  detect::Ledger ledger(builtin(), nullptr);
  const std::string path = ::testing::TempDir() + "/long.log";
  {
    std::ofstream out(path, std::ios::binary);
    out << "first\n" << std::string(kMaxLineBytes + 10, 'x') << "\nafter\n";
  }
  LogStats stats;
  Collect problems;
  Lines parser(ledger, stats, &problems);
  ASSERT_TRUE(readLines(path, parser, &problems, stats).isOk());
  EXPECT_EQ(parser.lines, (std::vector<std::string>{"first", "after"}));
  EXPECT_EQ(parser.numbers, (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(stats.bad_lines, 1u);
  std::remove(path.c_str());

  const Status missing = readLines("/nonexistent/x.log", parser, &problems, stats);
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.message().find("/nonexistent/x.log"), std::string::npos);
}

TEST(LogParserTest, ReportsAreCappedButEveryBadLineCounted) {
  detect::Ledger ledger(builtin(), nullptr);
  LogStats stats;
  Collect problems;
  Lines parser(ledger, stats, &problems);
  std::string text;
  for (int i = 0; i < 50; ++i) text += "bad\n";
  parseLines(text, parser, stats);
  EXPECT_EQ(stats.bad_lines, 50u);
  EXPECT_EQ(problems.problems.size(), LogParser::kMaxReportedProblems);
}

}  // namespace
}  // namespace phaseout::logs
