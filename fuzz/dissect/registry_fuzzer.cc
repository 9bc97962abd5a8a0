// Fuzz harness for the whole dissector registry: the input describes a decoded packet
// (layout in dissect/fuzz_input.h) and goes through Registry::builtin() as the observe
// pipeline sends it, so routing and every dissector are exercised; observations are rendered
// and checked by CheckingSink. Its corpus is the union of the per-dissector corpora.
#include <cstddef>
#include <cstdint>

#include "core/anomaly_counters.h"
#include "dissect/fuzz_input.h"
#include "dissect/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto packet = phaseout::dissect::packetFromFuzzInput({data, size});
  phaseout::dissect::CheckingSink sink;
  phaseout::AnomalyCounters anomalies;
  phaseout::dissect::Registry::builtin().dissect(packet, sink, anomalies);
  return 0;
}
