// TLS ClientHello (RFC 8446 §4.1.2 and RFC 5246 §7.4.1.2; record layer RFC 8446 §5.1; SNI
// RFC 6066 §3; ALPN RFC 7301 §3.1; supported_versions RFC 8446 §4.2.1) at the start of a TCP
// segment on any port: one observation per ClientHello, with its JA4 fingerprint (ja4.h).
// The hello itself is read by parseClientHello (client_hello.h), which QUIC shares.
//
// Routing: the segment must start with a handshake record (0x16 0x03) whose first handshake
// message is a ClientHello (type 1); anything else is kNotMine. A ClientHello split over
// several records of the segment is joined; one cut by the segment end (no TCP reassembly
// here) still yields the SNI/ALPN read so far but no ja4 and no version, which need the whole
// hello.
//
// Anomalies: tls.truncated_client_hello (the hello continues beyond the segment),
// tls.malformed_client_hello (a length field disagrees with its container; parsing stops and
// the fields read before are kept, no ja4).
#pragma once

#include "dissect/dissector.h"

namespace phaseout::dissect {

class TlsDissector final : public Dissector {
 public:
  std::string_view name() const override { return "tls"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

// "1.3", "1.2", "1.1", "1.0", "ssl3", or "0x" and four hex digits for anything else.
std::string tlsVersionName(std::uint16_t version);

}  // namespace phaseout::dissect
