// DHCPv6 (RFC 8415 §8 client/server messages, §9 relay messages, §11 DUIDs, §21 options;
// client FQDN RFC 4704 §4) on UDP ports 546/547: one observation per message. A relay message
// is unwrapped through its Relay Message options to the innermost client/server message,
// whose fields are reported (addresses stay those of the packet).
//
// Partial results: options are read in order until one overruns its container; what was read
// before is kept ("dhcpv6.option_overrun"). The first copy of a repeated option wins.
//
// Anomalies: dhcpv6.truncated (shorter than a message header; nothing emitted),
// dhcpv6.option_overrun, dhcpv6.bad_option_length (an option too short for its fixed part, or
// an ORO of odd length; that option is ignored), dhcpv6.relay_too_deep (more than
// kMaxRelayDepth nested relays; nothing emitted), dhcpv6.missing_relay_message (a relay
// message without option 9; nothing emitted).
#pragma once

#include "dissect/dissector.h"

namespace phaseout::dissect {

class Dhcpv6Dissector final : public Dissector {
 public:
  // RFC 8415 §7.6 HOP_COUNT_LIMIT is 8 relays; one more level is the client's message.
  static constexpr int kMaxRelayDepth = 8;

  std::string_view name() const override { return "dhcpv6"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

}  // namespace phaseout::dissect
