#include "campaign/burndown.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <tuple>

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::EmploymentStatus;
using inventory::Person;
using platform::DeviceState;
using platform::Kind;
using platform::Platform;
using policy::VerdictStatus;

Date day(const char* text) { return *Date::parse(text); }

// The reference: a full evaluation of the day, counted by verdict.
DayCounts countsBySnapshot(const History& history, Date on) {
  DayCounts c;
  c.day = on;
  auto snap = snapshotOn(history, on);
  if (!snap) return c;
  for (const auto& v : snap->evaluation.verdicts) {
    switch (v.status) {
      case VerdictStatus::kPending:
        ++c.pending;
        break;
      case VerdictStatus::kOverdue:
        ++c.overdue;
        break;
      case VerdictStatus::kExempt:
        ++c.exempt;
        break;
      case VerdictStatus::kUnknown:
        ++c.unknown;
        break;
      case VerdictStatus::kCompliant:
        ++c.compliant;
        break;
    }
  }
  return c;
}

void expectSameAsSnapshots(const History& h, Date from, Date to) {
  auto b = computeBurndown(h, from, to);
  ASSERT_TRUE(b.isOk()) << b.status().message();
  ASSERT_EQ(b->to, to);
  ASSERT_EQ(static_cast<std::int32_t>(b->days.size()), b->from.daysUntil(to) + 1);
  for (const DayCounts& c : b->days) {
    const DayCounts want = countsBySnapshot(h, c.day);
    ASSERT_EQ(c, want) << "on " << c.day.toString() << ": pending " << c.pending << "/"
                       << want.pending << " overdue " << c.overdue << "/" << want.overdue
                       << " exempt " << c.exempt << "/" << want.exempt << " unknown " << c.unknown
                       << "/" << want.unknown << " compliant " << c.compliant << "/"
                       << want.compliant;
  }
}

policy::Directive directive(const char* due, const char* second_due = nullptr) {
  policy::Directive d;
  d.id = "pa-iphone-2023";
  d.title = "No iPhones";
  d.issued = day("2023-03-06");
  d.scope.units = {"pa/**"};
  d.scope.roles = {"official"};
  policy::BanRule ios;
  ios.platforms = {Platform::kIos};
  policy::BanRule apple_phone;
  apple_phone.vendors = {"apple"};
  apple_phone.kinds = {Kind::kPhone};
  d.ban = {ios, apple_phone};
  d.allowed_platforms = {Platform::kAndroid, Platform::kAurora};
  if (second_due) {
    d.milestones = {{"handover", day(due), ""}, {"replace", day(second_due), ""}};
  } else {
    d.milestones = {{"handover", day(due), ""}};
  }
  d.waivers = policy::WaiverPolicy{"security-officer", 30, true};
  return d;
}

Person person(const std::string& id, const std::string& unit,
              EmploymentStatus status = EmploymentStatus::kActive) {
  Person p;
  p.person_id = id;
  p.name = id;
  p.unit = unit;
  p.roles = {"official"};
  p.status = status;
  return p;
}

Device device(const std::string& id, const std::string& holder, Platform platform,
              DeviceState state = DeviceState::kActive) {
  Device d;
  d.device_id = id;
  d.holder = holder;
  d.platform = platform;
  d.kind = Kind::kPhone;
  d.vendor =
      platform == Platform::kIos ? "apple" : (platform == Platform::kUnknown ? "" : "samsung");
  d.model = "M";
  d.state = state;
  return d;
}

void sortHistory(History& h) {
  std::stable_sort(h.people.begin(), h.people.end(), [](const auto& a, const auto& b) {
    return std::tie(a.record.person_id, a.valid_from, a.seq) <
           std::tie(b.record.person_id, b.valid_from, b.seq);
  });
  std::stable_sort(h.devices.begin(), h.devices.end(), [](const auto& a, const auto& b) {
    return std::tie(a.record.device_id, a.valid_from, a.seq) <
           std::tie(b.record.device_id, b.valid_from, b.seq);
  });
  std::stable_sort(h.directive_versions.begin(), h.directive_versions.end(),
                   [](const auto& a, const auto& b) {
                     return std::tie(a.valid_from, a.version) < std::tie(b.valid_from, b.version);
                   });
}

constexpr std::int32_t kBaseline = -1'000'000;

