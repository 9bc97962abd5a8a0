// PcapngParser: the pcapng file format (draft-ietf-opsawg-pcapng), read in place.
//
// Section Header Blocks (either byte order, several sections), Interface Description Blocks
// (per-interface link type, snap length, if_tsresol and if_tsoffset), Enhanced, Simple and
// obsolete Packet Blocks; every other block type is skipped. Frames are views into the bytes
// given to create(). A packet block that cannot be used (bad interface, lengths that do not fit
// the block) is skipped with a warning; a block that cannot be framed (bad or cut-short length)
// ends reading with a warning naming its byte offset. Never throws.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "capture/diagnostics.h"
#include "capture/frame.h"
#include "core/status.h"

namespace phaseout::capture {

class PcapngParser {
 public:
  // True when `bytes` start with a Section Header Block type.
  static bool recognises(std::span<const std::uint8_t> bytes);
  // Checks the first Section Header Block. InvalidArgument when it is not pcapng.
  static Result<PcapngParser> create(std::span<const std::uint8_t> bytes);

  // The next packet frame; false at the end or at the first block that cannot be framed.
  bool next(Frame& frame, Diagnostics& diagnostics);

  std::uint64_t offset() const { return offset_; }

  struct Interface {
    std::uint32_t link_type = 0;
    std::uint32_t snap_length = 0;
    // Timestamp units: 10^-exponent s, or 2^-exponent s when binary (option if_tsresol).
    std::uint8_t ts_exponent = 6;
    bool ts_binary = false;
    std::int64_t ts_offset_s = 0;  // option if_tsoffset
  };

 private:
  PcapngParser() = default;
  // Handles one block; returns true when it produced `frame`. Sets done_ to stop.
  bool readBlock(Frame& frame, Diagnostics& diagnostics);
  bool startSection(std::uint64_t block_offset, Diagnostics& diagnostics);
  void addInterface(std::span<const std::uint8_t> body, std::uint64_t block_offset,
                    Diagnostics& diagnostics);
  bool packetBlock(std::uint32_t type, std::span<const std::uint8_t> body,
                   std::uint64_t block_offset, Frame& frame, Diagnostics& diagnostics);

  std::span<const std::uint8_t> bytes_;
  std::uint64_t offset_ = 0;
  std::uint64_t frame_number_ = 0;
  std::vector<Interface> interfaces_;
  bool big_endian_ = false;
  bool done_ = false;
};

}  // namespace phaseout::capture
