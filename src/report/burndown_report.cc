#include "report/burndown_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "core/json_writer.h"

namespace phaseout::report {
namespace {

using campaign::Burndown;
using campaign::DayCounts;
using campaign::Forecast;
using campaign::ForecastKind;
using campaign::MilestoneForecast;

// Fixed, locale-free formatting keeps the output byte-for-byte stable.
std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string monthDay(Date d) { return d.toString().substr(5); }

// "expected 3.2 (80% interval 0.0 to 7.5): not on track", "observed 0: met", "no forecast".
std::string verdictText(const MilestoneForecast& f) {
  switch (f.kind) {
    case ForecastKind::kTrend:
      return "expected " + fixed1(f.expected) + " (" +
             std::to_string(campaign::kForecastIntervalPercent) + "% interval " + fixed1(f.low) +
             " to " + fixed1(f.high) +
             "): " + (f.on_track.value_or(false) ? "on track" : "not on track");
    case ForecastKind::kObserved:
      return "observed " + fixed1(f.expected) + ": " +
             (f.on_track.value_or(false) ? "met" : "missed");
    case ForecastKind::kUnavailable:
      break;
  }
  return "no forecast";
}

// --- SVG geometry ------------------------------------------------------------------------

constexpr int kWidth = 760;
constexpr int kHeight = 400;
constexpr int kLeft = 64;
constexpr int kRight = 24;
constexpr int kTop = 52;
constexpr int kBottom = 84;
constexpr int kPlotWidth = kWidth - kLeft - kRight;
constexpr int kPlotHeight = kHeight - kTop - kBottom;

struct Layer {
  const char* name;
  const char* color;
  std::size_t DayCounts::*count;
};
// Bottom to top: what is most urgent sits on the axis.
constexpr Layer kLayers[] = {
    {"overdue", "#cf222e", &DayCounts::overdue},
    {"pending", "#d4a72c", &DayCounts::pending},
    {"unknown", "#8250df", &DayCounts::unknown},
    {"exempt", "#8c959f", &DayCounts::exempt},
};
constexpr const char* kViolatingColor = "#1b1f24";
constexpr const char* kForecastColor = "#0969da";

// A round step (1, 2 or 5 times a power of ten, at least 1) that cuts `max` into about 5.
double niceStep(double max) {
  const double raw = std::max(1.0, max / 5);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / power;
  const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return std::max(1.0, nice * power);
}

// Days are bands: day d covers [x(d), x(d + 1)); points that belong to a day sit mid-band.
class Chart {
 public:
  Chart(Date from, Date last, double y_max)
      : from_(from), span_days_(std::max(1, from.daysUntil(last) + 1)), y_max_(y_max) {}

  [[nodiscard]] double x(Date d) const {
    return kLeft + static_cast<double>(kPlotWidth) * from_.daysUntil(d) / span_days_;
  }
  [[nodiscard]] double xMid(Date d) const { return x(d) + 0.5 * kPlotWidth / span_days_; }
  [[nodiscard]] double y(double v) const { return kTop + kPlotHeight * (1.0 - v / y_max_); }
  [[nodiscard]] int spanDays() const { return span_days_; }

