#include "report/burndown_report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "report/status_report.h"

namespace phaseout::report {
namespace {

using campaign::Burndown;
using campaign::DayCounts;
using campaign::Forecast;

Date day(const char* text) { return *Date::parse(text); }

// A campaign of 14 observed days falling from 40 to 14 violating devices (2 a day), some
// overdue from the 10th day, a few exempt and unknown.
Burndown sample(std::size_t days = 14) {
  Burndown b;
  b.directive_id = "pa-iphone-2023";
  b.from = day("2023-03-07");
  b.to = b.from.addDays(static_cast<std::int32_t>(days) - 1);
  for (std::size_t i = 0; i < days; ++i) {
    DayCounts c;
    c.day = b.from.addDays(static_cast<std::int32_t>(i));
    const std::size_t violating = 40 - 2 * i;
    c.overdue = i >= 10 ? 3 : 0;
    c.pending = violating - c.overdue;
    c.exempt = i % 3;
    c.unknown = 2;
    c.compliant = 100 + 2 * i;
    b.days.push_back(c);
  }
  return b;
}

std::vector<policy::Milestone> milestones() {
  return {{"identify", day("2023-03-10"), ""},
          {"hand <over> & co", day("2023-03-31"), "banned_devices_surrendered"},
          {"replace", day("2023-04-01"), "allowed_replacement_held"}};
}

// A minimal XML well-formedness check: balanced, properly nested tags, quoted attributes,
// known entities only. Returns "" or the first problem.
std::string xmlProblem(const std::string& s) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      const std::size_t semi = s.find(';', i);
      if (semi == std::string::npos) return "unterminated entity at " + std::to_string(i);
      const std::string entity = s.substr(i, semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&#39;") {
        return "unknown entity " + entity;
      }
      i = semi + 1;
      continue;
    }
    if (s[i] != '<') {
      if (s[i] == '>') return "stray '>' at " + std::to_string(i);
      ++i;
      continue;
    }
    const std::size_t close = s.find('>', i);
    if (close == std::string::npos) return "unterminated tag at " + std::to_string(i);
    std::string tag = s.substr(i + 1, close - i - 1);
    i = close + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
      continue;
    }
    const bool self_closing = tag.back() == '/';
    if (self_closing) tag.pop_back();
    const std::size_t name_end = tag.find_first_of(" \n");
    const std::string name = tag.substr(0, name_end);
    // Attributes: name="value" pairs, nothing else.
    static const std::regex attrs(R"((\s+[A-Za-z_:][-A-Za-z0-9_:.]*="[^"<]*")*\s*)");
    if (name_end != std::string::npos && !std::regex_match(tag.substr(name_end), attrs)) {
      return "bad attributes in <" + name + ">";
    }
    if (!self_closing) open.push_back(name);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

TEST(BurndownJson, ShapeAndValues) {
  const Burndown b = sample();
  const Forecast f = campaign::forecastMilestones(b, milestones(), b.to);
  const std::string out = burndownJson(b, f);
  ASSERT_EQ(out.back(), '\n');
  const auto j = nlohmann::ordered_json::parse(out);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"directive", "from", "to", "as_of", "days", "forecast"}));
  EXPECT_EQ(j["directive"], "pa-iphone-2023");
  EXPECT_EQ(j["from"], "2023-03-07");
  EXPECT_EQ(j["to"], "2023-03-20");
  EXPECT_EQ(j["as_of"], "2023-03-20");
  ASSERT_EQ(j["days"].size(), 14u);
  const auto& d10 = j["days"][10];
  keys.clear();
  for (const auto& [k, v] : d10.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"date", "pending", "overdue", "exempt", "unknown",
                                            "compliant", "violating"}));
  EXPECT_EQ(d10["date"], "2023-03-17");
  EXPECT_EQ(d10["overdue"], 3);
  EXPECT_EQ(d10["pending"], 17);
  EXPECT_EQ(d10["violating"], 20);
  ASSERT_EQ(j["forecast"].size(), 3u);
  const auto& observed = j["forecast"][0];
  EXPECT_EQ(observed["kind"], "observed");
  EXPECT_EQ(observed["expected"], 34.0);  // 40 - 2 * 3 on 10 March
  EXPECT_EQ(observed["on_track"], false);
  const auto& trend = j["forecast"][1];
  keys.clear();
  for (const auto& [k, v] : trend.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"milestone", "due", "kind", "method", "expected", "low",
                                            "high", "on_track", "basis_days"}));
  EXPECT_EQ(trend["milestone"], "hand <over> & co");
  EXPECT_EQ(trend["kind"], "trend");
  EXPECT_EQ(trend["expected"], 0.0);  // 14 - 2 * 11 < 0, clamped
  EXPECT_EQ(trend["on_track"], true);
  EXPECT_EQ(trend["basis_days"], 14);
  EXPECT_NE(trend["method"].get<std::string>().find("80% prediction interval"), std::string::npos);
}

TEST(BurndownJson, UnavailableForecastHasNulls) {
  const Burndown b = sample(3);
  const Forecast f = campaign::forecastMilestones(b, milestones(), b.to);
  const auto j = nlohmann::json::parse(burndownJson(b, f));
  const auto& m = j["forecast"][1];
  EXPECT_EQ(m["kind"], "unavailable");
  EXPECT_TRUE(m["expected"].is_null());
  EXPECT_TRUE(m["low"].is_null());
  EXPECT_TRUE(m["high"].is_null());
  EXPECT_TRUE(m["on_track"].is_null());
  EXPECT_EQ(m["basis_days"], 3);
  EXPECT_NE(m["method"].get<std::string>().find("a trend needs at least 5 days"),
            std::string::npos);
}

