// Burn-down of one directive: for every day of a range, how many devices in scope were pending,
// overdue, exempt, unknown and compliant on that day, exactly as snapshotOn() would count them;
// and a forecast of the violating count (pending + overdue) at each milestone's due date.
//
// Pure functions of their arguments: no clock, no I/O; the same inputs give the same values.
// Thread-safe (no shared state).
//
// How the counts are computed: a device's verdict can only change on a day one of its inputs
// changes — one of its own versions, a version of a person who holds it in some version, a
// directive version, the day after a version's final due date (pending turns overdue), or the
// start, end or revocation of a waiver that may cover it. computeBurndown() evaluates each
// device only on those days (clipped to the range) and adds the verdict to every day until the
// next such day, so the cost is O(versions + devices * (change days) * log) and does not grow
// with the number of days. No reason sentences are built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "campaign/history.h"
#include "core/date.h"
#include "core/status.h"
#include "policy/directive.h"

namespace phaseout::campaign {

// Devices in scope on one day, by verdict (waivers applied).
struct DayCounts {
  Date day;
  std::size_t pending = 0;
  std::size_t overdue = 0;
  std::size_t exempt = 0;
  std::size_t unknown = 0;
  std::size_t compliant = 0;

  // Still to do: banned devices in use that no waiver covers.
  [[nodiscard]] std::size_t violating() const { return pending + overdue; }
  [[nodiscard]] std::size_t inScope() const {
    return pending + overdue + exempt + unknown + compliant;
  }
  bool operator==(const DayCounts&) const = default;
};

struct Burndown {
  std::string directive_id;
  Date from;  // the first day computed (never before the directive's first in-force day)
  Date to;    // the last day computed, inclusive
  std::vector<DayCounts> days;  // one per day from `from` to `to`, in order
};

// The longest range computeBurndown() accepts, in days (about ten years).
inline constexpr std::int32_t kMaxBurndownDays = 3660;

// The first day any version of the directive is in force; nullopt when it has none.
std::optional<Date> firstInForceDay(const History& history);

// Daily counts from `from` to `to` inclusive. `from` is moved forward to the directive's first
// in-force day when it is earlier (nothing is in scope before a directive exists).
// Preconditions: the History's vectors are sorted as history.h states.
// Errors: FailedPrecondition when the directive has no version in force on or before `to`;
// InvalidArgument when to < from or the range exceeds kMaxBurndownDays.
Result<Burndown> computeBurndown(const History& history, Date from, Date to);

// --- forecast ----------------------------------------------------------------------------

// The prediction interval's coverage, in percent.
inline constexpr int kForecastIntervalPercent = 80;

struct ForecastOptions {
  int window_days = 14;  // fit over at most this many of the last observed days
  int min_days = 5;      // fewer observed days than this: no forecast is made
};

enum class ForecastKind {
  kTrend,        // extrapolated from a linear trend fitted to the observed days
  kObserved,     // the due date lies within the observed days: the count of that day
  kUnavailable,  // too few observed days, or the due date lies before the first day
};
std::string_view name(ForecastKind k);  // "trend", "observed", "unavailable"

struct MilestoneForecast {
  std::string milestone;
  Date due;
  ForecastKind kind = ForecastKind::kUnavailable;
  // One or two sentences: how the numbers were obtained, or why there are none.
  std::string method;
  // Violating devices (pending + overdue) on the due date, and the interval; clamped at 0.
  // Meaningful unless kind is kUnavailable (then all 0).
  double expected = 0;
  double low = 0;
  double high = 0;
  // kTrend: the expected count is below 0.5 (the trend reaches zero by the due date);
  // kObserved: no device was violating on the due date; kUnavailable: nullopt.
  std::optional<bool> on_track;
  int basis_days = 0;  // observed days the value rests on (1 for kObserved, 0 if unavailable)
  Date basis_from;     // the first and last of those days (meaningless when basis_days is 0)
  Date basis_to;
};

// A least-squares line y = intercept + slope * x through points (x_i, y_i), x_i = 0..n-1.
struct LinearTrend {
  int n = 0;
  double slope = 0;
  double intercept = 0;
  double residual_se = 0;  // sqrt(SSE / (n - 2)); 0 when n <= 2
  double x_mean = 0;
  double sxx = 0;  // sum of (x_i - x_mean)^2

  [[nodiscard]] double at(double x) const { return intercept + slope * x; }
  // Half-width of the two-sided prediction interval for a new observation at x with the given
  // Student's t quantile: t * se * sqrt(1 + 1/n + (x - x_mean)^2 / sxx).
  [[nodiscard]] double predictionHalfWidth(double x, double t) const;
};

// Fits the line to y (at least 2 values; fewer give n = y.size() and a flat line).
LinearTrend fitLinearTrend(std::span<const double> y);

// The p-quantile of Student's t distribution with df degrees of freedom, for
// p = 0.5 + kForecastIntervalPercent / 200 (0.90): exact table values for df <= 30, the
// Cornish-Fisher expansion around the normal quantile above. df >= 1.
double studentT90(int df);

// The forecast of a burn-down as of a day: the trend fitted to the observed days and what it
// says of each milestone.
struct Forecast {
  Date as_of;
  bool fitted = false;  // enough days were observed to fit a trend
  LinearTrend trend;    // x = days since basis_from; meaningful when fitted
  Date basis_from;      // the observed days the trend was fitted to (when fitted)
  Date basis_to;
  double t = 0;  // the Student's t quantile of the interval (when fitted)
  std::vector<MilestoneForecast> milestones;

  // The trend's value on `day` and its prediction interval, clamped at 0. Precondition: fitted.
  [[nodiscard]] double expectedOn(Date day) const;
  [[nodiscard]] double lowOn(Date day) const;
  [[nodiscard]] double highOn(Date day) const;
};

// One forecast per milestone, in the given order. Observed days are the burn-down's days up to
// min(as_of, burndown.to); the trend is fitted over the last options.window_days of them.
// A milestone due on or before the last observed day gets that day's observed count; one due
// later gets the trend's value at the due date with a kForecastIntervalPercent % prediction
// interval, or kUnavailable when fewer than options.min_days days were observed.
Forecast forecastMilestones(const Burndown& burndown,
                            const std::vector<policy::Milestone>& milestones, Date as_of,
                            const ForecastOptions& options = {});

}  // namespace phaseout::campaign
