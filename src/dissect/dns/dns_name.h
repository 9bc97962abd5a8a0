// Reading DNS domain names (RFC 1035 §3.1 labels, §4.1.4 message compression) safely.
//
// A name is followed through compression pointers anywhere in the message (forward pointers
// are tolerated, as resolvers and Wireshark do), with hard limits so no input can hang or
// blow up: a pointer target seen twice in one name is a loop, the uncompressed name may not
// exceed 255 octets (§3.1), labels may not exceed 63 octets (the 0x40/0x80 length prefixes are
// the obsolete extended label types of RFC 6891 §5 and are rejected).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/byte_reader.h"

namespace phaseout::dissect {

enum class DnsNameStatus {
  kOk,
  kTruncated,           // the name runs past the end of the message
  kPointerOutOfBounds,  // a pointer targets an offset outside the message
  kPointerLoop,         // a pointer chain revisits a target
  kBadLabelType,        // a label length byte with top bits 01 or 10
  kTooLong,             // more than 255 octets uncompressed
};

// The anomaly counter for a failed read: "dns.truncated", "dns.pointer_out_of_bounds",
// "dns.pointer_loop", "dns.bad_label_type", "dns.name_too_long".
std::string_view anomalyName(DnsNameStatus status);

// Reads the name starting at `reader`'s offset; `reader` must cover the whole DNS message
// (pointers are offsets from its start). On return `reader` is just past the name as it sits
// in the data (after its first pointer, if any). That end is known even for some failures (a
// loop or a bad target behind a pointer), so the caller can go on with the next field; when
// the failure comes before any pointer the end is unknown and `reader` is failed.
//
// `out` receives the name in presentation form as tshark shows it: labels joined with '.',
// label bytes rendered by appendDisplayText (dissect/text.h), the root name as "<Root>".
// On failure `out` is left empty.
DnsNameStatus readDnsName(ByteReader& reader, std::string& out);

}  // namespace phaseout::dissect
