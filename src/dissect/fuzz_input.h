// The byte layout fuzz harnesses and their seed corpora use to describe one decoded packet,
// so a fuzzer can vary transport, ports and TCP fields as well as the payload:
//
//   byte 0      bit 0: transport (0 UDP, 1 TCP); bit 1: has_mac; bit 2: IPv6 addresses
//   bytes 1-2   source port (big-endian)
//   bytes 3-4   destination port
//   byte 5      TCP flags
//   byte 6      n, the TCP options length (clamped to 40 and to what remains)
//   n bytes     TCP options
//   the rest    transport payload
// Shorter inputs become a UDP packet with ports 0 whose payload is the whole input.
// The packet's spans point into `input`, which must outlive it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/anomaly_counters.h"
#include "decode/packet.h"
#include "dissect/observation.h"

namespace phaseout::dissect {

inline constexpr std::size_t kFuzzHeaderBytes = 7;
inline constexpr std::size_t kFuzzMaxTcpOptionBytes = 40;  // RFC 9293 §3.1: data offset <= 15

decode::DecodedPacket packetFromFuzzInput(std::span<const std::uint8_t> input);

// The inverse, for building seeds and tests: the layout above for `packet`.
std::vector<std::uint8_t> fuzzInputFromPacket(const decode::DecodedPacket& packet);

// A sink for harnesses: renders every observation as a JSON line and a text line and traps
// (a crash the fuzzer reports) when a JSON line is not valid UTF-8, holds a raw control
// character, or does not end in exactly one '\n' — the properties appendJsonLine promises.
class CheckingSink final : public ObservationSink {
 public:
  void onObservation(const Observation& observation) override;
  std::size_t count() const { return count_; }

 private:
  std::string json_;
  std::string text_;
  std::size_t count_ = 0;
};

}  // namespace phaseout::dissect
