// Fuzz harness for the quic dissector: the input describes a decoded packet (layout in
// dissect/fuzz_input.h); the dissector runs on it directly, whatever its ports, and then
// through the registry, and every observation is rendered and checked by CheckingSink.
#include <cstddef>
#include <cstdint>

#include "core/anomaly_counters.h"
#include "dissect/fuzz_input.h"
#include "dissect/quic/quic_dissector.h"
#include "dissect/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const phaseout::dissect::QuicDissector dissector;
  const auto packet = phaseout::dissect::packetFromFuzzInput({data, size});
  phaseout::dissect::CheckingSink sink;
  phaseout::AnomalyCounters anomalies;
  dissector.dissect(packet, sink, anomalies);
  phaseout::dissect::Registry::builtin().dissect(packet, sink, anomalies);
  return 0;
}
