#include "dissect/dns/dns_name.h"

#include <array>

#include "dissect/text.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint8_t kLabelTypeMask = 0xC0;
constexpr std::uint8_t kLabelTypePointer = 0xC0;  // RFC 1035 §4.1.4
constexpr std::uint8_t kLabelTypeNormal = 0x00;
constexpr std::size_t kMaxNameOctets = 255;  // RFC 1035 §3.1
// A name of at most 255 octets has at most 127 labels, so a legitimate chain of pointers is
// never longer; this bounds the loop check's memory.
constexpr std::size_t kMaxPointers = 127;

}  // namespace

std::string_view anomalyName(DnsNameStatus status) {
  switch (status) {
    case DnsNameStatus::kOk:
      return "dns.ok";
    case DnsNameStatus::kTruncated:
      return "dns.truncated";
    case DnsNameStatus::kPointerOutOfBounds:
      return "dns.pointer_out_of_bounds";
    case DnsNameStatus::kPointerLoop:
      return "dns.pointer_loop";
    case DnsNameStatus::kBadLabelType:
      return "dns.bad_label_type";
    case DnsNameStatus::kTooLong:
      return "dns.name_too_long";
  }
  return "dns.unknown";
}

DnsNameStatus readDnsName(ByteReader& reader, std::string& out) {
  out.clear();
  const std::span<const std::uint8_t> message = reader.data();
  // `cursor` walks the labels; `reader` stays at the name's end in the original data once
  // the first pointer has been taken.
  ByteReader cursor = reader;
  bool jumped = false;
  std::array<std::uint16_t, kMaxPointers> targets{};
  std::size_t n_targets = 0;
  std::size_t octets = 1;  // the root label's length byte

  auto fail = [&](DnsNameStatus status) {
    out.clear();
    // Before the first pointer the name's end in the data is unknown: fail the caller's
    // reader too. After it, the caller can go on with what follows the pointer.
    if (!jumped) reader.skip(reader.remaining() + 1);
    return status;
  };

  while (true) {
    const std::uint8_t len = cursor.u8();
    if (!cursor.ok()) return fail(DnsNameStatus::kTruncated);
    const std::uint8_t label_type = len & kLabelTypeMask;
    if (label_type == kLabelTypePointer) {
      const std::uint8_t low = cursor.u8();
      if (!cursor.ok()) return fail(DnsNameStatus::kTruncated);
      if (!jumped) {
        reader = cursor;  // the name ends right after its first pointer
        jumped = true;
      }
      const std::uint16_t target = static_cast<std::uint16_t>(((len & 0x3F) << 8) | low);
      if (target >= message.size()) return fail(DnsNameStatus::kPointerOutOfBounds);
      for (std::size_t i = 0; i < n_targets; ++i) {
        if (targets[i] == target) return fail(DnsNameStatus::kPointerLoop);
      }
      if (n_targets == targets.size()) return fail(DnsNameStatus::kPointerLoop);
      targets[n_targets++] = target;
      cursor.seek(target);
      continue;
    }
    if (label_type != kLabelTypeNormal) return fail(DnsNameStatus::kBadLabelType);
    if (len == 0) break;
    octets += 1u + len;
    if (octets > kMaxNameOctets) return fail(DnsNameStatus::kTooLong);
    const auto label = cursor.bytes(len);
    if (!cursor.ok()) return fail(DnsNameStatus::kTruncated);
    if (!out.empty()) out.push_back('.');
    appendDisplayText(label, out);
  }
  if (!jumped) reader = cursor;
  if (out.empty()) out = "<Root>";
  return DnsNameStatus::kOk;
}

}  // namespace phaseout::dissect
