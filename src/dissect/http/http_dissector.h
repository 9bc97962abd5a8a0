// HTTP/1.x request heads (RFC 9112 §3 request line, §5 field lines) at the start of a TCP
// segment on any port, and SSDP requests (the same syntax over UDP 1900, UPnP Device
// Architecture 2.0 §1.3): one observation per request head.
//
// Only a segment that begins with a known method token and a space is considered (RFC 9110
// §9 methods, PATCH, WebDAV, SSDP/GENA); anything else is kNotMine without an anomaly. No
// reassembly: header lines beyond the segment are not seen, and a last line cut by the
// segment end is read as far as it goes (tshark does the same with TCP desegmentation off).
// Lines end at CR, LF or CRLF. Values: leading blanks dropped, trailing kept, read as ASCII up
// to the first NUL (dissect/text.h), the first of repeated Host/User-Agent fields wins.
//
// Anomalies: http.duplicate_host (more than one Host field; request smuggling smell),
// http.bad_request_line (a method token followed by an empty or control-character target).
#pragma once

#include "dissect/dissector.h"

namespace phaseout::dissect {

class HttpDissector final : public Dissector {
 public:
  std::string_view name() const override { return "http"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

}  // namespace phaseout::dissect
