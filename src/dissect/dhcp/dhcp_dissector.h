// DHCPv4 (RFC 2131 §2 message format, RFC 2132 options, RFC 3396-style overload per RFC 2132
// §9.3) on UDP ports 67/68: one observation per BOOTP/DHCP message.
//
// Partial results: options are read in order; at the first option that overruns the message
// the dissector stops, counts "dhcp.option_overrun" and still emits what it read before (as
// tshark shows the fields before its exception). A repeated option keeps its first value
// ("dhcp.duplicate_option"), except option 55 whose lists are concatenated (RFC 3396 §7).
//
// Anomalies: dhcp.truncated (shorter than the 236-byte BOOTP header; nothing emitted),
// dhcp.bad_magic_cookie (no options parsed), dhcp.option_overrun, dhcp.missing_end,
// dhcp.bad_option_length (fixed-size option of the wrong size; that option is ignored),
// dhcp.duplicate_option.
#pragma once

#include "dissect/dissector.h"

namespace phaseout::dissect {

class DhcpDissector final : public Dissector {
 public:
  std::string_view name() const override { return "dhcp"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

}  // namespace phaseout::dissect
