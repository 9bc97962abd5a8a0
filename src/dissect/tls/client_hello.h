// The TLS ClientHello handshake message (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2; SNI RFC 6066 §3;
// ALPN RFC 7301 §3.1; supported_versions RFC 8446 §4.2.1), independent of what carried it:
// the TLS record layer over TCP (tls_dissector.h) or QUIC CRYPTO frames (RFC 9001 §4.1.3).
//
// parseClientHello reads one handshake message -- msg_type (1), a 24-bit length and the body --
// into TlsFields. The SNI and ALPN read before a cut or a malformed field are kept; the version
// and the JA4 fingerprint (ja4.h) are set only when the whole hello was read, because they
// need all of it. Pure function: never throws, reads only the bytes given.
#pragma once

#include <cstdint>
#include <span>

#include "dissect/observation.h"

namespace phaseout::dissect {

enum class ClientHelloResult {
  kComplete,   // the whole hello was read; version and ja4 are set
  kTruncated,  // the bytes end before the hello does
  kMalformed,  // a length field disagrees with its container; parsing stopped there
};

// `message` starts at the handshake header (msg_type, uint24 length); its msg_type is not
// checked (callers route on it). `ja4_protocol` is JA4's first character: 't' for TLS over
// TCP, 'q' for QUIC.
ClientHelloResult parseClientHello(std::span<const std::uint8_t> message, char ja4_protocol,
                                   TlsFields& tls);

}  // namespace phaseout::dissect
