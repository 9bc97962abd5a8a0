// Assembles a large benchmark capture from real ones, as a real capture would look: the inputs
// are replayed in order, again and again, until the output reaches --min-bytes, and every
// repetition after the first rewrites the IP addresses so that each one is new flows (a file
// that replays the same few hundred flows flatters flow-caching tools).
//
// Rewriting: in repetition r the low 16 bits of every unicast IPv4 address (and of every
// unicast IPv6 address) are XORed with a per-repetition mask; multicast, broadcast, loopback
// and unspecified addresses are kept, so mDNS, DHCP broadcasts and the like stay what they are.
// IPv4 header, TCP, UDP and ICMPv6 checksums are updated incrementally (RFC 1624), so they stay
// valid even for snap-truncated packets. Timestamps are made monotonic: each packet keeps its
// original gap to the previous one (capped at 1 s), and each input starts 1 ms after the last.
// Only Ethernet frames are taken (every corpus capture is Ethernet); output is classic pcap.
//
// usage: bench_assemble_capture --out FILE [--min-bytes N] INPUT...
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "capture/capture_reader.h"
#include "capture/link_type.h"
#include "capture/pcap_writer.h"

namespace {

using phaseout::capture::CaptureReader;
using phaseout::capture::Frame;

constexpr std::size_t kFlushBytes = 8 << 20;
constexpr std::int64_t kStartNs = 1677628800LL * 1000000000LL;  // 2023-03-01T00:00:00Z
constexpr std::int64_t kMaxGapNs = 1000000000LL;
constexpr std::int64_t kFileGapNs = 1000000LL;

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v & 0xff);
}

