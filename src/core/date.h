// Civil dates (proleptic Gregorian, no time zone) as days since 1970-01-01.
//
// phaseout evaluates "as of" a date; nothing in core reads the clock. Only the CLI asks the
// system for today's date and passes it down.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace phaseout {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date fromDays(std::int32_t days) { return Date(days); }
  // Accepts exactly YYYY-MM-DD with a real calendar day (2023-02-29 is rejected).
  static std::optional<Date> parse(std::string_view text);
  static Date fromCivil(int year, unsigned month, unsigned day);

  constexpr std::int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  std::string toString() const;  // YYYY-MM-DD
  // Milliseconds since the epoch at 00:00 UTC of this day (storage uses epoch ms).
  std::int64_t epochMs() const { return std::int64_t{days_} * 86'400'000; }

  constexpr Date addDays(std::int32_t n) const { return Date(days_ + n); }
  constexpr std::int32_t daysUntil(Date other) const { return other.days_ - days_; }
  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

}  // namespace phaseout
