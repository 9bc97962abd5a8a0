#include "dissect/fuzz_input.h"

#include <algorithm>

#include "core/byte_reader.h"
#include "core/strings.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint8_t kBitTcp = 0x01;
constexpr std::uint8_t kBitMac = 0x02;
constexpr std::uint8_t kBitIpv6 = 0x04;

}  // namespace

decode::DecodedPacket packetFromFuzzInput(std::span<const std::uint8_t> input) {
  decode::DecodedPacket packet;
  packet.frame = 1;
  packet.ts_ns = 1'679'307'072'123'456'000;  // 2023-03-20T10:11:12.123456Z
  packet.transport = decode::Transport::kUdp;
  packet.src_ip.family = 4;
  packet.dst_ip.family = 4;
  packet.src_ip.bytes = {10, 0, 0, 1};
  packet.dst_ip.bytes = {10, 0, 0, 2};
  packet.ip_ttl = 64;
  if (input.size() < kFuzzHeaderBytes) {
    packet.payload = input;
    return packet;
  }
  ByteReader r(input);
  const std::uint8_t selector = r.u8();
  packet.src_port = r.u16be();
  packet.dst_port = r.u16be();
  const std::uint8_t flags = r.u8();
  const std::size_t options_len =
      std::min<std::size_t>({r.u8(), kFuzzMaxTcpOptionBytes, r.remaining()});
  const auto options = r.bytes(options_len);
  if ((selector & kBitTcp) != 0) {
    packet.transport = decode::Transport::kTcp;
    packet.tcp_flags = flags;
    packet.tcp_window = 65535;
    packet.tcp_options = options;
  }
  if ((selector & kBitMac) != 0) {
    packet.has_mac = true;
    packet.src_mac.bytes = {0x02, 0, 0, 0, 0, 1};
    packet.dst_mac.bytes = {0x02, 0, 0, 0, 0, 2};
  }
  if ((selector & kBitIpv6) != 0) {
    packet.src_ip.family = 6;
    packet.dst_ip.family = 6;
    packet.src_ip.bytes = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    packet.dst_ip.bytes = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb};
  }
  packet.payload = r.rest();
  return packet;
}

std::vector<std::uint8_t> fuzzInputFromPacket(const decode::DecodedPacket& packet) {
  std::vector<std::uint8_t> out;
  const bool tcp = packet.transport == decode::Transport::kTcp;
  std::uint8_t selector = tcp ? kBitTcp : 0;
  if (packet.has_mac) selector |= kBitMac;
  if (packet.src_ip.family == 6) selector |= kBitIpv6;
  const std::size_t options_len =
      tcp ? std::min(packet.tcp_options.size(), kFuzzMaxTcpOptionBytes) : 0;
  out.reserve(kFuzzHeaderBytes + options_len + packet.payload.size());
  out.push_back(selector);
  out.push_back(static_cast<std::uint8_t>(packet.src_port >> 8));
  out.push_back(static_cast<std::uint8_t>(packet.src_port));
  out.push_back(static_cast<std::uint8_t>(packet.dst_port >> 8));
  out.push_back(static_cast<std::uint8_t>(packet.dst_port));
  out.push_back(tcp ? packet.tcp_flags : 0);
  out.push_back(static_cast<std::uint8_t>(options_len));
  out.insert(out.end(), packet.tcp_options.begin(),
             packet.tcp_options.begin() + static_cast<std::ptrdiff_t>(options_len));
  out.insert(out.end(), packet.payload.begin(), packet.payload.end());
  return out;
}

void CheckingSink::onObservation(const Observation& observation) {
  json_.clear();
  text_.clear();
  appendJsonLine(observation, json_);
  appendTextLine(observation, text_);
  ++count_;
  bool ok = json_.size() >= 3 && json_.front() == '{' && json_.ends_with("}\n") &&
            isValidUtf8(json_) && text_.ends_with('\n');
  for (std::size_t i = 0; ok && i + 1 < json_.size(); ++i) {
    ok = static_cast<unsigned char>(json_[i]) >= 0x20;
  }
  if (!ok) __builtin_trap();
}

}  // namespace phaseout::dissect
