// LogParser: the common part of every log reader. A parser is fed one line at a time (from a
// file by readLines(), or from text by parseLines()) and turns each line into evidence in a
// detect::Ledger, attributed to Where{source, 0, line, time_ns}.
//
// Lines are outcomes, never errors: a line that cannot be understood is counted in
// LogStats::bad_lines and reported to the listener as file:line: what (the first
// kMaxReportedProblems of a file; the rest are only counted). A missing field is not a bad
// line: what a source cannot give simply does not become evidence.
//
// Not thread-safe: one parser per reading thread, writing one ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "decode/packet.h"
#include "detect/ledger.h"

namespace phaseout::logs {

struct LogProblem {
  std::string file;
  std::uint64_t line = 0;  // 0: the file as a whole
  std::string message;
};

class LogListener {
 public:
  virtual ~LogListener() = default;
  virtual void onProblem(const LogProblem& problem) = 0;
  // Bytes of `file` read so far of `total` (its size on disk; compressed size for gzip).
  virtual void onProgress(const std::string& /*file*/, std::uint64_t /*done*/,
                          std::uint64_t /*total*/) {}
};

struct LogStats {
  std::uint64_t files = 0;      // files read (wholly or in part)
  std::uint64_t bytes = 0;      // bytes of text read
  std::uint64_t lines = 0;      // lines seen
  std::uint64_t records = 0;    // lines that were records of a kind the reader uses
  std::uint64_t skipped = 0;    // headers, comments, blank lines, records of other kinds
  std::uint64_t bad_lines = 0;  // lines that could not be understood
  void merge(const LogStats& other);
};

class LogParser {
 public:
  static constexpr std::uint64_t kMaxReportedProblems = 20;

  // `ledger`, `listener` (may be null) and `stats` must outlive the parser. `file` names the
  // input in problems; `source` is its Ledger::addSource index.
  LogParser(detect::Ledger& ledger, std::uint32_t source, std::string file, LogListener* listener,
            LogStats& stats);
  virtual ~LogParser() = default;
  LogParser(const LogParser&) = delete;
  LogParser& operator=(const LogParser&) = delete;

  // One line, without its line terminator ("\r" already removed); `number` counts from 1.
  virtual void parseLine(std::string_view line, std::uint64_t number) = 0;
  // Called once after the last line.
  virtual void finishFile() {}

  const std::string& file() const { return file_; }
  // Counts a bad line and reports it (up to kMaxReportedProblems per parser).
  void bad(std::uint64_t line, std::string message);

 protected:
  detect::Where where(std::uint64_t line, std::int64_t time_ns) const {
    return detect::Where{source_, 0, line, time_ns};
  }

  detect::Ledger& ledger_;
  std::uint32_t source_;
  std::string file_;
  LogListener* listener_;
  LogStats& stats_;

 private:
  std::uint64_t reported_ = 0;
};

// Feeds every line of `path` to `parser` (gzip is inflated; "\r\n" is accepted). A line
// longer than kMaxLineBytes is a bad line. InvalidArgument naming the file when it cannot be
// opened; a read error part-way is reported to the listener and ends the file (what was read
// stands).
inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
Status readLines(const std::string& path, LogParser& parser, LogListener* listener,
                 LogStats& stats);
// The same over text in memory (tests, fuzzing).
void parseLines(std::string_view text, LogParser& parser, LogStats& stats);

// Small parsing helpers shared by the readers.
std::optional<decode::IpAddress> parseIp(std::string_view text);    // IPv4 or IPv6 text
std::optional<decode::MacAddress> parseMac(std::string_view text);  // "aa:bb:cc:dd:ee:ff" or '-'
// An address that can name one device: not unspecified, broadcast or multicast.
bool isDeviceAddress(const decode::IpAddress& ip);
// Seconds since the epoch with an optional fraction ("1679300000.123456") -> ns; nullopt
// when the text is not such a number (Zeek masks times as "XXXXXXXXXX.XXXXXX" in tests).
std::optional<std::int64_t> parseEpochSeconds(std::string_view text);
// ISO 8601 "2023-03-20T10:11:12[.ffffff](Z|+hhmm|+hh:mm)" -> ns since the epoch.
std::optional<std::int64_t> parseIsoTime(std::string_view text);
// "10/Oct/2000:13:55:36 -0700" (Apache %t without brackets) -> ns since the epoch.
std::optional<std::int64_t> parseCommonLogTime(std::string_view text);
// "host.example.org:8443" -> "host.example.org"; "[2001:db8::1]:443" -> "[2001:db8::1]".
std::string_view stripPort(std::string_view host);
bool isIpLiteral(std::string_view host);

}  // namespace phaseout::logs
