// Writing classic pcap (draft-ietf-opsawg-pcap), little-endian with nanosecond timestamps —
// used to assemble benchmark captures and test inputs. Appends to a caller-owned string so a
// writer can batch records into large writes.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace phaseout::capture {

// Appends the 24-byte file header (magic 0xA1B23C4D: nanosecond timestamps).
void appendPcapFileHeader(std::string& out, std::uint32_t link_type,
                          std::uint32_t snap_length = 262144);
// Appends one record. `wire_length` below data.size() is raised to data.size().
void appendPcapRecord(std::string& out, std::int64_t ts_ns, std::span<const std::uint8_t> data,
                      std::uint32_t wire_length);

}  // namespace phaseout::capture
