// QUIC client hellos on UDP ports 80, 443, 853 and 8443: one observation per client Initial
// that starts a handshake, with the server name, ALPN, JA4 ('q') and, for Google QUIC, the
// User-Agent.
//
//   - IETF QUIC v1 (RFC 9000 §17.2.2), v2 (RFC 9369) and drafts 22-34: the client's Initial
//     packets are opened with keys derived from their Destination Connection ID (RFC 9001 §5,
//     initial_protection.h); the CRYPTO frames (RFC 9000 §19.6) of the Initial packets of one
//     datagram, in any order, are joined by offset and the TLS ClientHello read from offset 0
//     (tls/client_hello.h).
//   - Google QUIC Q050: the same Initial protection with Google's salt; the CHLO message
//     (gquic_message.h) sits in a gQUIC CRYPTO frame (type 0x08).
//   - Google QUIC Q044-Q046 (long header) and Q043 and earlier (public header): plaintext; the
//     CHLO is the data of a STREAM frame on stream 1 after the 12-byte message hash.
//
// Routing: the first byte must be that of a long-header Initial (0xc0-0xdf) or of a gQUIC
// public header with the version flag. Packets from a server port to a client port are the
// server's (its Initials are protected with the server's keys) and are not looked at.
//
// An Initial that does not open with the keys of its own Destination Connection ID is taken
// for a later Initial of a connection (the client has switched to the server's connection ID,
// RFC 9000 §7.2, and keeps the first keys) and left alone: kNotMine, no anomaly; a damaged
// Initial looks the same.
//
// Not done: a ClientHello longer than one datagram (post-quantum key shares make recent
// Chrome's two datagrams long) is not reassembled across datagrams; the fields read from the
// first part are kept (the SNI comes early), without ja4 (it needs the whole hello), and the
// split is counted.
//
// Anomalies: quic.truncated_packet (the datagram ends before the packet does),
// quic.malformed_header (a connection ID longer than 20 bytes), quic.unsupported_version,
// quic.unexpected_frame (a frame type not allowed in a client Initial), quic.malformed_frame
// (a frame cut by the packet end), quic.client_hello_split (the ClientHello continues beyond
// this datagram), quic.client_hello_not_at_start (CRYPTO data without offset 0: the later
// part of a split hello), quic.malformed_client_hello, quic.truncated_chlo, quic.malformed_chlo.
#pragma once

#include <cstdint>
#include <string>

#include "dissect/dissector.h"

namespace phaseout::dissect {

class QuicDissector final : public Dissector {
 public:
  std::string_view name() const override { return "quic"; }
  std::span<const Interest> interests() const override;
  Outcome dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                  AnomalyCounters& anomalies) const override;
};

// The version as tshark 4.0 names it: "1", "2", "draft-29", and "Q046" / "Q050" for Google
// QUIC (the four ASCII bytes of the version); "0x" and eight hex digits otherwise.
std::string quicVersionName(std::uint32_t version);

}  // namespace phaseout::dissect