 private:
  Date from_;
  int span_days_;
  double y_max_;
};

std::string point(double x, double y) { return fixed1(x) + "," + fixed1(y); }

}  // namespace

std::string burndownText(const Burndown& b, const Forecast& f) {
  std::string out;
  char line[256];
  out += b.directive_id + ": burn-down from " + b.from.toString() + " to " + b.to.toString() +
         "\ndevices in scope per day; violating = pending + overdue (banned devices in use that "
         "no waiver covers)\n\n";
  std::snprintf(line, sizeof line, "%-10s %9s %8s %8s %7s %8s %10s\n", "DATE", "VIOLATING",
                "PENDING", "OVERDUE", "EXEMPT", "UNKNOWN", "COMPLIANT");
  out += line;
  for (const DayCounts& c : b.days) {
    std::snprintf(line, sizeof line, "%-10s %9zu %8zu %8zu %7zu %8zu %10zu\n",
                  c.day.toString().c_str(), c.violating(), c.pending, c.overdue, c.exempt,
                  c.unknown, c.compliant);
    out += line;
  }
  out += "\nforecast as of " + f.as_of.toString() +
         " of the violating devices on each milestone's due date:\n";
  if (f.milestones.empty()) out += "  (the directive names no milestones)\n";
  std::size_t width = 0;
  for (const auto& m : f.milestones) width = std::max(width, m.milestone.size());
  for (const auto& m : f.milestones) {
    out += "  " + m.milestone + std::string(width - m.milestone.size(), ' ') + "  due " +
           m.due.toString() + "  " + verdictText(m) + "\n";
    out += "  " + std::string(width, ' ') + "  " + m.method + "\n";
  }
  return out;
}

std::string burndownJson(const Burndown& b, const Forecast& f) {
  std::string out;
  out.reserve(256 + b.days.size() * 120 + f.milestones.size() * 600);
  out += '{';
  appendJsonKey(out, "directive", true);
  appendJsonString(out, b.directive_id);
  appendJsonKey(out, "from");
  appendJsonString(out, b.from.toString());
  appendJsonKey(out, "to");
  appendJsonString(out, b.to.toString());
  appendJsonKey(out, "as_of");
  appendJsonString(out, f.as_of.toString());
  appendJsonKey(out, "days");
  out += '[';
  for (std::size_t i = 0; i < b.days.size(); ++i) {
    const DayCounts& c = b.days[i];
    if (i) out += ',';
    out += '{';
    appendJsonKey(out, "date", true);
    appendJsonString(out, c.day.toString());
    const std::pair<const char*, std::size_t> fields[] = {
        {"pending", c.pending}, {"overdue", c.overdue},     {"exempt", c.exempt},
        {"unknown", c.unknown}, {"compliant", c.compliant}, {"violating", c.violating()}};
    for (const auto& [key, value] : fields) {
      appendJsonKey(out, key);
      appendJsonInt(out, static_cast<std::int64_t>(value));
    }
    out += '}';
  }
  out += ']';
  appendJsonKey(out, "forecast");
  out += '[';
  for (std::size_t i = 0; i < f.milestones.size(); ++i) {
    const MilestoneForecast& m = f.milestones[i];
    const bool has_value = m.kind != ForecastKind::kUnavailable;
    if (i) out += ',';
    out += '{';
    appendJsonKey(out, "milestone", true);
    appendJsonString(out, m.milestone);
    appendJsonKey(out, "due");
    appendJsonString(out, m.due.toString());
    appendJsonKey(out, "kind");
    appendJsonString(out, campaign::name(m.kind));
    appendJsonKey(out, "method");
    appendJsonString(out, m.method);
    for (const auto& [key, value] :
         {std::pair{"expected", m.expected}, {"low", m.low}, {"high", m.high}}) {
      appendJsonKey(out, key);
      out += has_value ? fixed1(value) : "null";
    }
    appendJsonKey(out, "on_track");
    out += m.on_track ? (*m.on_track ? "true" : "false") : "null";
    appendJsonKey(out, "basis_days");
    appendJsonInt(out, m.basis_days);
    out += '}';
  }
  out += "]}\n";
  return out;
}

std::string burndownSvg(const Burndown& b, const Forecast& f) {
  // The forecast is drawn up to the last milestone it extrapolates to.
  std::optional<Date> forecast_to;
  for (const auto& m : f.milestones) {
    if (m.kind == ForecastKind::kTrend && f.fitted && (!forecast_to || m.due > *forecast_to)) {
      forecast_to = m.due;
    }
  }
  // The x axis covers the computed days and every milestone from the first day on.
  Date last = b.to;
  for (const auto& m : f.milestones) last = std::max(last, m.due);
  double y_top = 0;
  for (const DayCounts& c : b.days) {
    y_top = std::max(y_top, static_cast<double>(c.overdue + c.pending + c.unknown + c.exempt));
  }
  if (forecast_to) {
    for (Date d = f.basis_to; d <= *forecast_to; d = d.addDays(1))
      y_top = std::max(y_top, f.highOn(d));
  }
  const double step = niceStep(y_top);
  const double y_max = std::max(step, std::ceil(y_top / step) * step);
  const Chart chart(b.from, last, y_max);

  std::string title =
      "Burn-down of " + b.directive_id + ", " + b.from.toString() + " to " + b.to.toString();
  std::string desc =
      "Devices in scope per day by verdict, stacked: overdue, pending, unknown, "
      "exempt; the line is the violating count (pending + overdue).";
  if (!b.days.empty()) {
    const DayCounts& first = b.days.front();
    const DayCounts& end = b.days.back();
    desc += " Violating on " + first.day.toString() + ": " + std::to_string(first.violating()) +
            "; on " + end.day.toString() + ": " + std::to_string(end.violating()) + ".";
  }
  for (const auto& m : f.milestones) {
    desc += " Milestone " + m.milestone + " due " + m.due.toString() + ": " + verdictText(m) + ".";
  }

  std::string out;
  out.reserve(16384 + b.days.size() * 200);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " + std::to_string(kWidth) +
         " " + std::to_string(kHeight) +
         "\" role=\"img\" aria-labelledby=\"burndown-title burndown-desc\" "
         "font-family=\"system-ui,sans-serif\" font-size=\"11\">\n";
  out += "<title id=\"burndown-title\">" + escapeMarkup(title) + "</title>\n";
  out += "<desc id=\"burndown-desc\">" + escapeMarkup(desc) + "</desc>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
         std::to_string(kHeight) + "\" fill=\"#ffffff\"/>\n";
  out += "<text x=\"" + std::to_string(kLeft) +
         "\" y=\"16\" font-size=\"13\" font-weight=\"600\">" + escapeMarkup(title) + "</text>\n";

  // Y grid and labels.
  out += "<g stroke=\"#eaeef2\" stroke-width=\"1\">\n";
  const int y_ticks = static_cast<int>(std::lround(y_max / step));
  for (int k = 0; k <= y_ticks; ++k) {
    const std::string yy = fixed1(chart.y(k * step));
    out += "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + yy + "\" x2=\"" +
           std::to_string(kLeft + kPlotWidth) + "\" y2=\"" + yy + "\"/>\n";
  }
  out += "</g>\n<g fill=\"#57606a\" text-anchor=\"end\">\n";
  for (int k = 0; k <= y_ticks; ++k) {
    out += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + fixed1(chart.y(k * step) + 4) +
           "\">" + std::to_string(std::llround(k * step)) + "</text>\n";
  }
  out += "</g>\n";

  // Stacked areas, one polygon per layer; each day is a flat step across its band.
  std::vector<double> base(b.days.size(), 0.0);
  for (const Layer& layer : kLayers) {
    std::string top;
    std::string bottom;
    bool any = false;
    for (std::size_t i = 0; i < b.days.size(); ++i) {
      const DayCounts& c = b.days[i];
      const double v = static_cast<double>(c.*layer.count);
      any = any || v > 0;
      const double x0 = chart.x(c.day);
      const double x1 = chart.x(c.day.addDays(1));
      top += point(x0, chart.y(base[i] + v)) + " " + point(x1, chart.y(base[i] + v)) + " ";
    }
    for (std::size_t i = b.days.size(); i-- > 0;) {
      const DayCounts& c = b.days[i];
      bottom += point(chart.x(c.day.addDays(1)), chart.y(base[i])) + " " +
                point(chart.x(c.day), chart.y(base[i])) + (i ? " " : "");
      base[i] += static_cast<double>(c.*layer.count);
    }
    if (!any) continue;
    out += "<polygon class=\"" + std::string(layer.name) + "\" fill=\"" + layer.color +
           "\" fill-opacity=\"0.75\" points=\"" + top + bottom + "\"/>\n";
  }

  // The violating count as a line over the stack's lower part.
  if (!b.days.empty()) {
    out += "<polyline class=\"violating\" fill=\"none\" stroke=\"" + std::string(kViolatingColor) +
           "\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < b.days.size(); ++i) {
      const DayCounts& c = b.days[i];
      const double yy = chart.y(static_cast<double>(c.violating()));
      out +=
          (i ? " " : "") + point(chart.x(c.day), yy) + " " + point(chart.x(c.day.addDays(1)), yy);
    }
    out += "\"/>\n";
  }

