// The dissector registry: routes each decoded packet to the dissectors that declared interest
// in it (transport, ports, minimum payload, first payload byte, TCP flags) and collects their
// observations.
//
// Adding a protocol is one folder under dissect/ plus one registration line in registry.cc.
// Dissectors never throw and never read out of bounds; malformed input is counted in the
// AnomalyCounters passed in. Registry::builtin() is immutable and safe to share across threads.
//
// Routing cost: per packet one port-table read for each port, one first-byte table read and,
// for TCP, one flags table read, ANDed into a bitmask; only set bits call a dissector. Typical
// TCP data (no dissector wants it) is rejected there.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/anomaly_counters.h"
#include "decode/packet.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"

namespace phaseout::dissect {

class Registry {
 public:
  // At most this many interests per transport (the width of the routing bitmask).
  static constexpr std::size_t kMaxInterestsPerTransport = 16;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // All dissectors of phaseout, registered once.
  static const Registry& builtin();

  // Registers a dissector and all its interests. Returns false (and registers nothing) when a
  // transport would exceed kMaxInterestsPerTransport or an interest names no UDP/TCP.
  bool add(std::unique_ptr<Dissector> dissector);

  // Runs every interested dissector over `packet`; emits zero or more observations to `sink`.
  void dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
               AnomalyCounters& anomalies) const;

  std::size_t size() const { return dissectors_.size(); }

  // The registered dissector called `name` (Dissector::name()), or nullptr. Used by the
  // per-dissector fuzz harness, which is generated for every folder of dissect/.
  const Dissector* find(std::string_view name) const;

 private:
  using Mask = std::uint16_t;
  struct Route {
    const Dissector* dissector = nullptr;
    std::size_t min_payload_bytes = 0;
  };
  struct Table {
    std::array<Mask, 65536> by_port{};
    Mask any_port = 0;
    std::array<Mask, 257> by_first_byte{};  // [256] is the empty payload
    std::array<Mask, 256> by_tcp_flags{};
    std::vector<Route> routes;
  };

  const Table* tableFor(decode::Transport transport) const;

  std::vector<std::unique_ptr<Dissector>> dissectors_;
  std::unique_ptr<Table> udp_ = std::make_unique<Table>();
  std::unique_ptr<Table> tcp_ = std::make_unique<Table>();
};

}  // namespace phaseout::dissect
