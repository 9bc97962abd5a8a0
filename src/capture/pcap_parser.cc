#include "capture/pcap_parser.h"

#include <string>

#include "core/byte_reader.h"

namespace phaseout::capture {
namespace {

// draft-ietf-opsawg-pcap section 4 (File Header) and the libpcap "modified" format.
constexpr std::uint32_t kMagicMicroseconds = 0xA1B2C3D4;
constexpr std::uint32_t kMagicNanoseconds = 0xA1B23C4D;
constexpr std::uint32_t kMagicModified = 0xA1B2CD34;
// Section 4: the LinkType is the low 16 bits; the high bits carry FCS information.
constexpr std::uint32_t kLinkTypeMask = 0xFFFF;
// Section 5 (Packet Record): timestamp seconds, fraction, captured length, original length.
constexpr std::size_t kRecordHeaderBytes = 16;
// The modified format appends interface index (4), protocol (2), packet type (1), padding (1).
constexpr std::size_t kModifiedRecordHeaderBytes = 24;

std::uint32_t readU32(ByteReader& r, bool big_endian) { return big_endian ? r.u32be() : r.u32le(); }
std::uint16_t readU16(ByteReader& r, bool big_endian) { return big_endian ? r.u16be() : r.u16le(); }

// Which magic, in which order, or false.
bool classify(std::span<const std::uint8_t> bytes, std::uint32_t& magic, bool& big_endian) {
  ByteReader r(bytes);
  ByteReader r2 = r;
  const std::uint32_t le = r.u32le();
  const std::uint32_t be = r2.u32be();
  if (!r.ok()) return false;
  for (const std::uint32_t m : {kMagicMicroseconds, kMagicNanoseconds, kMagicModified}) {
    if (le == m) {
      magic = m;
      big_endian = false;
      return true;
    }
    if (be == m) {
      magic = m;
      big_endian = true;
      return true;
    }
  }
  return false;
}

}  // namespace

bool PcapParser::recognises(std::span<const std::uint8_t> bytes) {
  std::uint32_t magic = 0;
  bool big_endian = false;
  return classify(bytes, magic, big_endian);
}

Result<PcapParser> PcapParser::create(std::span<const std::uint8_t> bytes) {
  std::uint32_t magic = 0;
  bool big_endian = false;
  if (!classify(bytes, magic, big_endian)) {
    return invalidArgument("not a pcap file (unknown magic number)");
  }
  if (bytes.size() < kFileHeaderBytes) {
    return invalidArgument("pcap file header is cut short (" + std::to_string(bytes.size()) +
                           " of 24 bytes)");
  }
  ByteReader r(bytes.subspan(4));
  readU16(r, big_endian);  // version major
  readU16(r, big_endian);  // version minor
  r.skip(8);               // thiszone, sigfigs: always 0 in practice and ignored by readers
  readU32(r, big_endian);  // snaplen
  const std::uint32_t link = readU32(r, big_endian);

  PcapParser parser;
  parser.bytes_ = bytes;
  parser.offset_ = kFileHeaderBytes;
  parser.big_endian_ = big_endian;
  parser.nanosecond_ = magic == kMagicNanoseconds;
  parser.record_header_bytes_ =
      magic == kMagicModified ? kModifiedRecordHeaderBytes : kRecordHeaderBytes;
  parser.link_type_ = link & kLinkTypeMask;
  return parser;
}

bool PcapParser::next(Frame& frame, Diagnostics& diagnostics) {
  if (done_ || offset_ >= bytes_.size()) return false;
  const std::uint64_t remaining = bytes_.size() - offset_;
  const std::uint64_t number = frame_number_ + 1;
  if (remaining < record_header_bytes_) {
    diagnostics.warn(offset_, number, "pcap.truncated_record_header",
                     "record header cut short (" + std::to_string(remaining) + " of " +
                         std::to_string(record_header_bytes_) + " bytes); the file ends here");
    done_ = true;
    return false;
  }
  ByteReader r(bytes_.subspan(offset_, record_header_bytes_));
  const std::uint32_t ts_sec = readU32(r, big_endian_);
  const std::uint32_t ts_frac = readU32(r, big_endian_);
  const std::uint32_t captured = readU32(r, big_endian_);
  const std::uint32_t original = readU32(r, big_endian_);
  if (captured > kMaxCapturedBytes) {
    diagnostics.warn(offset_, number, "pcap.bad_record_length",
                     "record claims " + std::to_string(captured) +
                         " captured bytes (more than 262144): the file is corrupt from here");
    done_ = true;
    return false;
  }
  if (captured > remaining - record_header_bytes_) {
    diagnostics.warn(offset_, number, "pcap.truncated_record",
                     "record claims " + std::to_string(captured) + " captured bytes but only " +
                         std::to_string(remaining - record_header_bytes_) +
                         " remain; the file was cut short");
    done_ = true;
    return false;
  }
  if (original < captured) diagnostics.count("pcap.original_shorter_than_captured");
  const std::uint64_t frac_limit = nanosecond_ ? 1000000000u : 1000000u;
  if (ts_frac >= frac_limit) diagnostics.count("pcap.bad_timestamp_fraction");

  frame_number_ = number;
  frame.data = bytes_.subspan(offset_ + record_header_bytes_, captured);
  frame.wire_length = original < captured ? captured : original;
  // Unsigned arithmetic: a garbage timestamp wraps instead of overflowing.
  frame.ts_ns = static_cast<std::int64_t>(std::uint64_t{ts_sec} * 1000000000u +
                                          std::uint64_t{ts_frac} * (nanosecond_ ? 1u : 1000u));
  frame.link_type = link_type_;
  frame.number = number;
  frame.file_offset = offset_;
  offset_ += record_header_bytes_ + captured;
  return true;
}

}  // namespace phaseout::capture