  // Forecast: the interval band, the trend (dashed) and a marker per milestone.
  if (forecast_to) {
    std::string upper;
    std::string lower;
    for (Date d = f.basis_to; d <= *forecast_to; d = d.addDays(1)) {
      upper += (upper.empty() ? "" : " ") + point(chart.xMid(d), chart.y(f.highOn(d)));
    }
    for (Date d = *forecast_to; d >= f.basis_to; d = d.addDays(-1)) {
      lower += " " + point(chart.xMid(d), chart.y(f.lowOn(d)));
    }
    out += "<polygon class=\"forecast-interval\" fill=\"" + std::string(kForecastColor) +
           "\" fill-opacity=\"0.15\" stroke=\"none\" points=\"" + upper + lower + "\"/>\n";
    out += "<polyline class=\"forecast\" fill=\"none\" stroke=\"" + std::string(kForecastColor) +
           "\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\"";
    for (Date d = f.basis_from; d <= *forecast_to; d = d.addDays(1)) {
      out += (d == f.basis_from ? "" : " ") + point(chart.xMid(d), chart.y(f.expectedOn(d)));
    }
    out += "\"/>\n";
    // The expected count beside each marker; labels of neighbouring milestones are staggered.
    int row = 0;
    for (const auto& m : f.milestones) {
      if (m.kind != ForecastKind::kTrend) continue;
      const double cx = chart.xMid(m.due);
      const double cy = chart.y(m.expected);
      out += "<circle cx=\"" + fixed1(cx) + "\" cy=\"" + fixed1(cy) + "\" r=\"3.5\" fill=\"" +
             std::string(kForecastColor) + "\"/>\n";
      out += "<text x=\"" + fixed1(cx - 6) + "\" y=\"" +
             fixed1(std::max(cy - 6 - 13 * row, 12.0 + kTop)) + "\" text-anchor=\"end\" fill=\"" +
             std::string(kForecastColor) + "\">" + fixed1(m.expected) + "</text>\n";
      row = 1 - row;
    }
  }

