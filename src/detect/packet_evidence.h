// PacketEvidence: turns dissected observations into ledger evidence, attributing each one to
// the device that sent it.
//
//   dhcp     client messages (DISCOVER, REQUEST, DECLINE, RELEASE, INFORM), keyed by chaddr:
//            option 55 list, option 60, host name (12) and FQDN (81), client id (61) for
//            linking. Server OFFER/ACK bind yiaddr to chaddr (later IP-only evidence joins it).
//   dhcpv6   client messages: ORO list, DUID type, vendor class, FQDN; the DUID links MACs.
//   dns      queries: each name.
//   mdns     queries: the service types asked for. Responses and probes (what a device says
//            of itself): announced service types, instance names, host names (A/AAAA owners,
//            SRV targets, reverse PTR data), TXT key=value pairs and the hardware models they
//            carry (model=, rpMd=, am=).
//   http     User-Agent (classified by rules), Host as a destination, "<host><path>" as a
//            probe (query string dropped); the request as a service use (host, path, UA).
//   tls      SNI as a destination, JA4; the SNI as a service use (no User-Agent).
//   tcp_syn  "ttl<initial>:<options>:ws<scale>:win<window>:ecn<0|1>:df<0|1>".
// The device is the source MAC and IP of the packet (multicast source MACs are ignored).
// Every piece of evidence carries the frame number and the packet's time.
//
// Not thread-safe (it writes the ledger); cheap per observation: values are built in reused
// buffers and matched through the ledger's memo.
#pragma once

#include <cstdint>
#include <string>

#include "detect/ledger.h"
#include "dissect/observation.h"

namespace phaseout::detect {

class PacketEvidence : public dissect::ObservationSink {
 public:
  explicit PacketEvidence(Ledger& ledger) : ledger_(ledger) {}
  // Evidence from now on is attributed to this source (Ledger::addSource).
  void setSource(std::uint32_t source) { source_ = source; }
  void onObservation(const dissect::Observation& observation) override;

 private:
  void onDhcp(const dissect::Observation& o, const Where& where);
  void onDhcpv6(const dissect::Observation& o, const DeviceKey& key, const Where& where);
  void onMdns(const dissect::Observation& o, const DeviceKey& key, const Where& where);

  Ledger& ledger_;
  std::uint32_t source_ = 0;
  std::string buffer_;
};

// The DNS-SD service type a name announces or asks for (RFC 6763 §7), the same reading for a
// capture and a log: "_companion-link._tcp.local" (also "<x>._sub._apple-mobdev2._tcp.local.")
// -> "_companion-link._tcp" / "_apple-mobdev2._tcp"; "" when the name is not one. Case-blind.
std::string_view dnsSdServiceType(std::string_view name);

}  // namespace phaseout::detect
