#include "logs/log_parser.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/date.h"

namespace phaseout::logs {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::size_t kReadChunkBytes = std::size_t{1} << 20;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads `n` decimal digits at `pos`; -1 when any is not a digit.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Fractional seconds ".123456789" at `pos` (any number of digits, nanoseconds kept); moves
// `pos` past them.
std::int64_t fraction(std::string_view s, std::size_t& pos) {
  if (pos >= s.size() || (s[pos] != '.' && s[pos] != ',')) return 0;
  ++pos;
  std::int64_t ns = 0, scale = 100'000'000;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    ns += (s[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return ns;
}

std::optional<std::int64_t> civilToNs(int year, int month, int day, int hour, int minute,
                                      int second) {
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  const Date date = Date::fromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return (static_cast<std::int64_t>(date.days()) * 86'400 + hour * 3600 + minute * 60 + second) *
         kNsPerSecond;
}

// "+hhmm", "+hh:mm", "-hh", "Z" at `pos` -> seconds east of UTC; nullopt when malformed.
std::optional<int> zoneOffset(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;  // no zone: UTC
  if (s[pos] == 'Z' || s[pos] == 'z')
    return pos + 1 == s.size() ? std::optional<int>(0) : std::nullopt;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int sign = s[pos] == '-' ? -1 : 1;
  const int hh = digits(s, pos + 1, 2);
  if (hh < 0) return std::nullopt;
  std::size_t p = pos + 3;
  if (p < s.size() && s[p] == ':') ++p;
  int mm = 0;
  if (p < s.size()) {
    mm = digits(s, p, 2);
    if (mm < 0 || p + 2 != s.size()) return std::nullopt;
  }
  return sign * (hh * 3600 + mm * 60);
}

}  // namespace

void LogStats::merge(const LogStats& other) {
  files += other.files;
  bytes += other.bytes;
  lines += other.lines;
  records += other.records;
  skipped += other.skipped;
  bad_lines += other.bad_lines;
}

LogParser::LogParser(detect::Ledger& ledger, std::uint32_t source, std::string file,
                     LogListener* listener, LogStats& stats)
    : ledger_(ledger),
      source_(source),
      file_(std::move(file)),
      listener_(listener),
      stats_(stats) {}

void LogParser::bad(std::uint64_t line, std::string message) {
  ++stats_.bad_lines;
  if (listener_ == nullptr || reported_ >= kMaxReportedProblems) return;
  ++reported_;
  if (reported_ == kMaxReportedProblems)
    message += " (further problems in this file are only counted)";
  listener_->onProblem(LogProblem{file_, line, std::move(message)});
}

void parseLines(std::string_view text, LogParser& parser, LogStats& stats) {
  std::uint64_t number = 0;
  stats.bytes += text.size();
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    ++stats.lines;
    parser.parseLine(line, number);
  }
  parser.finishFile();
}

Status readLines(const std::string& path, LogParser& parser, LogListener* listener,
                 LogStats& stats) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return invalidArgument("cannot read " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return invalidArgument("cannot read " + path + ": is a directory");
  // gzopen reads plain files as they are, so one path serves both.
  gzFile in = gzopen(path.c_str(), "rb");
  if (in == nullptr) return invalidArgument("cannot read " + path + ": " + std::strerror(errno));
  gzbuffer(in, 1 << 17);
  ++stats.files;
  const auto total = static_cast<std::uint64_t>(st.st_size);
  std::string buffer;
  std::string carry;  // the unfinished last line of the previous chunk
  bool carry_too_long = false;
  std::uint64_t number = 0;
  auto deliver = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    ++stats.lines;
    if (carry_too_long) {
      carry_too_long = false;
      parser.bad(number, "line longer than 1 MiB, skipped");
      return;
    }
    parser.parseLine(line, number);
  };
  buffer.resize(kReadChunkBytes);
  for (;;) {
    const int n = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int err = 0;
      const char* what = gzerror(in, &err);
      if (listener != nullptr) {
        listener->onProblem(LogProblem{path, number + 1,
                                       std::string("read error, rest of file ignored: ") +
                                           (what != nullptr ? what : "unknown")});
      }
      break;
    }
    if (n == 0) break;
    stats.bytes += static_cast<std::uint64_t>(n);
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      const std::size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        if (!carry_too_long) {
          if (carry.size() + chunk.size() > kMaxLineBytes) {
            carry_too_long = true;
            carry.clear();
          } else {
            carry.append(chunk);
          }
        }
        break;
      }
      const std::string_view piece = chunk.substr(0, nl);
      chunk.remove_prefix(nl + 1);
      if (carry.empty() && !carry_too_long) {
        if (piece.size() > kMaxLineBytes) carry_too_long = true;
        deliver(piece);
      } else {
        if (!carry_too_long && carry.size() + piece.size() > kMaxLineBytes) {
          carry_too_long = true;
        }
        if (!carry_too_long) carry.append(piece);
        deliver(carry);
        carry.clear();
      }
    }
    if (listener != nullptr)
      listener->onProgress(path, static_cast<std::uint64_t>(gzoffset(in)), total);
  }
  if (!carry.empty() || carry_too_long) deliver(carry);
  gzclose(in);
  if (listener != nullptr) listener->onProgress(path, total, total);
  parser.finishFile();
  return Status::ok();
}