  // Milestones: a vertical line at the end of the due day, labels staggered above the plot.
  for (std::size_t i = 0; i < f.milestones.size(); ++i) {
    const auto& m = f.milestones[i];
    if (m.due < b.from) continue;
    const double x = chart.x(m.due.addDays(1));
    const std::string xs = fixed1(x);
    out += "<line class=\"milestone\" x1=\"" + xs + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" +
           xs + "\" y2=\"" + std::to_string(kTop + kPlotHeight) +
           "\" stroke=\"#57606a\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n";
    const char* anchor = x > kWidth - 90 ? "end" : (x < kLeft + 90 ? "start" : "middle");
    out += "<text x=\"" + xs + "\" y=\"" + std::to_string(kTop - 8 - 13 * static_cast<int>(i % 2)) +
           "\" text-anchor=\"" + anchor + "\" fill=\"#1b1f24\">" + escapeMarkup(m.milestone) + " " +
           monthDay(m.due) + "</text>\n";
  }
  // The day the forecast was made.
  if (f.as_of >= b.from && f.as_of <= last) {
    const std::string xs = fixed1(chart.x(f.as_of.addDays(1)));
    out += "<line class=\"as-of\" x1=\"" + xs + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" +
           xs + "\" y2=\"" + std::to_string(kTop + kPlotHeight) + "\" stroke=\"" +
           std::string(kForecastColor) + "\" stroke-width=\"1\"/>\n";
    out += "<text x=\"" + fixed1(chart.x(f.as_of.addDays(1)) - 4) + "\" y=\"" +
           std::to_string(kTop + 12) + "\" text-anchor=\"end\" fill=\"" +
           std::string(kForecastColor) + "\">as of " + monthDay(f.as_of) + "</text>\n";
  }

