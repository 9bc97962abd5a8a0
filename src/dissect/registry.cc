#include "dissect/registry.h"

#include <bit>

#include "dissect/dhcp/dhcp_dissector.h"
#include "dissect/dhcpv6/dhcpv6_dissector.h"
#include "dissect/dns/dns_dissector.h"
#include "dissect/http/http_dissector.h"
#include "dissect/quic/quic_dissector.h"
#include "dissect/tcp_syn/tcp_syn_dissector.h"
#include "dissect/tls/tls_dissector.h"

namespace phaseout::dissect {

const Registry& Registry::builtin() {
  static const Registry* const registry = [] {
    auto* r = new Registry();
    // One line per protocol.
    r->add(std::make_unique<DhcpDissector>());
    r->add(std::make_unique<Dhcpv6Dissector>());
    r->add(std::make_unique<DnsDissector>());
    r->add(std::make_unique<HttpDissector>());
    r->add(std::make_unique<TlsDissector>());
    r->add(std::make_unique<TcpSynDissector>());
    r->add(std::make_unique<QuicDissector>());
    return r;
  }();
  return *registry;
}

bool Registry::add(std::unique_ptr<Dissector> dissector) {
  if (dissector == nullptr) return false;
  // Check capacity first so a failed add leaves the tables untouched.
  std::size_t new_udp = 0;
  std::size_t new_tcp = 0;
  for (const Interest& interest : dissector->interests()) {
    if (interest.transport == decode::Transport::kUdp) {
      ++new_udp;
    } else if (interest.transport == decode::Transport::kTcp) {
      ++new_tcp;
    } else {
      return false;
    }
  }
  if (udp_->routes.size() + new_udp > kMaxInterestsPerTransport ||
      tcp_->routes.size() + new_tcp > kMaxInterestsPerTransport) {
    return false;
  }

  for (const Interest& interest : dissector->interests()) {
    Table& table = interest.transport == decode::Transport::kUdp ? *udp_ : *tcp_;
    const Mask bit = static_cast<Mask>(1u << table.routes.size());
    table.routes.push_back(Route{dissector.get(), interest.min_payload_bytes});
    if (interest.ports.empty()) {
      table.any_port |= bit;
    } else {
      for (std::uint16_t port : interest.ports) table.by_port[port] |= bit;
    }
    if (interest.first_bytes.empty()) {
      for (Mask& m : table.by_first_byte) m |= bit;
    } else {
      for (char c : interest.first_bytes) table.by_first_byte[static_cast<std::uint8_t>(c)] |= bit;
      // An empty payload has no first byte, so it cannot satisfy the condition.
    }
    for (std::size_t flags = 0; flags < table.by_tcp_flags.size(); ++flags) {
      if ((flags & interest.tcp_flags_mask) == interest.tcp_flags_value) {
        table.by_tcp_flags[flags] |= bit;
      }
    }
  }
  dissectors_.push_back(std::move(dissector));
  return true;
}

const Dissector* Registry::find(std::string_view name) const {
  for (const auto& dissector : dissectors_) {
    if (dissector->name() == name) return dissector.get();
  }
  return nullptr;
}

const Registry::Table* Registry::tableFor(decode::Transport transport) const {
  switch (transport) {
    case decode::Transport::kUdp:
      return udp_.get();
    case decode::Transport::kTcp:
      return tcp_.get();
    case decode::Transport::kNone:
      break;
  }
  return nullptr;
}

void Registry::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                       AnomalyCounters& anomalies) const {
  const Table* table = tableFor(packet.transport);
  if (table == nullptr) return;
  const auto& payload = packet.payload;
  Mask candidates =
      table->by_port[packet.src_port] | table->by_port[packet.dst_port] | table->any_port;
  candidates &= table->by_first_byte[payload.empty() ? 256 : payload[0]];
  // UDP tables accept every flags value, and UDP packets carry tcp_flags == 0.
  candidates &= table->by_tcp_flags[packet.tcp_flags];
  if (candidates == 0) return;

  // Two interests of one dissector may both match (e.g. DNS on ports 53 and 5353 of one
  // packet); the dissector still sees the packet once.
  const Dissector* called[kMaxInterestsPerTransport];
  std::size_t n_called = 0;
  while (candidates != 0) {
    const int index = std::countr_zero(static_cast<unsigned>(candidates));
    candidates = static_cast<Mask>(candidates & (candidates - 1));
    const Route& route = table->routes[static_cast<std::size_t>(index)];
    if (payload.size() < route.min_payload_bytes) continue;
    bool seen = false;
    for (std::size_t i = 0; i < n_called; ++i) seen = seen || called[i] == route.dissector;
    if (seen) continue;
    called[n_called++] = route.dissector;
    route.dissector->dissect(packet, sink, anomalies);
  }
}

}  // namespace phaseout::dissect