// A small campaign with every kind of change the sweep must see.
History handWritten() {
  History h;
  std::int64_t seq = 0;
  auto addPerson = [&](std::int32_t from, Person p) {
    h.people.push_back({from, ++seq, std::move(p)});
  };
  auto addDevice = [&](std::int32_t from, Device d) {
    h.devices.push_back({from, ++seq, std::move(d)});
  };
  const std::int32_t mar6 = day("2023-03-06").days();
  h.directive_versions.push_back({mar6, 1, directive("2023-03-31", "2023-04-01")});
  // Version 2 from 25 March moves the final due date earlier, to 28 March.
  h.directive_versions.push_back({mar6 + 19, 2, directive("2023-03-27", "2023-03-28")});

  addPerson(kBaseline, person("P-1", "pa"));
  addPerson(kBaseline, person("P-2", "pa/press"));
  addPerson(mar6 + 8, person("P-2", "gov/other"));  // moves out of scope on 14 March
  addPerson(kBaseline, person("P-3", "pa/press"));
  addPerson(mar6 + 20, person("P-3", "pa/press", EmploymentStatus::kLeft));  // leaves 26 March
  addPerson(mar6 + 3, person("P-4", "pa"));                                  // joins 9 March

  addDevice(kBaseline, device("D-1", "P-1", Platform::kIos));
  addDevice(mar6 + 5, device("D-1", "P-1", Platform::kIos, DeviceState::kDestroyed));
  addDevice(kBaseline, device("D-2", "P-2", Platform::kIos));
  addDevice(kBaseline, device("D-3", "P-3", Platform::kIos));
  addDevice(kBaseline, device("D-4", "P-4", Platform::kIos));  // holder known from 9 March
  addDevice(kBaseline, device("D-5", "P-1", Platform::kUnknown));
  addDevice(mar6 + 2, device("D-5", "P-1", Platform::kAndroid));
  addDevice(kBaseline, device("D-6", "P-1", Platform::kAndroid));
  addDevice(mar6 + 10, device("D-6", "P-4", Platform::kIos));  // handed to P-4
  addDevice(mar6 + 10, device("D-6", "P-3", Platform::kIos));  // same day, later record wins
  addDevice(mar6 + 4, device("D-7", "", Platform::kIos));
  addDevice(mar6 + 6, device("D-7", "P-1", Platform::kIos));
  addDevice(mar6 + 22, device("D-7", "P-1", Platform::kIos, DeviceState::kTransferred));

  Waiver w1;  // device waiver, revoked early
  w1.waiver_id = "W-1";
  w1.directive_id = "pa-iphone-2023";
  w1.device_id = "D-4";
  w1.from = Date::fromDays(mar6 + 4);
  w1.until = Date::fromDays(mar6 + 20);
  w1.revoked_from = Date::fromDays(mar6 + 12);
  Waiver w2;  // person waiver, runs out
  w2.waiver_id = "W-2";
  w2.directive_id = "pa-iphone-2023";
  w2.person_id = "P-3";
  w2.from = Date::fromDays(mar6 + 1);
  w2.until = Date::fromDays(mar6 + 9);
  Waiver w3;  // unit waiver
  w3.waiver_id = "W-3";
  w3.directive_id = "pa-iphone-2023";
  w3.unit = "pa";
  w3.from = Date::fromDays(mar6 + 15);
  w3.until = Date::fromDays(mar6 + 17);
  Waiver w4 = w3;  // another directive's waiver never applies
  w4.waiver_id = "W-4";
  w4.directive_id = "other";
  w4.unit = "pa/**";
  h.waivers = {w1, w2, w3, w4};
  sortHistory(h);
  return h;
}

TEST(Burndown, EqualsSnapshotOnEveryDayOfAHandWrittenCampaign) {
  const History h = handWritten();
  expectSameAsSnapshots(h, day("2023-03-01"), day("2023-04-10"));
  // A range starting mid-way evaluates its first day from what was in force then.
  expectSameAsSnapshots(h, day("2023-03-20"), day("2023-03-30"));
}

TEST(Burndown, HandWrittenCountsAreWhatTheStoryTells) {
  auto b = computeBurndown(handWritten(), day("2023-03-06"), day("2023-04-05"));
  ASSERT_TRUE(b.isOk());
  auto on = [&](const char* text) {
    return b->days[static_cast<std::size_t>(b->from.daysUntil(day(text)))];
  };
  // 6 March: D-1, D-2, D-3 violate (D-4's holder is not yet known); D-5 unknown, D-6 compliant.
  EXPECT_EQ(on("2023-03-06").pending, 3u);
  EXPECT_EQ(on("2023-03-06").unknown, 1u);
  EXPECT_EQ(on("2023-03-06").compliant, 1u);
  // 7 March: P-3's waiver starts.
  EXPECT_EQ(on("2023-03-07").exempt, 1u);
  // 28 March (version 2 due): pending; 29 March overdue.
  EXPECT_EQ(on("2023-03-28").overdue, 0u);
  EXPECT_GT(on("2023-03-29").overdue, 0u);
  EXPECT_EQ(on("2023-03-29").pending, 0u);
}