TEST(BurndownText, TableAndForecastLines) {
  const Burndown b = sample();
  const Forecast f = campaign::forecastMilestones(b, milestones(), b.to);
  const std::string out = burndownText(b, f);
  EXPECT_NE(out.find("pa-iphone-2023: burn-down from 2023-03-07 to 2023-03-20"), std::string::npos);
  EXPECT_NE(out.find("DATE       VIOLATING  PENDING  OVERDUE  EXEMPT  UNKNOWN  COMPLIANT"),
            std::string::npos);
  EXPECT_NE(out.find("2023-03-17        20       17        3       1        2        120"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("forecast as of 2023-03-20"), std::string::npos);
  EXPECT_NE(out.find("identify          due 2023-03-10  observed 34.0: missed"), std::string::npos)
      << out;
  EXPECT_NE(out.find("hand <over> & co  due 2023-03-31  expected 0.0 (80% interval 0.0 to "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("): on track"), std::string::npos);
  EXPECT_NE(out.find("least-squares linear trend"), std::string::npos);
}

TEST(BurndownSvg, WellFormedSelfContainedAndEscaped) {
  const Burndown b = sample();
  const Forecast f = campaign::forecastMilestones(b, milestones(), b.to);
  const std::string svg = burndownSvg(b, f);
  EXPECT_EQ(xmlProblem(svg), "");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("javascript:"), std::string::npos);
  EXPECT_FALSE(std::regex_search(svg, std::regex(R"(\son[a-z]+=)")));  // no event handlers
  EXPECT_NE(svg.find("<title id=\"burndown-title\">Burn-down of pa-iphone-2023"),
            std::string::npos);
  EXPECT_NE(svg.find("hand &lt;over&gt; &amp; co 03-31"), std::string::npos);
  // One vertical line per milestone, the forecast (dashed) and its band, the as-of marker.
  std::size_t lines = 0;
  for (std::size_t p = svg.find("class=\"milestone\""); p != std::string::npos;
       p = svg.find("class=\"milestone\"", p + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u);
  EXPECT_NE(svg.find("class=\"forecast\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" "
                     "stroke-dasharray=\"6 4\""),
            std::string::npos);
  EXPECT_NE(svg.find("class=\"forecast-interval\""), std::string::npos);
  EXPECT_NE(svg.find("as of 03-20"), std::string::npos);
  EXPECT_NE(svg.find("class=\"overdue\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"violating\""), std::string::npos);
  EXPECT_NE(svg.find("80% prediction interval"), std::string::npos);
  EXPECT_NE(svg.find(">devices</text>"), std::string::npos);
  EXPECT_NE(svg.find(">03-07</text>"), std::string::npos);  // first x tick
  // Every coordinate lies on the canvas.
  static const std::regex number(R"((?:x|y|x1|y1|x2|y2|cx|cy)="(-?[0-9.]+)\")");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), number); it != std::sregex_iterator();
       ++it) {
    const double v = std::strtod((*it)[1].str().c_str(), nullptr);
    EXPECT_GE(v, 0.0) << (*it)[0];
    EXPECT_LE(v, 760.0) << (*it)[0];
  }
  static const std::regex pair(R"((-?[0-9]+\.[0-9]),(-?[0-9]+\.[0-9]))");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), pair); it != std::sregex_iterator();
       ++it) {
    const double x = std::strtod((*it)[1].str().c_str(), nullptr);
    const double y = std::strtod((*it)[2].str().c_str(), nullptr);
    EXPECT_TRUE(x >= 0 && x <= 760 && y >= 0 && y <= 400) << (*it)[0];
  }
}

TEST(BurndownSvg, OneDayAndNoForecastStillDraws) {
  const Burndown b = sample(1);
  const Forecast f = campaign::forecastMilestones(b, milestones(), b.to);
  const std::string svg = burndownSvg(b, f);
  EXPECT_EQ(xmlProblem(svg), "");
  EXPECT_EQ(svg.find("class=\"forecast\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"pending\""), std::string::npos);
  EXPECT_NE(svg.find("no forecast"), std::string::npos);  // said in the description
}

TEST(BurndownSvg, EmptyCountsDoNotDivideByZero) {
  Burndown b = sample(6);
  for (auto& c : b.days) c = DayCounts{c.day};
  const Forecast f = campaign::forecastMilestones(b, milestones(), b.to);
  const std::string svg = burndownSvg(b, f);
  EXPECT_EQ(xmlProblem(svg), "");
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(BurndownReports, SameInputsSameBytes) {
  const Burndown b = sample();
  const Forecast f = campaign::forecastMilestones(b, milestones(), day("2023-03-18"));
  EXPECT_EQ(burndownSvg(b, f),
            burndownSvg(b, campaign::forecastMilestones(b, milestones(), day("2023-03-18"))));
  EXPECT_EQ(burndownJson(b, f), burndownJson(b, f));
  EXPECT_EQ(burndownText(b, f), burndownText(b, f));
}

TEST(BurndownReports, StatusPageEmbedsTheChart) {
  policy::Directive d;
  d.id = "pa-iphone-2023";
  d.title = "No iPhones";
  d.issued = day("2023-03-06");
  d.milestones = milestones();
  policy::Evaluation ev;
  ev.directive_id = d.id;
  ev.as_of = day("2023-03-20");
  const Burndown b = sample();
  const std::string svg = burndownSvg(b, campaign::forecastMilestones(b, d.milestones, ev.as_of));
  const std::string page = statusHtml(d, ev, {}, svg);
  EXPECT_NE(page.find("<h2>Burn-down</h2>\n<figure"), std::string::npos);
  EXPECT_NE(page.find(svg), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(statusHtml(d, ev, {}, ""), statusHtml(d, ev));
}

}  // namespace
}  // namespace phaseout::report
