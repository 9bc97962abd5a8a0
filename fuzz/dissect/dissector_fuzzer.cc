// Fuzz harness for one dissector, built once per folder of src/dissect/ (fuzz/dissect/
// CMakeLists.txt passes the folder name as PH_FUZZ_DISSECTOR). The input describes a decoded
// packet (layout in dissect/fuzz_input.h); the dissector of that name in Registry::builtin()
// runs on it directly, whatever its ports, and then the packet goes through the registry, and
// every observation is rendered and checked by CheckingSink.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/anomaly_counters.h"
#include "dissect/fuzz_input.h"
#include "dissect/registry.h"

#ifndef PH_FUZZ_DISSECTOR
#error "PH_FUZZ_DISSECTOR names the dissector this harness drives"
#endif

namespace {

const phaseout::dissect::Dissector& dissectorUnderTest() {
  static const phaseout::dissect::Dissector* const dissector = [] {
    const auto* found = phaseout::dissect::Registry::builtin().find(PH_FUZZ_DISSECTOR);
    if (found == nullptr) {
      // A folder without a registered dissector: the harness would test nothing.
      std::fprintf(stderr, "no dissector named '%s' in the registry\n", PH_FUZZ_DISSECTOR);
      std::abort();
    }
    return found;
  }();
  return *dissector;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& dissector = dissectorUnderTest();
  const auto packet = phaseout::dissect::packetFromFuzzInput({data, size});
  phaseout::dissect::CheckingSink sink;
  phaseout::AnomalyCounters anomalies;
  dissector.dissect(packet, sink, anomalies);
  phaseout::dissect::Registry::builtin().dissect(packet, sink, anomalies);
  return 0;
}