  // Axes, ticks every 1, 2, 7, 14 or 28·k days (at most about ten labels).
  out += "<g stroke=\"#57606a\" stroke-width=\"1\">\n<line x1=\"" + std::to_string(kLeft) +
         "\" y1=\"" + std::to_string(kTop + kPlotHeight) + "\" x2=\"" +
         std::to_string(kLeft + kPlotWidth) + "\" y2=\"" + std::to_string(kTop + kPlotHeight) +
         "\"/>\n<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(kTop) +
         "\" x2=\"" + std::to_string(kLeft) + "\" y2=\"" + std::to_string(kTop + kPlotHeight) +
         "\"/>\n";
  int tick_days = 1;
  for (int candidate : {1, 2, 7, 14, 28}) {
    tick_days = candidate;
    if (chart.spanDays() / candidate <= 10) break;
  }
  while (chart.spanDays() / tick_days > 10) tick_days += 28;
  std::string labels;
  for (int k = 0; k < chart.spanDays(); k += tick_days) {
    const Date d = b.from.addDays(k);
    const std::string xs = fixed1(chart.xMid(d));
    out += "<line x1=\"" + xs + "\" y1=\"" + std::to_string(kTop + kPlotHeight) + "\" x2=\"" + xs +
           "\" y2=\"" + std::to_string(kTop + kPlotHeight + 4) + "\"/>\n";
    labels += "<text x=\"" + xs + "\" y=\"" + std::to_string(kTop + kPlotHeight + 16) + "\">" +
              monthDay(d) + "</text>\n";
  }
  out += "</g>\n<g fill=\"#57606a\" text-anchor=\"middle\">\n" + labels + "</g>\n";
  out += "<text x=\"" + std::to_string(kLeft + kPlotWidth / 2) + "\" y=\"" +
         std::to_string(kTop + kPlotHeight + 32) +
         "\" text-anchor=\"middle\" fill=\"#57606a\">day (" + b.from.toString() + " to " +
         last.toString() + ")</text>\n";
  out += "<text x=\"14\" y=\"" + std::to_string(kTop + kPlotHeight / 2) +
         "\" text-anchor=\"middle\" fill=\"#57606a\" transform=\"rotate(-90 14 " +
         std::to_string(kTop + kPlotHeight / 2) + ")\">devices</text>\n";

  // Legend: the stacked verdicts on one row, the lines on the next.
  int lx = kLeft;
  int ly = kHeight - 30;
  auto swatch = [&](const std::string& shape, const std::string& label) {
    out += shape + "<text x=\"" + std::to_string(lx + 18) + "\" y=\"" + std::to_string(ly + 4) +
           "\">" + escapeMarkup(label) + "</text>\n";
    lx += 32 + static_cast<int>(label.size()) * 7;
  };
  auto box = [&](const char* color, const char* opacity) {
    return "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(ly - 5) +
           "\" width=\"12\" height=\"10\" fill=\"" + color + "\" fill-opacity=\"" + opacity +
           "\"/>";
  };
  auto stroke = [&](const char* color, const char* dash) {
    return "<line x1=\"" + std::to_string(lx) + "\" y1=\"" + std::to_string(ly) + "\" x2=\"" +
           std::to_string(lx + 12) + "\" y2=\"" + std::to_string(ly) + "\" stroke=\"" + color +
           "\" stroke-width=\"2\"" +
           (dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : "") + "/>";
  };
  for (const Layer& layer : kLayers) swatch(box(layer.color, "0.75"), layer.name);
  lx = kLeft;
  ly += 16;
  swatch(stroke(kViolatingColor, nullptr), "violating = pending + overdue");
  if (forecast_to) {
    swatch(stroke(kForecastColor, "4 2"), "forecast of violating");
    swatch(box(kForecastColor, "0.15"),
           std::to_string(campaign::kForecastIntervalPercent) + "% prediction interval");
  }
  out += "</svg>\n";
  return out;
}

}  // namespace phaseout::report
