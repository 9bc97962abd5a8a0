#include "capture/pcapng_parser.h"

#include <string>

#include "core/byte_reader.h"

namespace phaseout::capture {
namespace {

// draft-ietf-opsawg-pcapng section 4 (block codes) and 4.1 (Section Header Block).
constexpr std::uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescriptionBlock = 0x00000001;
constexpr std::uint32_t kObsoletePacketBlock = 0x00000002;  // appendix A
constexpr std::uint32_t kSimplePacketBlock = 0x00000003;
constexpr std::uint32_t kEnhancedPacketBlock = 0x00000006;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kSupportedMajorVersion = 1;
// Block type + total length, and the trailing total length.
constexpr std::size_t kBlockFramingBytes = 12;
// Section 4.2 (IDB): option codes.
constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kOptIfTsresol = 9;
constexpr std::uint16_t kOptIfTsoffset = 14;
constexpr std::uint8_t kTsresolBinaryFlag = 0x80;
// Fixed parts of the packet blocks (sections 4.3, 4.4, appendix A).
constexpr std::size_t kEpbFixedBytes = 20;
constexpr std::size_t kSpbFixedBytes = 4;
constexpr std::size_t kOpbFixedBytes = 20;
constexpr std::uint32_t kMaxCapturedBytes = 262144;

std::uint32_t rawU32(std::span<const std::uint8_t> b, std::uint64_t at, bool big_endian) {
  ByteReader r(b.subspan(at, 4));
  return big_endian ? r.u32be() : r.u32le();
}

std::uint32_t readU32(ByteReader& r, bool big_endian) { return big_endian ? r.u32be() : r.u32le(); }
std::uint16_t readU16(ByteReader& r, bool big_endian) { return big_endian ? r.u16be() : r.u16le(); }

std::uint64_t pow10(unsigned n) {
  std::uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// Converts a timestamp in interface units to ns since the epoch. Unsigned arithmetic so that a
// garbage value wraps rather than overflows.
std::int64_t toNanoseconds(std::uint64_t ts, const PcapngParser::Interface& iface) {
  std::uint64_t ns = 0;
  if (iface.ts_binary) {
    const unsigned shift = iface.ts_exponent;
    const std::uint64_t whole = shift >= 64 ? 0 : ts >> shift;
    std::uint64_t frac = shift >= 64 ? ts : ts & ((std::uint64_t{1} << shift) - 1);
    unsigned frac_bits = shift;
    // Keep at most 32 fraction bits so frac * 1e9 fits in 64 bits (finer than 1 ns anyway).
    if (frac_bits > 32) {
      frac >>= frac_bits - 32;
      frac_bits = 32;
    }
    ns = whole * 1000000000u + ((frac * 1000000000u) >> frac_bits);
  } else if (iface.ts_exponent <= 9) {
    ns = ts * pow10(9u - iface.ts_exponent);
  } else {
    ns = ts / pow10(iface.ts_exponent - 9u);
  }
  ns += static_cast<std::uint64_t>(iface.ts_offset_s) * 1000000000u;
  return static_cast<std::int64_t>(ns);
}

}  // namespace

bool PcapngParser::recognises(std::span<const std::uint8_t> bytes) {
  // The SHB type is a palindrome, so either byte order reads the same.
  return bytes.size() >= 4 && rawU32(bytes, 0, false) == kSectionHeaderBlock;
}

Result<PcapngParser> PcapngParser::create(std::span<const std::uint8_t> bytes) {
  if (!recognises(bytes)) return invalidArgument("not a pcapng file (no Section Header Block)");
  if (bytes.size() < 28) {
    return invalidArgument("pcapng Section Header Block is cut short (" +
                           std::to_string(bytes.size()) + " bytes)");
  }
  const std::uint32_t magic_le = rawU32(bytes, 8, false);
  if (magic_le != kByteOrderMagic && rawU32(bytes, 8, true) != kByteOrderMagic) {
    return invalidArgument("pcapng Section Header Block has no valid byte-order magic");
  }
  PcapngParser parser;
  parser.bytes_ = bytes;
  return parser;
}

bool PcapngParser::next(Frame& frame, Diagnostics& diagnostics) {
  while (!done_ && offset_ < bytes_.size()) {
    if (readBlock(frame, diagnostics)) return true;
  }
  return false;
}

bool PcapngParser::startSection(std::uint64_t block_offset, Diagnostics& diagnostics) {
  // Section 4.1: the byte-order magic decides the endianness of the whole section.
  if (bytes_.size() - block_offset < 16) {
    diagnostics.warn(block_offset, frame_number_ + 1, "pcapng.truncated_block",
                     "Section Header Block cut short; the file ends here");
    return false;
  }
  if (rawU32(bytes_, block_offset + 8, false) == kByteOrderMagic) {
    big_endian_ = false;
  } else if (rawU32(bytes_, block_offset + 8, true) == kByteOrderMagic) {
    big_endian_ = true;
  } else {
    diagnostics.warn(block_offset, frame_number_ + 1, "pcapng.bad_byte_order_magic",
                     "Section Header Block has no valid byte-order magic: corrupt from here");
    return false;
  }
  ByteReader r(bytes_.subspan(block_offset + 12, 4));
  const std::uint16_t major = readU16(r, big_endian_);
  if (major != kSupportedMajorVersion) {
    diagnostics.warn(
        block_offset, frame_number_ + 1, "pcapng.unsupported_version",
        "section has version " + std::to_string(major) + ".x; only 1.x is defined: stopping");
    return false;
  }
  interfaces_.clear();
  return true;
}

bool PcapngParser::readBlock(Frame& frame, Diagnostics& diagnostics) {
  const std::uint64_t at = offset_;
  const std::uint64_t remaining = bytes_.size() - at;
  if (remaining < kBlockFramingBytes) {
    diagnostics.warn(at, frame_number_ + 1, "pcapng.truncated_block",
                     "block header cut short (" + std::to_string(remaining) +
                         " bytes remain); the file ends here");
    done_ = true;
    return false;
  }
  const std::uint32_t type = rawU32(bytes_, at, big_endian_);
  if (type == kSectionHeaderBlock && !startSection(at, diagnostics)) {
    done_ = true;
    return false;
  }
  const std::uint32_t length = rawU32(bytes_, at + 4, big_endian_);
  if (length < kBlockFramingBytes || length % 4 != 0) {
    diagnostics.warn(at, frame_number_ + 1, "pcapng.bad_block_length",
                     "block length " + std::to_string(length) +
                         " is not a multiple of 4 of at least 12: corrupt from here");
    done_ = true;
    return false;
  }
  if (length > remaining) {
    diagnostics.warn(at, frame_number_ + 1, "pcapng.truncated_block",
                     "block claims " + std::to_string(length) + " bytes but only " +
                         std::to_string(remaining) + " remain; the file was cut short");
    done_ = true;
    return false;
  }
  if (rawU32(bytes_, at + length - 4, big_endian_) != length) {
    diagnostics.warn(at, frame_number_ + 1, "pcapng.block_length_mismatch",
                     "block's trailing length differs from its leading length " +
                         std::to_string(length) + ": corrupt from here");
    done_ = true;
    return false;
  }
  offset_ = at + length;
  const auto body = bytes_.subspan(at + 8, length - kBlockFramingBytes);
  switch (type) {
    case kInterfaceDescriptionBlock:
      addInterface(body, at, diagnostics);
      return false;
    case kEnhancedPacketBlock:
    case kSimplePacketBlock:
    case kObsoletePacketBlock:
      return packetBlock(type, body, at, frame, diagnostics);
    default:
      // SHB (handled above), name resolution, statistics, decryption secrets, custom and
      // unknown blocks carry no packets.
      return false;
  }
}

void PcapngParser::addInterface(std::span<const std::uint8_t> body, std::uint64_t block_offset,
                                Diagnostics& diagnostics) {
  // Section 4.2: LinkType (2), Reserved (2), SnapLen (4), options.
  ByteReader r(body);
  Interface iface;
  iface.link_type = readU16(r, big_endian_);
  r.skip(2);
  iface.snap_length = readU32(r, big_endian_);
  if (!r.ok()) {
    diagnostics.warn(block_offset, frame_number_ + 1, "pcapng.bad_interface_block",
                     "Interface Description Block too short; its packets will be skipped");
    iface.link_type = 0xFFFFFFFF;  // unusable, but keeps interface numbering right
    interfaces_.push_back(iface);
    return;
  }
  while (r.has(4)) {
    const std::uint16_t code = readU16(r, big_endian_);
    const std::uint16_t length = readU16(r, big_endian_);
    if (code == kOptEndOfOpt) break;
    ByteReader value = r.sub(length);
    r.skip((4 - length % 4) % 4);
    if (!r.ok()) {
      diagnostics.count("pcapng.bad_option");
      break;
    }
    if (code == kOptIfTsresol && length >= 1) {
      const std::uint8_t v = value.u8();
      const bool binary = (v & kTsresolBinaryFlag) != 0;
      const std::uint8_t exponent = v & static_cast<std::uint8_t>(~kTsresolBinaryFlag);
      if ((binary && exponent < 64) || (!binary && exponent <= 19)) {
        iface.ts_binary = binary;
        iface.ts_exponent = exponent;
      } else {
        diagnostics.count("pcapng.bad_tsresol");
      }
    } else if (code == kOptIfTsoffset && length >= 8) {
      iface.ts_offset_s = static_cast<std::int64_t>(big_endian_ ? value.u64be() : value.u64le());
    }
  }
  interfaces_.push_back(iface);
}

bool PcapngParser::packetBlock(std::uint32_t type, std::span<const std::uint8_t> body,
                               std::uint64_t block_offset, Frame& frame, Diagnostics& diagnostics) {
  const std::uint64_t number = ++frame_number_;
  ByteReader r(body);
  std::uint32_t interface_id = 0;
  std::uint64_t ts = 0;
  bool has_ts = true;
  std::uint32_t captured = 0;
  std::uint32_t original = 0;
  std::size_t fixed = 0;
  if (type == kEnhancedPacketBlock) {
    // Section 4.3: Interface ID, Timestamp (high, low), Captured Length, Original Length.
    interface_id = readU32(r, big_endian_);
    const std::uint64_t hi = readU32(r, big_endian_);
    ts = (hi << 32) | readU32(r, big_endian_);
    captured = readU32(r, big_endian_);
    original = readU32(r, big_endian_);
    fixed = kEpbFixedBytes;
  } else if (type == kObsoletePacketBlock) {
    // Appendix A: Interface ID (2), Drops Count (2), Timestamp, Captured Len, Packet Len.
    interface_id = readU16(r, big_endian_);
    r.skip(2);
    const std::uint64_t hi = readU32(r, big_endian_);
    ts = (hi << 32) | readU32(r, big_endian_);
    captured = readU32(r, big_endian_);
    original = readU32(r, big_endian_);
    fixed = kOpbFixedBytes;
  } else {
    // Section 4.4: Original Packet Length only; the captured length is what fits the block,
    // capped by the interface's snap length.
    original = readU32(r, big_endian_);
    has_ts = false;
    fixed = kSpbFixedBytes;
  }
  if (!r.ok()) {
    diagnostics.warn(block_offset, number, "pcapng.short_packet_block",
                     "packet block too short for its fixed fields; skipped");
    return false;
  }
  if (interface_id >= interfaces_.size() || interfaces_[interface_id].link_type == 0xFFFFFFFF) {
    diagnostics.warn(block_offset, number, "pcapng.unknown_interface",
                     "packet block names interface " + std::to_string(interface_id) +
                         " which no usable Interface Description Block defined; skipped");
    return false;
  }
  const Interface& iface = interfaces_[interface_id];
  const std::size_t room = body.size() - fixed;
  if (type == kSimplePacketBlock) {
    captured = original;
    if (iface.snap_length != 0 && captured > iface.snap_length) captured = iface.snap_length;
    if (captured > room) captured = static_cast<std::uint32_t>(room);
  } else if (captured > room) {
    diagnostics.warn(block_offset, number, "pcapng.captured_length_overrun",
                     "packet claims " + std::to_string(captured) +
                         " captured bytes but its block "
                         "holds " +
                         std::to_string(room) + "; skipped");
    return false;
  }
  if (captured > kMaxCapturedBytes) {
    diagnostics.warn(block_offset, number, "pcapng.bad_captured_length",
                     "packet claims " + std::to_string(captured) +
                         " captured bytes (more than 262144); skipped");
    return false;
  }
  if (original < captured) diagnostics.count("pcapng.original_shorter_than_captured");
  frame.data = body.subspan(fixed, captured);
  frame.wire_length = original < captured ? captured : original;
  frame.ts_ns = has_ts ? toNanoseconds(ts, iface) : 0;
  frame.link_type = iface.link_type;
  frame.number = number;
  frame.file_offset = block_offset;
  return true;
}

}  // namespace phaseout::capture
