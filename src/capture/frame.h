// Frame: one captured packet as the capture layer hands it on — a view of the captured bytes
// plus the per-packet metadata every later stage needs.
//
// A Frame owns nothing: `data` points into the memory-mapped capture file (or libpcap's ring
// buffer) and stays valid only until the reader that produced it is advanced or destroyed.
#pragma once

#include <cstdint>
#include <span>

namespace phaseout::capture {

struct Frame {
  std::span<const std::uint8_t> data;  // the captured bytes (may be shorter than the wire)
  std::uint32_t wire_length = 0;       // length of the packet on the wire
  std::int64_t ts_ns = 0;              // capture time, ns since the Unix epoch (0 when unknown)
  std::uint32_t link_type = 0;         // LINKTYPE_* value (see link_type.h)
  std::uint64_t number = 0;            // 1-based index in the file, as tshark numbers frames
  std::uint64_t file_offset = 0;       // byte offset of the record/block in the file
};

}  // namespace phaseout::capture
