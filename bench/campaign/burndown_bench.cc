// Cost of campaign::computeBurndown() on a campaign the size of the benchmark target: 100,000
// devices and 1,000,000 version rows (50,000 people in two versions each, 100,000 devices in
// nine), 2,000 waivers, two directive versions, 60 days — side by side with the naive way, a
// full snapshotOn() evaluation per day.
//
// Built by `make build` as build/release/bench/bench_burndown (when Google Benchmark is
// installed); not part of `make bench`, whose burn-down figure is the whole `phaseout burndown`
// command (bench/campaign/run.sh).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <tuple>

#include "campaign/burndown.h"
#include "campaign/history.h"

namespace {

using namespace phaseout;
using campaign::History;

constexpr std::int32_t kBaseline = -1'000'000;
constexpr int kPeople = 50'000;
constexpr int kDevices = 100'000;
constexpr int kDays = 60;

policy::Directive directive(Date due) {
  policy::Directive d;
  d.id = "pa-iphone-2023";
  d.title = "No iPhones";
  d.issued = due.addDays(-25);
  d.scope.units = {"pa/**"};
  d.scope.roles = {"official"};
  policy::BanRule ios;
  ios.platforms = {platform::Platform::kIos};
  policy::BanRule apple_phone;
  apple_phone.vendors = {"apple"};
  apple_phone.kinds = {platform::Kind::kPhone};
  d.ban = {ios, apple_phone};
  d.milestones = {{"handover", due.addDays(-1), ""}, {"replace", due, ""}};
  return d;
}

Date start() { return *Date::parse("2023-03-01"); }

const History& history() {
  static const History h = [] {
    History out;
    std::mt19937 rng(99);
    const std::int32_t first = start().days();
    out.directive_versions.push_back({first, 1, directive(start().addDays(30))});
    out.directive_versions.push_back({first + 20, 2, directive(start().addDays(40))});
    const char* units[] = {"pa", "pa/press", "pa/domestic-policy", "gov"};
    std::int64_t seq = 0;
    for (int p = 0; p < kPeople; ++p) {
      char id[16];
      std::snprintf(id, sizeof id, "P-%06d", p);
      for (int k = 0; k < 2; ++k) {
        inventory::Person person;
        person.person_id = id;
        person.unit = units[rng() % 4];
        person.roles = {"official"};
        out.people.push_back(
            {k == 0 ? kBaseline : first + static_cast<std::int32_t>(rng() % kDays), ++seq, person});
      }
    }
    const platform::Platform platforms[] = {platform::Platform::kIos, platform::Platform::kAndroid,
                                            platform::Platform::kUnknown};
    for (int d = 0; d < kDevices; ++d) {
      char id[16];
      char holder[16];
      std::snprintf(id, sizeof id, "D-%07d", d);
      std::snprintf(holder, sizeof holder, "P-%06d", static_cast<int>(rng() % kPeople));
      for (int k = 0; k < 9; ++k) {
        inventory::Device device;
        device.device_id = id;
        device.holder = holder;
        device.platform = platforms[rng() % 3];
        device.kind = platform::Kind::kPhone;
        device.vendor = device.platform == platform::Platform::kIos ? "apple" : "samsung";
        device.model = "iPhone 13";
        device.state = k == 8 ? platform::DeviceState::kDestroyed : platform::DeviceState::kActive;
        out.devices.push_back(
            {k == 0 ? kBaseline : first + static_cast<std::int32_t>(rng() % kDays), ++seq, device});
      }
    }
    for (int w = 0; w < 2000; ++w) {
      campaign::Waiver x;
      x.waiver_id = "W-" + std::to_string(w);
      x.directive_id = "pa-iphone-2023";
      char id[16];
      std::snprintf(id, sizeof id, "D-%07d", static_cast<int>(rng() % kDevices));
      x.device_id = id;
      x.from = Date::fromDays(first + static_cast<std::int32_t>(rng() % 50));
      x.until = x.from.addDays(10);
      out.waivers.push_back(x);
    }
    auto by = [](const auto& id_of) {
      return [id_of](const auto& a, const auto& b) {
        return std::tie(id_of(a.record), a.valid_from, a.seq) <
               std::tie(id_of(b.record), b.valid_from, b.seq);
      };
    };
    std::stable_sort(
        out.people.begin(), out.people.end(),
        by([](const inventory::Person& p) -> const std::string& { return p.person_id; }));
    std::stable_sort(
        out.devices.begin(), out.devices.end(),
        by([](const inventory::Device& d) -> const std::string& { return d.device_id; }));
    return out;
  }();
  return h;
}

void BM_BurndownSweep(benchmark::State& state) {
  const History& h = history();
  const auto days = static_cast<std::int32_t>(state.range(0));
  for (auto _ : state) {
    auto b = campaign::computeBurndown(h, start(), start().addDays(days - 1));
    benchmark::DoNotOptimize(b);
  }
  state.counters["version_rows"] = static_cast<double>(h.people.size() + h.devices.size());
}
BENCHMARK(BM_BurndownSweep)->Arg(kDays)->Arg(365)->Unit(benchmark::kMillisecond);

// The peer: one full evaluation (with reason sentences and waivers) per day.
void BM_SnapshotPerDay(benchmark::State& state) {
  const History& h = history();
  const auto days = static_cast<std::int32_t>(state.range(0));
  for (auto _ : state) {
    std::size_t violating = 0;
    for (std::int32_t k = 0; k < days; ++k) {
      auto snap = campaign::snapshotOn(h, start().addDays(k));
      if (snap) violating += snap->evaluation.verdicts.size();
    }
    benchmark::DoNotOptimize(violating);
  }
}
BENCHMARK(BM_SnapshotPerDay)->Arg(kDays)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
