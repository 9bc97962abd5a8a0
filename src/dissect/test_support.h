// Helpers for the dissect tests only (not part of the library): a collecting sink, packet
// builders, and access to the seed files extracted from real captures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/packet.h"
#include "dissect/fuzz_input.h"
#include "dissect/observation.h"

namespace phaseout::dissect::testing {

class CollectingSink final : public ObservationSink {
 public:
  void onObservation(const Observation& observation) override { all.push_back(observation); }
  std::vector<Observation> all;
};

using Bytes = std::vector<std::uint8_t>;

inline Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

inline void append(Bytes& out, std::initializer_list<int> values) {
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
}
inline void append(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}
inline void appendU16(Bytes& out, unsigned v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// A UDP or TCP packet between 10.0.0.1 and 10.0.0.2 whose payload views `payload`.
inline decode::DecodedPacket packet(decode::Transport transport, std::uint16_t src_port,
                                    std::uint16_t dst_port, const Bytes& payload,
                                    std::uint8_t tcp_flags = 0x18) {
  decode::DecodedPacket p;
  p.frame = 7;
  p.ts_ns = 1'679'307'072'123'456'789;
  p.has_mac = true;
  p.src_mac.bytes = {0xc4, 0x61, 0x8b, 0x35, 0x82, 0xa9};
  p.dst_mac.bytes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  p.src_ip.family = 4;
  p.src_ip.bytes = {10, 0, 0, 1};
  p.dst_ip.family = 4;
  p.dst_ip.bytes = {10, 0, 0, 2};
  p.ip_ttl = 64;
  p.transport = transport;
  p.src_port = src_port;
  p.dst_port = dst_port;
  if (transport == decode::Transport::kTcp) {
    p.tcp_flags = tcp_flags;
    p.tcp_window = 65535;
  }
  p.payload = payload;
  return p;
}
inline decode::DecodedPacket udp(std::uint16_t src_port, std::uint16_t dst_port,
                                 const Bytes& payload) {
  return packet(decode::Transport::kUdp, src_port, dst_port, payload);
}
inline decode::DecodedPacket tcp(std::uint16_t src_port, std::uint16_t dst_port,
                                 const Bytes& payload, std::uint8_t flags = 0x18) {
  return packet(decode::Transport::kTcp, src_port, dst_port, payload, flags);
}

// A seed from fuzz/dissect_<proto>/corpus/ (extracted from the real captures of the shared
// corpus by fuzz/dissect_registry/extract_seeds.py); nullopt when the file is missing.
inline std::optional<Bytes> readSeed(std::string_view proto, std::string_view file) {
  const std::filesystem::path path = std::filesystem::path(PH_SOURCE_DIR) / "fuzz" /
                                     ("dissect_" + std::string(proto)) / "corpus" /
                                     std::string(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace phaseout::dissect::testing
