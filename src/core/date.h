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
  // The UTC day holding the instant `ms` milliseconds after the epoch (floor, so an instant
  // before 1970 falls on the day before). "Today" is fromEpochMs(now) everywhere.
  static constexpr Date fromEpochMs(std::int64_t ms) {
    const std::int64_t day = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
    return Date(static_cast<std::int32_t>(day));
  }
  static constexpr std::int64_t kMsPerDay = 86'400'000;
  // Accepts exactly YYYY-MM-DD with a real calendar day (2023-02-29 is rejected).
  static std::optional<Date> parse(std::string_view text);
  static Date fromCivil(int year, unsigned month, unsigned day);

  constexpr std::int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  std::string toString() const;  // YYYY-MM-DD
  // Milliseconds since the epoch at 00:00 UTC of this day (storage uses epoch ms).
  std::int64_t epochMs() const { return std::int64_t{days_} * kMsPerDay; }

  constexpr Date addDays(std::int32_t n) const { return Date(days_ + n); }
  constexpr std::int32_t daysUntil(Date other) const { return other.days_ - days_; }
  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

// "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds) for an instant in epoch ms.
std::string formatUtcTimestamp(std::int64_t ms);

}  // namespace phaseout
