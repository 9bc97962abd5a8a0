// Google QUIC's crypto handshake message (the "QUIC Crypto" design document, "Handshake
// message format"), as carried on stream 1 (gQUIC up to Q046) or in CRYPTO frames (Q050):
//
//   tag (4 bytes, "CHLO"), number of entries (uint16 LE), padding (uint16),
//   entries: tag (4 bytes) and end offset of its value (uint32 LE), in increasing order,
//   values, concatenated.
//
// parseChlo reads the tags a device fingerprint needs -- SNI (server name), UAID (the client's
// User-Agent, e.g. "Chrome/74.0.3729.157 Android 8.0.0; BND-L21") -- as ASCII text the way
// tshark shows gquic.tag.sni and gquic.tag.uaid. Pure function; never reads past `message`.
#pragma once

#include <cstdint>
#include <span>

#include "dissect/observation.h"

namespace phaseout::dissect::quic {

enum class ChloResult {
  kNotChlo,    // does not start with the CHLO tag
  kComplete,   // every entry read
  kTruncated,  // the message ends inside the entries or values; the tags read before are kept
  kMalformed,  // end offsets go backwards; parsing stopped there
};

// Fills `quic.sni` and `quic.user_agent` from the SNI and UAID tags.
ChloResult parseChlo(std::span<const std::uint8_t> message, QuicFields& quic);

}  // namespace phaseout::dissect::quic
