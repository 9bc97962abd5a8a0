#include "inventory/sources/timestamp.h"

#include "core/date.h"
#include "core/strings.h"

namespace phaseout::inventory {
namespace {

// Reads min_digits..max_digits decimal digits at `pos`.
bool number(std::string_view s, std::size_t& pos, int min_digits, int max_digits, int& out) {
  int n = 0;
  int value = 0;
  while (pos < s.size() && n < max_digits && s[pos] >= '0' && s[pos] <= '9') {
    value = value * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  out = value;
  return n >= min_digits;
}

bool take(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

bool validTime(int hour, int minute, int second) {
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

std::optional<std::int64_t> compose(int year, int month, int day, int hour, int minute, int second,
                                    int millis, int offset_minutes) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || !validTime(hour, minute, second)) {
    return std::nullopt;
  }
  const Date date = Date::fromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  // fromCivil normalises 2023-02-31 to March; a date that moved was not a real date.
  if (date.toString().substr(8, 2) != (day < 10 ? "0" : "") + std::to_string(day)) {
    return std::nullopt;
  }
  const std::int64_t seconds = std::int64_t{date.days()} * 86'400 + hour * 3'600 + minute * 60 +
                               second - std::int64_t{offset_minutes} * 60;
  return seconds * 1'000 + millis;
}

std::optional<std::int64_t> parseIso(std::string_view s) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!number(s, pos, 4, 4, year) || !take(s, pos, '-') || !number(s, pos, 2, 2, month) ||
      !take(s, pos, '-') || !number(s, pos, 2, 2, day)) {
    return std::nullopt;
  }
  if (pos == s.size()) return compose(year, month, day, 0, 0, 0, 0, 0);
  if (!take(s, pos, 'T') && !take(s, pos, 't') && !take(s, pos, ' ')) return std::nullopt;
  int hour = 0, minute = 0, second = 0, millis = 0;
  if (!number(s, pos, 2, 2, hour) || !take(s, pos, ':') || !number(s, pos, 2, 2, minute)) {
    return std::nullopt;
  }
  if (take(s, pos, ':') && !number(s, pos, 2, 2, second)) return std::nullopt;
  if (take(s, pos, '.') || take(s, pos, ',')) {
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 3; ++d) millis *= 10;
  }
  int offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!number(s, pos, 2, 2, oh)) return std::nullopt;
    take(s, pos, ':');
    if (!number(s, pos, 2, 2, om)) return std::nullopt;
    offset = sign * (oh * 60 + om);
  }
  if (pos != s.size()) return std::nullopt;
  return compose(year, month, day, hour, minute, second, millis, offset);
}

std::optional<std::int64_t> parseUs(std::string_view s) {
  std::size_t pos = 0;
  int month = 0, day = 0, year = 0;
  if (!number(s, pos, 1, 2, month) || !take(s, pos, '/') || !number(s, pos, 1, 2, day) ||
      !take(s, pos, '/') || !number(s, pos, 4, 4, year)) {
    return std::nullopt;
  }
  int hour = 0, minute = 0, second = 0;
  if (pos < s.size()) {
    if (!take(s, pos, ' ') || !number(s, pos, 1, 2, hour) || !take(s, pos, ':') ||
        !number(s, pos, 2, 2, minute)) {
      return std::nullopt;
    }
    if (take(s, pos, ':') && !number(s, pos, 2, 2, second)) return std::nullopt;
    const std::string_view rest = trim(s.substr(pos));
    if (iequals(rest, "AM") || iequals(rest, "PM")) {
      if (hour < 1 || hour > 12) return std::nullopt;
      hour = hour % 12 + (iequals(rest, "PM") ? 12 : 0);
    } else if (!rest.empty()) {
      return std::nullopt;
    }
  }
  return compose(year, month, day, hour, minute, second, 0, 0);
}

}  // namespace

std::optional<std::int64_t> parseTimestampMs(std::string_view text) {
  text = trim(text);
  if (text.size() >= 10 && text[4] == '-') return parseIso(text);
  if (text.find('/') != std::string_view::npos) return parseUs(text);
  return std::nullopt;
}

}  // namespace phaseout::inventory
