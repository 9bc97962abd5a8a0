// DNS (RFC 1035 §4.1) on UDP and TCP port 53 (TCP with the two-byte length prefix of RFC 1035
// §4.2.2, only when the segment starts a complete message), mDNS (RFC 6762) on UDP 5353 and
// LLMNR (RFC 4795, DNS syntax) on UDP 5355: one observation per message, type "mdns" when
// either port is 5353, else "dns".
//
// Partial results: once the 12-byte header is read an observation is always emitted; parsing
// stops at the first malformed question or record, keeping what came before (tshark likewise
// shows the queries before an exception). A record whose name is broken behind a compression
// pointer is skipped and parsing goes on, because its end is still known.
//
// Anomalies: dns.truncated, dns.pointer_out_of_bounds, dns.pointer_loop, dns.bad_label_type,
// dns.name_too_long (see dns_name.h), dns.bad_rdata (RDATA that does not fit its type),
// dns.too_many_records (more than kMaxRecords questions+records; the rest is not read).
#pragma once

#include "dissect/dissector.h"

namespace phaseout::dissect {

class DnsDissector final : public Dissector {
 public:
  // Upper bound on questions plus records kept from one message.
  static constexpr std::size_t kMaxRecords = 512;

  std::string_view name() const override { return "dns"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

}  // namespace phaseout::dissect
