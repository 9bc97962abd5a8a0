// Dissector: the interface every protocol folder under dissect/ implements, and Interest, the
// declaration the registry routes by (nDPI's selection bitmask, made declarative).
//
// A dissector is immutable after construction and safe to call from several threads at once.
// It reads the packet only through ByteReader, never throws, never asserts on input, and
// reports malformed input by bumping a named counter in AnomalyCounters ("dns.pointer_loop").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/anomaly_counters.h"
#include "decode/packet.h"
#include "dissect/observation.h"

namespace phaseout::dissect {

// Which packets a dissector wants. The registry turns interests into lookup tables, so a
// packet nobody wants costs a few table reads. All conditions must hold.
struct Interest {
  decode::Transport transport = decode::Transport::kUdp;
  // Source or destination port must be one of these; empty means any port.
  std::span<const std::uint16_t> ports;
  // The transport payload must be at least this long.
  std::size_t min_payload_bytes = 0;
  // When not empty, the payload's first byte must be one of these bytes.
  std::string_view first_bytes;
  // TCP only: (tcp_flags & tcp_flags_mask) == tcp_flags_value.
  std::uint8_t tcp_flags_mask = 0;
  std::uint8_t tcp_flags_value = 0;

  // Builders, so a dissector states its interest in one constexpr line:
  //   Interest::udp(kPorts).minPayload(236)
  static constexpr Interest udp(std::span<const std::uint16_t> ports = {}) {
    Interest i;
    i.transport = decode::Transport::kUdp;
    i.ports = ports;
    return i;
  }
  static constexpr Interest tcp(std::span<const std::uint16_t> ports = {}) {
    Interest i;
    i.transport = decode::Transport::kTcp;
    i.ports = ports;
    return i;
  }
  constexpr Interest minPayload(std::size_t bytes) const {
    Interest i = *this;
    i.min_payload_bytes = bytes;
    return i;
  }
  constexpr Interest firstBytes(std::string_view bytes) const {
    Interest i = *this;
    i.first_bytes = bytes;
    return i;
  }
  constexpr Interest tcpFlags(std::uint8_t mask, std::uint8_t value) const {
    Interest i = *this;
    i.tcp_flags_mask = mask;
    i.tcp_flags_value = value;
    return i;
  }
};

// What became of one packet, for tests and statistics; anomalies carry the detail.
enum class Outcome {
  kNotMine,    // on closer look not this protocol (e.g. a TCP segment starting with "GETX")
  kObserved,   // one or more observations emitted
  kTruncated,  // ended early; a partial observation may have been emitted
  kMalformed,  // violates the protocol; a partial observation may have been emitted
};

class Dissector {
 public:
  virtual ~Dissector() = default;
  // Short protocol name, as used in anomaly counter prefixes ("dhcp").
  virtual std::string_view name() const = 0;
  // What to route here; the spans must outlive the dissector (static data).
  virtual std::span<const Interest> interests() const = 0;
  virtual Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                          AnomalyCounters& anomalies) const = 0;
};

}  // namespace phaseout::dissect