std::optional<decode::IpAddress> parseIp(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  decode::IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    if (::inet_pton(AF_INET, buf, ip.bytes.data()) != 1) return std::nullopt;
    ip.family = 4;
  } else {
    // A zone ("fe80::1%en0") names an interface of the observer, not of the device.
    char* zone = std::strchr(buf, '%');
    if (zone != nullptr) *zone = '\0';
    if (::inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
    ip.family = 6;
  }
  return ip;
}

std::optional<decode::MacAddress> parseMac(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  decode::MacAddress mac;
  for (std::size_t i = 0; i < 6; ++i) {
    const int hi = hexDigit(text[i * 3]), lo = hexDigit(text[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-') return std::nullopt;
    mac.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return mac;
}

bool isDeviceAddress(const decode::IpAddress& ip) {
  const auto& b = ip.bytes;
  if (ip.family == 4) {
    if (b[0] == 0 || b[0] >= 224) return false;  // this-network, multicast, broadcast, class E
    return true;
  }
  if (ip.family == 6) {
    if (b[0] == 0xff) return false;  // multicast
    for (std::size_t i = 0; i < 15; ++i) {
      if (b[i] != 0) return true;
    }
    return b[15] > 1;  // neither :: nor ::1
  }
  return false;
}

std::optional<std::int64_t> parseEpochSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  std::size_t pos = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (pos >= 12) return std::nullopt;  // beyond year 33658: not a log time
    seconds = seconds * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == 0) return std::nullopt;
  const std::int64_t ns = fraction(text, pos);
  if (pos != text.size()) return std::nullopt;
  return seconds * kNsPerSecond + ns;
}

std::optional<std::int64_t> parseIsoTime(std::string_view s) {
  // 2023-03-20T10:11:12
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  std::size_t pos = 19;
  const std::int64_t ns = fraction(s, pos);
  const auto zone = zoneOffset(s, pos);
  const auto base = civilToNs(year, month, day, hour, minute, second);
  if (!zone || !base) return std::nullopt;
  return *base + ns - static_cast<std::int64_t>(*zone) * kNsPerSecond;
}

std::optional<std::int64_t> parseCommonLogTime(std::string_view s) {
  // 10/Oct/2000:13:55:36 -0700
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':') {
    return std::nullopt;
  }
  int month = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(3, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  }
  const int day = digits(s, 0, 2), year = digits(s, 7, 4);
  const int hour = digits(s, 12, 2), minute = digits(s, 15, 2), second = digits(s, 18, 2);
  if (month == 0 || day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  std::size_t pos = 20;
  const std::int64_t ns = fraction(s, pos);
  while (pos < s.size() && s[pos] == ' ') ++pos;
  const auto zone = zoneOffset(s, pos);
  const auto base = civilToNs(year, month, day, hour, minute, second);
  if (!zone || !base) return std::nullopt;
  return *base + ns - static_cast<std::int64_t>(*zone) * kNsPerSecond;
}

std::string_view stripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const std::size_t colon = host.find(':');
  if (colon != std::string_view::npos && colon == host.rfind(':')) return host.substr(0, colon);
  return host;
}

bool isIpLiteral(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return true;
  for (char c : host) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f') ||
          (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return host.find(':') != std::string_view::npos || parseIp(host).has_value();
}

}  // namespace phaseout::logs
