#include "dissect/quic/gquic_message.h"

#include <string_view>

#include "core/byte_reader.h"
#include "dissect/text.h"

namespace phaseout::dissect::quic {
namespace {

constexpr std::string_view kTagChlo = "CHLO";
constexpr std::string_view kTagSni = std::string_view("SNI\0", 4);
constexpr std::string_view kTagUaid = "UAID";
constexpr std::size_t kEntryBytes = 8;

}  // namespace

ChloResult parseChlo(std::span<const std::uint8_t> message, QuicFields& quic) {
  ByteReader r(message);
  if (r.chars(4) != kTagChlo) return ChloResult::kNotChlo;
  const std::uint16_t entries = r.u16le();
  r.skip(2);
  if (!r.ok()) return ChloResult::kTruncated;
  // Values start after the whole entry table; a table longer than the message is cut.
  const std::size_t table_bytes = std::size_t{entries} * kEntryBytes;
  const std::size_t values_start = r.offset() + table_bytes;
  ChloResult result = ChloResult::kComplete;
  std::uint32_t previous_end = 0;
  for (std::uint16_t i = 0; i < entries; ++i) {
    const std::string_view tag = r.chars(4);
    const std::uint32_t end = r.u32le();
    if (!r.ok()) return ChloResult::kTruncated;
    if (end < previous_end) return ChloResult::kMalformed;
    const std::size_t value_offset = values_start + previous_end;
    const std::size_t value_bytes = end - previous_end;
    previous_end = end;
    if (tag != kTagSni && tag != kTagUaid) continue;
    if (value_offset > message.size() || message.size() - value_offset < value_bytes) {
      result = ChloResult::kTruncated;
      continue;
    }
    const auto value = message.subspan(value_offset, value_bytes);
    (tag == kTagSni ? quic.sni : quic.user_agent) = asciiText(value);
  }
  if (values_start + previous_end > message.size()) result = ChloResult::kTruncated;
  return result;
}

}  // namespace phaseout::dissect::quic
