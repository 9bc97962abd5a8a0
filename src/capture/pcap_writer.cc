#include "capture/pcap_writer.h"

namespace phaseout::capture {
namespace {

void putU16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void putU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

void appendPcapFileHeader(std::string& out, std::uint32_t link_type, std::uint32_t snap_length) {
  putU32(out, 0xA1B23C4D);
  putU16(out, 2);  // version 2.4
  putU16(out, 4);
  putU32(out, 0);  // thiszone
  putU32(out, 0);  // sigfigs
  putU32(out, snap_length);
  putU32(out, link_type);
}

void appendPcapRecord(std::string& out, std::int64_t ts_ns, std::span<const std::uint8_t> data,
                      std::uint32_t wire_length) {
  const auto ts = static_cast<std::uint64_t>(ts_ns);
  putU32(out, static_cast<std::uint32_t>(ts / 1000000000u));
  putU32(out, static_cast<std::uint32_t>(ts % 1000000000u));
  const auto captured = static_cast<std::uint32_t>(data.size());
  putU32(out, captured);
  putU32(out, wire_length < captured ? captured : wire_length);
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
}

}  // namespace phaseout::capture
