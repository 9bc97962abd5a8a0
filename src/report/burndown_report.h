// Burn-down reports of one directive: the daily counts of devices in scope by verdict and the
// forecast at each milestone (campaign/burndown.h), as a text table, JSON, or an SVG chart that
// a browser shows without JavaScript (also embedded in the HTML status report).
//
// Pure functions of their arguments: same inputs, same bytes; no I/O, no clock.
#pragma once

#include <string>

#include "campaign/burndown.h"

namespace phaseout::report {

// A header, one row per day (date, violating, pending, overdue, exempt, unknown, compliant)
// and one line per milestone with its forecast and the method that produced it.
std::string burndownText(const campaign::Burndown& burndown, const campaign::Forecast& forecast);

// {"directive", "from", "to", "as_of",
//  "days": [{"date", "pending", "overdue", "exempt", "unknown", "compliant", "violating"}],
//  "forecast": [{"milestone", "due", "kind", "method", "expected", "low", "high", "on_track",
//                "basis_days"}]}
// followed by a newline. "kind" is trend, observed or unavailable; for unavailable, expected,
// low, high and on_track are null. Numbers of devices in forecasts carry one decimal.
std::string burndownJson(const campaign::Burndown& burndown, const campaign::Forecast& forecast);

// One <svg> element (no XML declaration, so it can be inlined into HTML; also a valid
// standalone .svg file): stacked areas of overdue, pending, unknown and exempt devices per day,
// the violating count as a line, each milestone's due date as a vertical line, the "as of" day,
// and the forecast as a dashed line with its prediction-interval band up to the last milestone
// it covers. Carries a <title> and a <desc> that state the numbers in words. No scripts.
std::string burndownSvg(const campaign::Burndown& burndown, const campaign::Forecast& forecast);

}  // namespace phaseout::report