// RFC 1624 equation 3: HC' = ~(~HC + ~m + m').
std::uint16_t adjustChecksum(std::uint16_t checksum, std::uint16_t old_word,
                             std::uint16_t new_word) {
  std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
  sum += static_cast<std::uint16_t>(~old_word);
  sum += new_word;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// A checksum field the packet actually carries, to be kept consistent with address changes.
struct ChecksumField {
  std::uint8_t* at = nullptr;
  bool udp = false;  // UDP over IPv4: 0 means "no checksum" and must stay 0
};

void rewriteWord(std::uint8_t* word, std::uint16_t mask, std::vector<ChecksumField>& sums) {
  const std::uint16_t old_word = get16(word);
  const std::uint16_t new_word = old_word ^ mask;
  put16(word, new_word);
  for (ChecksumField& field : sums) {
    const std::uint16_t c = get16(field.at);
    if (field.udp && c == 0) continue;
    std::uint16_t updated = adjustChecksum(c, old_word, new_word);
    if (field.udp && updated == 0) updated = 0xffff;  // RFC 768: a computed 0 is sent as all ones
    put16(field.at, updated);
  }
}

bool keepIpv4(const std::uint8_t* a) {
  const std::uint32_t v = (std::uint32_t{a[0]} << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
  return v == 0 || v == 0xffffffff || a[0] >= 224 || a[0] == 127 || a[3] == 255;
}

bool keepIpv6(const std::uint8_t* a) {
  if (a[0] == 0xff) return true;  // multicast
  for (int i = 0; i < 16; ++i) {
    if (a[i] != 0) return false;
  }
  return true;  // unspecified
}

// Transport checksum field of a TCP/UDP/ICMPv6 header at `l4`, when captured.
void transportChecksum(std::uint8_t protocol, std::uint8_t* l4, std::size_t available, bool ipv6,
                       std::vector<ChecksumField>& sums) {
  if (protocol == 6 && available >= 18) sums.push_back({l4 + 16, false});
  if (protocol == 17 && available >= 8) sums.push_back({l4 + 6, !ipv6});
  if (protocol == 58 && ipv6 && available >= 4) sums.push_back({l4 + 2, false});
}

void rewriteAddresses(std::vector<std::uint8_t>& frame, std::uint16_t mask) {
  if (mask == 0 || frame.size() < 14) return;
  std::size_t offset = 12;
  std::uint16_t type = get16(&frame[offset]);
  while ((type == 0x8100 || type == 0x88a8) && offset + 6 <= frame.size()) {
    offset += 4;
    type = get16(&frame[offset]);
  }
  offset += 2;
  std::uint8_t* ip = frame.data() + offset;
  const std::size_t available = frame.size() - offset;
  std::vector<ChecksumField> sums;
  if (type == 0x0800 && available >= 20 && (ip[0] >> 4) == 4) {
    const std::size_t header = std::size_t{ip[0] & 0x0fu} * 4;
    if (header < 20) return;
    sums.push_back({ip + 10, false});
    const bool first_fragment = (get16(ip + 6) & 0x1fff) == 0;
    if (first_fragment && available > header) {
      transportChecksum(ip[9], ip + header, available - header, false, sums);
    }
    for (std::uint8_t* address : {ip + 12, ip + 16}) {
      if (!keepIpv4(address)) rewriteWord(address + 2, mask, sums);
    }
  } else if (type == 0x86dd && available >= 40 && (ip[0] >> 4) == 6) {
    transportChecksum(ip[6], ip + 40, available - 40, true, sums);
    for (std::uint8_t* address : {ip + 8, ip + 24}) {
      if (!keepIpv6(address)) rewriteWord(address + 14, mask, sums);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Assemble a benchmark capture of new flows from real captures."};
  std::string out_path;
  std::uint64_t min_bytes = 1ull << 30;
  std::vector<std::string> inputs;
  app.add_option("--out", out_path, "Output pcap file")->required();
  app.add_option("--min-bytes", min_bytes, "Stop after the repetition that reaches this size");
  app.add_option("inputs", inputs, "Input captures (pcap, pcapng)")->required();
  CLI11_PARSE(app, argc, argv);

  std::FILE* out = std::fopen(out_path.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", out_path.c_str());
    return 1;
  }
  std::string buffer;
  buffer.reserve(kFlushBytes + (1 << 20));
  phaseout::capture::appendPcapFileHeader(buffer, phaseout::capture::kLinkTypeEthernet);
  std::uint64_t written = 0;
  std::uint64_t packets = 0;
  std::int64_t clock_ns = kStartNs;
  std::vector<std::uint8_t> frame_bytes;
  std::uint32_t repetitions = 0;
  while (written + buffer.size() < min_bytes) {
    // A different, non-zero 16-bit mask per repetition (an odd multiplier walks all values).
    const auto mask = static_cast<std::uint16_t>(repetitions * 40503u);
    std::uint64_t before = packets;
    for (const std::string& input : inputs) {
      auto reader = CaptureReader::open(input);
      if (!reader.isOk()) {
        std::fprintf(stderr, "%s\n", reader.status().message().c_str());
        return 1;
      }
      Frame frame;
      std::int64_t previous_ns = -1;
      clock_ns += kFileGapNs;
      while (reader->next(frame)) {
        if (frame.link_type != phaseout::capture::kLinkTypeEthernet) continue;
        std::int64_t gap = previous_ns < 0 ? 0 : frame.ts_ns - previous_ns;
        if (gap < 0) gap = 0;
        if (gap > kMaxGapNs) gap = kMaxGapNs;
        previous_ns = frame.ts_ns;
        clock_ns += gap;
        frame_bytes.assign(frame.data.begin(), frame.data.end());
        rewriteAddresses(frame_bytes, mask);
        phaseout::capture::appendPcapRecord(buffer, clock_ns, frame_bytes, frame.wire_length);
        ++packets;
        if (buffer.size() >= kFlushBytes) {
          if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
            std::fprintf(stderr, "write to %s failed\n", out_path.c_str());
            return 1;
          }
          written += buffer.size();
          buffer.clear();
        }
      }
    }
    ++repetitions;
    if (packets == before) {
      std::fprintf(stderr, "the inputs hold no Ethernet frames\n");
      return 1;
    }
  }
  if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size() || std::fclose(out) != 0) {
    std::fprintf(stderr, "write to %s failed\n", out_path.c_str());
    return 1;
  }
  written += buffer.size();
  std::printf("%s: %llu bytes, %llu packets, %u repetitions of %zu captures\n", out_path.c_str(),
              static_cast<unsigned long long>(written), static_cast<unsigned long long>(packets),
              repetitions, inputs.size());
  return 0;
}
