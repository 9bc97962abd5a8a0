// Inner-loop cost of platform::Normalizer, the per-row step of a device import.
//
// The import of 1,000,000 devices must stay within 1.5x of sqlite3's .import of the same file;
// normalize() runs once per row, so its cost per row is what this measures: a mix of typical
// export rows, rows that say nothing, and OS strings alone (the User-Agent path).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "platform/normalizer.h"

namespace {

using phaseout::platform::Normalizer;
using phaseout::platform::RawDeviceFields;

const std::vector<RawDeviceFields>& typicalRows() {
  static const std::vector<RawDeviceFields> rows = {
      {"Apple", "iPhone14,2", "", "iOS 16.4.1", ""},
      {"Apple Inc.", "iPhone 13 Pro", "iOS", "16.4.1", "phone"},
      {"HUAWEI", "NOH-AN00", "", "HarmonyOS 4.0", ""},
      {"samsung", "SM-S918B", "Android", "14", "Smartphone"},
      {"Google", "Pixel 7 Pro", "", "Android 14", ""},
      {"Xiaomi", "Redmi Note 12", "", "Android 13", ""},
      {"Dell Inc.", "Latitude 7420", "", "Windows 10 Enterprise", "laptop"},
      {"", "iPad13,4", "", "iPadOS 17.1", ""},
      {"OMP", "", "", "Aurora 4.0.2", ""},
      {"Huawei", "P40 Pro", "", "EMUI 12", ""},
  };
  return rows;
}

void BM_NormalizeTypicalRows(benchmark::State& state) {
  const Normalizer& n = Normalizer::builtin();
  const auto& rows = typicalRows();
  std::size_t i = 0;
  for (auto _ : state) {
    auto d = n.normalize(rows[i++ % rows.size()]);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeTypicalRows);

void BM_NormalizeUnknownRows(benchmark::State& state) {
  const Normalizer& n = Normalizer::builtin();
  const std::string long_text(4096, 'x');
  const std::vector<RawDeviceFields> rows = {
      {"Unknown", "X200", "", "", ""},
      {"", "", "", "", ""},
      {long_text, long_text, long_text, long_text, long_text},
  };
  std::size_t i = 0;
  for (auto _ : state) {
    auto d = n.normalize(rows[i++ % rows.size()]);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeUnknownRows);

void BM_ParseOsString(benchmark::State& state) {
  const std::vector<std::string> oses = {"iPhone OS 16_4_1", "Android 13; SM-S918B",
                                         "Windows NT 10.0; Win64; x64", "HarmonyOS NEXT 5.0",
                                         "Mac OS X 10_15_7"};
  std::size_t i = 0;
  for (auto _ : state) {
    auto info = phaseout::platform::parseOsString(oses[i++ % oses.size()]);
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseOsString);

}  // namespace

BENCHMARK_MAIN();
