// Fuzzes the classic pcap reader with the whole packet path behind it: the input is a whole
// file; every frame it yields is decoded, dissected and formatted as observe would print it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "capture/pcap_parser.h"
#include "decode/decoder.h"
#include "dissect/registry.h"

namespace {

class FormattingSink : public phaseout::dissect::ObservationSink {
 public:
  void onObservation(const phaseout::dissect::Observation& observation) override {
    out_.clear();
    phaseout::dissect::appendJsonLine(observation, out_);
    phaseout::dissect::appendTextLine(observation, out_);
  }

 private:
  std::string out_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phaseout;
  auto parser = capture::PcapParser::create({data, size});
  if (!parser.isOk()) return 0;
  capture::Diagnostics diagnostics;
  capture::Frame frame;
  AnomalyCounters anomalies;
  FormattingSink sink;
  decode::DecodedPacket packet;
  while (parser->next(frame, diagnostics)) {
    if (decode::decodeFrame(frame, packet, anomalies)) {
      dissect::Registry::builtin().dissect(packet, sink, anomalies);
    }
  }
  return 0;
}
