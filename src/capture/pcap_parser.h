// PcapParser: the classic libpcap file format (draft-ietf-opsawg-pcap), read in place.
//
// Both byte orders, microsecond (0xA1B2C3D4) and nanosecond (0xA1B23C4D) magic numbers, and the
// "modified" Kuznetzov variant (0xA1B2CD34, 24-byte records). Frames are views into the bytes
// given to create(), which the caller keeps alive. Reading stops at the first record that cannot
// be framed (cut short, or claiming more than kMaxCapturedBytes), with a warning that gives its
// byte offset and frame number; everything before it is delivered. Never throws.
#pragma once

#include <cstdint>
#include <span>

#include "capture/diagnostics.h"
#include "capture/frame.h"
#include "core/status.h"

namespace phaseout::capture {

class PcapParser {
 public:
  // Largest captured length accepted for a record (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD);
  // a bigger one means the record header is garbage.
  static constexpr std::uint32_t kMaxCapturedBytes = 262144;
  static constexpr std::size_t kFileHeaderBytes = 24;

  // True when `bytes` start with a pcap magic number in either byte order.
  static bool recognises(std::span<const std::uint8_t> bytes);
  // Reads the file header. InvalidArgument when the magic is not pcap or the header is cut short.
  static Result<PcapParser> create(std::span<const std::uint8_t> bytes);

  // The next frame; false at the end of the file or at the first unframeable record.
  bool next(Frame& frame, Diagnostics& diagnostics);

  std::uint64_t offset() const { return offset_; }
  std::uint32_t linkType() const { return link_type_; }
  bool nanosecond() const { return nanosecond_; }
  bool bigEndian() const { return big_endian_; }

 private:
  PcapParser() = default;

  std::span<const std::uint8_t> bytes_;
  std::uint64_t offset_ = 0;
  std::uint64_t frame_number_ = 0;
  std::uint32_t link_type_ = 0;
  std::size_t record_header_bytes_ = 16;
  bool big_endian_ = false;
  bool nanosecond_ = false;
  bool done_ = false;
};

}  // namespace phaseout::capture