TEST(Burndown, FromIsClampedToTheFirstInForceDay) {
  auto b = computeBurndown(handWritten(), day("2023-01-01"), day("2023-03-10"));
  ASSERT_TRUE(b.isOk());
  EXPECT_EQ(b->from, day("2023-03-06"));
  EXPECT_EQ(b->days.front().day, day("2023-03-06"));
  EXPECT_EQ(b->days.size(), 5u);
  EXPECT_EQ(b->directive_id, "pa-iphone-2023");
}

TEST(Burndown, RefusesBadRanges) {
  const History h = handWritten();
  auto before = computeBurndown(h, day("2023-01-01"), day("2023-02-01"));
  EXPECT_EQ(before.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(before.status().message().find("2023-03-06"), std::string::npos);
  EXPECT_EQ(computeBurndown(h, day("2023-03-20"), day("2023-03-10")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(computeBurndown(h, day("2023-03-06"), day("2040-01-01")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(computeBurndown(History{}, day("2023-03-06"), day("2023-03-07")).status().code(),
            StatusCode::kFailedPrecondition);
}

// Random histories: every kind of version, holder moves, waivers and directive versions, on a
// small id space so that changes collide on the same days.
History randomHistory(std::mt19937& rng, int people, int devices, int span_days) {
  History h;
  const std::int32_t start = day("2023-03-01").days();
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto someDay = [&] { return start + pick(span_days); };
  const char* units[] = {"pa", "pa/press", "pa/a/b", "gov", "pa-press"};
  std::int64_t seq = 0;
  const int versions = 1 + pick(3);
  for (int v = 0; v < versions; ++v) {
    const std::int32_t due = start + 5 + pick(span_days);
    policy::Directive d = directive(Date::fromDays(due).toString().c_str());
    d.milestones.front().due = Date::fromDays(due);
    if (pick(3) == 0) d.scope.exclude_units = {"pa/press"};
    if (pick(3) == 0) d.scope.roles.clear();
    if (pick(4) == 0) d.ban.pop_back();
    h.directive_versions.push_back({v == 0 ? start + pick(4) : someDay(), v + 1, d});
  }
  for (int p = 0; p < people; ++p) {
    const std::string id = "P-" + std::to_string(p);
    const int n = 1 + pick(3);
    for (int k = 0; k < n; ++k) {
      Person rec = person(id, units[pick(5)],
                          pick(6) == 0 ? EmploymentStatus::kLeft : EmploymentStatus::kActive);
      if (pick(5) == 0) rec.roles = {"driver"};
      h.people.push_back({k == 0 && pick(2) ? kBaseline : someDay(), ++seq, rec});
    }
  }
  const Platform platforms[] = {Platform::kIos, Platform::kAndroid, Platform::kUnknown};
  const DeviceState states[] = {DeviceState::kActive,   DeviceState::kActive,
                                DeviceState::kActive,   DeviceState::kDestroyed,
                                DeviceState::kReturned, DeviceState::kTransferred};
  for (int d = 0; d < devices; ++d) {
    const std::string id = "D-" + std::to_string(d);
    const int n = 1 + pick(4);
    for (int k = 0; k < n; ++k) {
      const std::string holder = pick(8) == 0 ? "" : "P-" + std::to_string(pick(people + 1));
      Device rec = device(id, holder, platforms[pick(3)], states[pick(6)]);
      if (pick(4) == 0) rec.kind = Kind::kUnknown;
      h.devices.push_back({k == 0 && pick(2) ? kBaseline : someDay(), ++seq, rec});
    }
  }
  const int waivers = pick(6);
  for (int w = 0; w < waivers; ++w) {
    Waiver x;
    x.waiver_id = "W-" + std::to_string(w);
    x.directive_id = pick(6) == 0 ? "other" : "pa-iphone-2023";
    switch (pick(3)) {
      case 0:
        x.device_id = "D-" + std::to_string(pick(devices));
        break;
      case 1:
        x.person_id = "P-" + std::to_string(pick(people));
        break;
      default:
        x.unit = pick(2) ? "pa/**" : "pa/press";
        break;
    }
    x.from = Date::fromDays(someDay());
    x.until = x.from.addDays(pick(12));
    if (pick(3) == 0) x.revoked_from = x.from.addDays(pick(10) - 2);
    h.waivers.push_back(x);
  }
  sortHistory(h);
  return h;
}

TEST(Burndown, EqualsSnapshotOnEveryDayOfRandomHistories) {
  std::mt19937 rng(20230306);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const History h =
        randomHistory(rng, 1 + static_cast<int>(rng() % 8), 1 + static_cast<int>(rng() % 14), 30);
    expectSameAsSnapshots(h, day("2023-02-20"), day("2023-04-20"));
    if (HasFatalFailure()) return;
  }
}

TEST(Burndown, SameInputsSameCounts) {
  std::mt19937 rng(7);
  const History h = randomHistory(rng, 20, 60, 40);
  auto a = computeBurndown(h, day("2023-03-01"), day("2023-04-30"));
  auto b = computeBurndown(h, day("2023-03-01"), day("2023-04-30"));
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_EQ(a->days, b->days);
}

// --- forecast ----------------------------------------------------------------------------

Burndown series(Date from, const std::vector<std::size_t>& violating) {
  Burndown b;
  b.directive_id = "d";
  b.from = from;
  b.to = from.addDays(static_cast<std::int32_t>(violating.size()) - 1);
  for (std::size_t i = 0; i < violating.size(); ++i) {
    DayCounts c;
    c.day = from.addDays(static_cast<std::int32_t>(i));
    c.pending = violating[i];
    c.compliant = 100 - violating[i];
    b.days.push_back(c);
  }
  return b;
}

TEST(Forecast, ExactLineGivesExactForecast) {
  // 100, 95, ..., 35 over 14 days: on 31 March (11 days after the last) 35 - 55 < 0 -> 0;
  // on 25 March (5 days after) 10.
  std::vector<std::size_t> y;
  for (int i = 0; i < 14; ++i) y.push_back(static_cast<std::size_t>(100 - 5 * i));
  const Burndown b = series(day("2023-03-07"), y);
  const std::vector<policy::Milestone> ms = {{"early", day("2023-03-25"), ""},
                                             {"late", day("2023-03-31"), ""}};
  auto f = forecastMilestones(b, ms, day("2023-03-20"));
  ASSERT_EQ(f.milestones.size(), 2u);
  EXPECT_EQ(f.milestones[0].kind, ForecastKind::kTrend);
  EXPECT_NEAR(f.milestones[0].expected, 10.0, 1e-9);
  EXPECT_NEAR(f.milestones[0].low, 10.0, 1e-9);
  EXPECT_NEAR(f.milestones[0].high, 10.0, 1e-9);
  EXPECT_EQ(f.milestones[0].on_track, false);
  EXPECT_EQ(f.milestones[0].basis_days, 14);
  EXPECT_EQ(f.milestones[0].basis_from, day("2023-03-07"));
  EXPECT_EQ(f.milestones[0].basis_to, day("2023-03-20"));
  EXPECT_NE(f.milestones[0].method.find("least-squares linear trend"), std::string::npos);
  EXPECT_NE(f.milestones[0].method.find("14 days 2023-03-07..2023-03-20"), std::string::npos);
  EXPECT_NE(f.milestones[0].method.find("80% prediction interval"), std::string::npos);
  EXPECT_NE(f.milestones[0].method.find("12 degrees of freedom"), std::string::npos);
  EXPECT_NE(f.milestones[0].method.find("slope -5.0"), std::string::npos);
  EXPECT_EQ(f.milestones[1].expected, 0.0);
  EXPECT_EQ(f.milestones[1].on_track, true);
  // The trend itself, for charts: the fitted line over the basis and beyond.
  ASSERT_TRUE(f.fitted);
  EXPECT_EQ(f.as_of, day("2023-03-20"));
  EXPECT_NEAR(f.expectedOn(day("2023-03-07")), 100.0, 1e-9);
  EXPECT_NEAR(f.expectedOn(day("2023-03-22")), 25.0, 1e-9);
  EXPECT_NEAR(f.highOn(day("2023-03-22")), 25.0, 1e-9);
}

TEST(Forecast, WindowUsesOnlyTheLastDays) {
  // Flat at 50 for ten days, then falling by 2 a day for 14 days: the 14-day window sees the
  // fall only.
  std::vector<std::size_t> y(10, 50);
  for (int i = 0; i < 14; ++i) y.push_back(static_cast<std::size_t>(48 - 2 * i));
  const Burndown b = series(day("2023-03-01"), y);
  auto f = forecastMilestones(b, {{"m", b.to.addDays(3), ""}}, b.to);
  ASSERT_EQ(f.milestones.size(), 1u);
  EXPECT_NEAR(f.milestones[0].expected, 22.0 - 6.0, 1e-9);
  EXPECT_EQ(f.milestones[0].basis_days, 14);
}

TEST(Forecast, NoisySeriesIntervalContainsTheTruthMostOfTheTime) {
  // y = 200 - 6x + noise (sd 4): the 80% interval must cover the true value about 80% of the
  // time; with 400 trials the rate lies in [0.72, 0.88] unless the interval is wrong.
  std::mt19937 rng(42);
  std::normal_distribution<double> noise(0.0, 4.0);
  int covered = 0;
  const int trials = 400;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<std::size_t> y;
    for (int i = 0; i < 14; ++i) {
      y.push_back(static_cast<std::size_t>(std::lround(std::max(0.0, 200 - 6.0 * i + noise(rng)))));
    }
    const Burndown b = series(day("2023-03-07"), y);
    auto f = forecastMilestones(b, {{"m", day("2023-03-27"), ""}}, day("2023-03-20"));
    const double truth = 200 - 6.0 * 20 + noise(rng);
    if (f.milestones[0].low <= truth && truth <= f.milestones[0].high) ++covered;
    EXPECT_LT(f.milestones[0].low, f.milestones[0].expected);
    EXPECT_GT(f.milestones[0].high, f.milestones[0].expected);
    EXPECT_DOUBLE_EQ(f.highOn(day("2023-03-27")), f.milestones[0].high);
    // The interval is narrowest inside the basis and widens away from it.
    EXPECT_LT(f.highOn(day("2023-03-14")) - f.lowOn(day("2023-03-14")),
              f.milestones[0].high - f.milestones[0].low);
  }
  const double rate = static_cast<double>(covered) / trials;
  EXPECT_GE(rate, 0.72);
  EXPECT_LE(rate, 0.88);
}

TEST(Forecast, TooFewDaysSaysSoInsteadOfANumber) {
  const Burndown b = series(day("2023-03-18"), {10, 9, 7});
  auto f = forecastMilestones(b, {{"m", day("2023-03-31"), ""}}, day("2023-03-20"));
  ASSERT_EQ(f.milestones.size(), 1u);
  EXPECT_EQ(f.milestones[0].kind, ForecastKind::kUnavailable);
  EXPECT_FALSE(f.fitted);
  EXPECT_FALSE(f.milestones[0].on_track.has_value());
  EXPECT_EQ(f.milestones[0].basis_days, 3);
  EXPECT_EQ(f.milestones[0].method,
            "no forecast: 3 days observed up to 2023-03-20; a trend needs at least 5 days.");
}

TEST(Forecast, PassedMilestoneReportsTheObservedCount) {
  const Burndown b = series(day("2023-03-20"), {5, 4, 2, 0, 0, 1, 1});
  auto f = forecastMilestones(
      b, {{"a", day("2023-03-22"), ""}, {"b", day("2023-03-23"), ""}, {"c", day("2023-03-01"), ""}},
      day("2023-04-30"));
  ASSERT_EQ(f.milestones.size(), 3u);
  EXPECT_EQ(f.milestones[0].kind, ForecastKind::kObserved);
  EXPECT_EQ(f.milestones[0].expected, 2.0);
  EXPECT_EQ(f.milestones[0].on_track, false);
  EXPECT_EQ(f.milestones[1].expected, 0.0);
  EXPECT_EQ(f.milestones[1].on_track, true);
  EXPECT_EQ(f.milestones[2].kind, ForecastKind::kUnavailable);
  EXPECT_NE(f.milestones[2].method.find("before the first day"), std::string::npos);
}

TEST(Forecast, AsOfLimitsTheObservedDays) {
  // Days after as_of are not observations: a forecast as of the 5th day uses 5 days.
  const Burndown b = series(day("2023-03-01"), {50, 40, 30, 20, 10, 10, 10, 10});
  auto f = forecastMilestones(b, {{"m", day("2023-03-07"), ""}}, day("2023-03-05"));
  EXPECT_EQ(f.milestones[0].kind, ForecastKind::kTrend);
  EXPECT_EQ(f.milestones[0].basis_days, 5);
  EXPECT_EQ(f.milestones[0].expected, 0.0);
  EXPECT_EQ(f.milestones[0].on_track, true);
}

TEST(Forecast, StudentTQuantiles) {
  EXPECT_NEAR(studentT90(1), 3.0777, 1e-4);
  EXPECT_NEAR(studentT90(12), 1.3562, 1e-4);
  // The expansion continues the table smoothly and tends to the normal quantile.
  EXPECT_NEAR(studentT90(31), 1.3095, 5e-4);
  EXPECT_NEAR(studentT90(60), 1.2958, 5e-4);
  EXPECT_NEAR(studentT90(100000), 1.28155, 1e-4);
  EXPECT_LT(studentT90(31), studentT90(30));
}

TEST(Forecast, LinearFitOfAnExactLine) {
  const std::vector<double> y = {3, 5, 7, 9};
  const LinearTrend t = fitLinearTrend(y);
  EXPECT_EQ(t.n, 4);
  EXPECT_NEAR(t.slope, 2.0, 1e-12);
  EXPECT_NEAR(t.intercept, 3.0, 1e-12);
  EXPECT_NEAR(t.residual_se, 0.0, 1e-12);
  EXPECT_NEAR(t.at(10), 23.0, 1e-12);
}

// --- scale -------------------------------------------------------------------------------

// A tenth of the benchmark campaign (bench/campaign/burndown_bench.cc measures the full
// 100,000 devices and 1,000,000 version rows): 10,000 devices in 100,000 version rows over 60
// days, spot-checked against full evaluations. Prints the time; asserts only the counts.
TEST(BurndownScale, TenThousandDevicesHundredThousandVersions) {
  std::mt19937 rng(99);
  History h;
  const std::int32_t start = day("2023-03-01").days();
  h.directive_versions.push_back({start + 5, 1, directive("2023-03-31", "2023-04-01")});
  h.directive_versions.push_back({start + 20, 2, directive("2023-04-10")});
  const int people = 5'000;
  const int devices = 10'000;
  std::int64_t seq = 0;
  const char* units[] = {"pa", "pa/press", "pa/domestic-policy", "gov"};
  for (int p = 0; p < people; ++p) {
    char id[16];
    std::snprintf(id, sizeof id, "P-%06d", p);
    h.people.push_back({kBaseline, ++seq, person(id, units[rng() % 4])});
    h.people.push_back(
        {start + static_cast<std::int32_t>(rng() % 60), ++seq, person(id, units[rng() % 4])});
  }
  const Platform platforms[] = {Platform::kIos, Platform::kAndroid, Platform::kUnknown};
  for (int d = 0; d < devices; ++d) {
    char id[16];
    char holder[16];
    std::snprintf(id, sizeof id, "D-%07d", d);
    std::snprintf(holder, sizeof holder, "P-%06d", static_cast<int>(rng() % people));
    for (int k = 0; k < 9; ++k) {
      const DeviceState state = k == 8 ? DeviceState::kDestroyed : DeviceState::kActive;
      h.devices.push_back({k == 0 ? kBaseline : start + static_cast<std::int32_t>(rng() % 60),
                           ++seq, device(id, holder, platforms[rng() % 3], state)});
    }
  }
  for (int w = 0; w < 200; ++w) {
    Waiver x;
    x.waiver_id = "W-" + std::to_string(w);
    x.directive_id = "pa-iphone-2023";
    char id[16];
    std::snprintf(id, sizeof id, "D-%07d", static_cast<int>(rng() % devices));
    x.device_id = id;
    x.from = Date::fromDays(start + static_cast<std::int32_t>(rng() % 50));
    x.until = x.from.addDays(10);
    h.waivers.push_back(x);
  }
  sortHistory(h);
  ASSERT_EQ(h.people.size() + h.devices.size(), 100'000u);

  const auto t0 = std::chrono::steady_clock::now();
  auto b = computeBurndown(h, Date::fromDays(start), Date::fromDays(start + 59));
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(b.isOk());
  std::printf("burndown sweep: %zu devices, %zu version rows, %zu days: %.1f ms\n",
              static_cast<std::size_t>(devices), h.people.size() + h.devices.size(), b->days.size(),
              std::chrono::duration<double, std::milli>(t1 - t0).count());
  // Spot checks against the full evaluation on a few days.
  for (std::int32_t k : {5, 25, 59}) {
    EXPECT_EQ(b->days[static_cast<std::size_t>(k - 5)],
              countsBySnapshot(h, Date::fromDays(start + k)));
  }
}

}  // namespace
}  // namespace phaseout::campaign
