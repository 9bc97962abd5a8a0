// TCP SYN segments without ACK (RFC 9293 §3.1 header and options; window scale and
// timestamps RFC 7323 §2-3; SACK-permitted RFC 2018 §2; ECN setup RFC 3168 §6.1.1): one
// observation per connection attempt, carrying what passive OS fingerprinting uses.
//
// Options are listed by name in wire order, comma separated: eol, nop, mss, ws, sack
// (SACK-permitted, kind 4), sackblocks (5), ts (8), md5 (19, RFC 2385), uto (28, RFC 5482),
// ao (29, RFC 5925), mptcp (30, RFC 8684), tfo (34, RFC 7413), otherwise "opt<kind>". Listing
// stops at eol (what follows is padding).
//
// Anomalies: tcp_syn.bad_option (an option length < 2 or past the options area; listing stops
// there, the observation keeps what was read), tcp_syn.bad_option_length (MSS or window scale
// of the wrong size; its value is not used).
#pragma once

#include "dissect/dissector.h"

namespace phaseout::dissect {

class TcpSynDissector final : public Dissector {
 public:
  std::string_view name() const override { return "tcp_syn"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

}  // namespace phaseout::dissect
