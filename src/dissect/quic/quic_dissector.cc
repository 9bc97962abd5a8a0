#include "dissect/quic/quic_dissector.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "core/byte_reader.h"
#include "dissect/quic/gquic_message.h"
#include "dissect/quic/initial_protection.h"
#include "dissect/tls/client_hello.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint16_t kPortHttp = 80;
constexpr std::uint16_t kPortHttps = 443;
constexpr std::uint16_t kPortDnsOverQuic = 853;  // RFC 9250 §3.1
constexpr std::uint16_t kPortHttpsAlt = 8443;
constexpr std::array<std::uint16_t, 4> kServerPorts = {kPortHttp, kPortHttps, kPortDnsOverQuic,
                                                       kPortHttpsAlt};

// RFC 9000 §17.2: header form (0x80) and fixed bit (0x40); the long packet type in 0x30.
constexpr std::uint8_t kHeaderFormLong = 0x80;
constexpr std::uint8_t kFixedBit = 0x40;
constexpr std::size_t kMaxConnectionIdBytes = 20;  // RFC 9000 §17.2
constexpr std::uint8_t kLongTypeInitialV1 = 0;     // RFC 9000 §17.2
constexpr std::uint8_t kLongTypeInitialV2 = 1;     // RFC 9369 §3.2
constexpr std::uint32_t kVersion2 = 0x6b3343cf;
constexpr std::uint32_t kVersionQ050 = 0x51303530;

// gQUIC public header flags (draft-tsvwg-quic-protocol-02 §5.1 and Chromium's framer).
constexpr std::uint8_t kGquicFlagVersion = 0x01;
constexpr std::uint8_t kGquicFlagReset = 0x02;
constexpr std::uint8_t kGquicFlagConnectionId = 0x08;
constexpr std::size_t kGquicConnectionIdBytes = 8;
constexpr std::size_t kGquicMessageHashBytes = 12;  // null encryption's FNV-1a 128, truncated
constexpr std::uint64_t kGquicCryptoStream = 1;

// IETF frame types allowed in a client Initial (RFC 9000 §12.4, §19).
constexpr std::uint8_t kFramePadding = 0x00;
constexpr std::uint8_t kFramePing = 0x01;
constexpr std::uint8_t kFrameAck = 0x02;
constexpr std::uint8_t kFrameAckEcn = 0x03;
constexpr std::uint8_t kFrameCrypto = 0x06;
constexpr std::uint8_t kFrameConnectionClose = 0x1c;
// gQUIC frame types (Chromium quic_framer.cc): regular types, then the special ones by bits.
constexpr std::uint8_t kGquicFramePadding = 0x00;
constexpr std::uint8_t kGquicFrameStopWaiting = 0x06;
constexpr std::uint8_t kGquicFramePing = 0x07;
constexpr std::uint8_t kGquicFrameCrypto = 0x08;  // Q050 and later
constexpr std::uint8_t kGquicFrameAckBit = 0x40;
constexpr std::uint8_t kGquicFrameStreamBit = 0x80;

constexpr std::uint8_t kHandshakeClientHello = 1;  // RFC 8446 §4

// First bytes worth a look: long-header Initials of every version (type bits 0 and 1), and
// gQUIC public headers with the version flag, any connection-id and packet-number bits.
constexpr std::array<char, 48> makeFirstBytes() {
  std::array<char, 48> bytes{};
  std::size_t n = 0;
  for (int b = 0xc0; b <= 0xdf; ++b) bytes[n++] = static_cast<char>(b);
  for (int cid = 0; cid < 4; ++cid) {
    for (int pn = 0; pn < 4; ++pn) bytes[n++] = static_cast<char>(0x01 | (cid << 2) | (pn << 4));
  }
  return bytes;
}
constexpr std::array<char, 48> kFirstBytes = makeFirstBytes();
constexpr std::size_t kMinPayloadBytes = 14;  // flags, connection id, version, packet number

constexpr std::array<Interest, 1> kInterests = {
    Interest::udp(kServerPorts)
        .minPayload(kMinPayloadBytes)
        .firstBytes(std::string_view(kFirstBytes.data(), kFirstBytes.size())),
};

bool isServerPort(std::uint16_t port) {
  return std::find(kServerPorts.begin(), kServerPorts.end(), port) != kServerPorts.end();
}

// RFC 9000 §16 variable-length integer; fails the reader when cut.
std::uint64_t varint(ByteReader& r) {
  const std::uint8_t first = r.u8();
  const std::size_t extra = (std::size_t{1} << (first >> 6)) - 1;
  std::uint64_t v = first & 0x3f;
  for (std::size_t i = 0; i < extra; ++i) v = (v << 8) | r.u8();
  return v;
}

// Big- or little-endian unsigned integer of `bytes` bytes (gQUIC before Q039 is little-endian).
std::uint64_t gquicUint(ByteReader& r, std::size_t bytes, bool big_endian) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    const std::uint64_t b = r.u8();
    v = big_endian ? (v << 8) | b : v | (b << (8 * i));
  }
  return v;
}

// CRYPTO frame data of one datagram, joined by offset (RFC 9000 §19.6): fragments may come in
// any order, overlap or repeat; what counts is the run of bytes from offset 0.
class CryptoStream {
 public:
  void add(std::uint64_t offset, std::span<const std::uint8_t> data) {
    if (!data.empty()) fragments_.push_back({offset, data});
  }
  bool empty() const { return fragments_.empty(); }
  // The bytes from offset 0 up to the first gap.
  std::span<const std::uint8_t> prefix() {
    std::sort(fragments_.begin(), fragments_.end(),
              [](const Fragment& a, const Fragment& b) { return a.offset < b.offset; });
    if (fragments_.size() == 1 && fragments_[0].offset == 0) return fragments_[0].data;
    joined_.clear();
    for (const Fragment& f : fragments_) {
      if (f.offset > joined_.size()) break;
      const std::size_t skip = joined_.size() - static_cast<std::size_t>(f.offset);
      if (skip < f.data.size()) joined_.insert(joined_.end(), f.data.begin() + skip, f.data.end());
    }
    return joined_;
  }

 private:
  struct Fragment {
    std::uint64_t offset;
    std::span<const std::uint8_t> data;
  };
  std::vector<Fragment> fragments_;
  std::vector<std::uint8_t> joined_;
};

enum class FrameWalk { kDone, kUnexpectedFrame, kTruncated };

// Frames of an opened IETF Initial payload (RFC 9000 §19): CRYPTO data goes to `crypto`.
FrameWalk walkIetfFrames(std::span<const std::uint8_t> payload, CryptoStream& crypto) {
  ByteReader r(payload);
  while (!r.empty()) {
    const std::uint64_t type = varint(r);
    switch (type) {
      case kFramePadding: {
        // Clients pad Initials to 1200 bytes (RFC 9000 §14.1): skip the run at once.
        const auto rest = r.rest();
        r.skip(static_cast<std::size_t>(
            std::find_if(rest.begin(), rest.end(), [](std::uint8_t b) { return b != 0; }) -
            rest.begin()));
        break;
      }
      case kFramePing:
        break;
      case kFrameAck:
      case kFrameAckEcn: {
        varint(r);  // largest acknowledged
        varint(r);  // delay
        const std::uint64_t ranges = varint(r);
        varint(r);  // first range
        for (std::uint64_t i = 0; i < ranges && r.ok(); ++i) {
          varint(r);  // gap
          varint(r);  // range length
        }
        if (type == kFrameAckEcn) {
          varint(r);
          varint(r);
          varint(r);
        }
        break;
      }
      case kFrameCrypto: {
        const std::uint64_t offset = varint(r);
        const std::uint64_t length = varint(r);
        if (!r.ok() || length > r.remaining()) return FrameWalk::kTruncated;
        crypto.add(offset, r.bytes(static_cast<std::size_t>(length)));
        break;
      }
      case kFrameConnectionClose:
        return FrameWalk::kDone;
      default:
        return FrameWalk::kUnexpectedFrame;
    }
    if (!r.ok()) return FrameWalk::kTruncated;
  }
  return FrameWalk::kDone;
}

// Skips a gQUIC ACK frame whose type byte was read: 01NTLLMM, N: several ack blocks,
// LL/MM: the byte widths (1, 2, 4, 6) of the largest acked and of the block lengths.
void skipGquicAck(ByteReader& r, std::uint8_t type) {
  static constexpr std::array<std::size_t, 4> kWidths = {1, 2, 4, 6};
  const std::size_t largest_bytes = kWidths[(type >> 2) & 3];
  const std::size_t block_bytes = kWidths[type & 3];
  r.skip(largest_bytes + 2);  // largest acked, ack delay (ufloat16)
  const std::size_t blocks = (type & 0x20) != 0 ? r.u8() : 0;
  r.skip(block_bytes + blocks * (1 + block_bytes));  // first block, then gap + length each
  const std::size_t timestamps = r.u8();
  if (timestamps > 0) r.skip(1 + 4 + (timestamps - 1) * (1 + 2));
}

// The CHLO in a gQUIC payload (after the message hash, or an opened Q050 Initial): the data
// of the first STREAM frame on stream 1 (up to Q046) or of the first CRYPTO frame (Q050).
// Empty when the packet holds no handshake data (encrypted packets, acks).
std::span<const std::uint8_t> gquicHandshakeData(std::span<const std::uint8_t> payload,
                                                 bool big_endian, std::size_t packet_number_bytes,
                                                 bool crypto_frames) {
  ByteReader r(payload);
  while (r.ok() && !r.empty()) {
    const std::uint8_t type = r.u8();
    if (type == kGquicFramePadding) {
      // Chromium pads to the end of the packet; a Q050 Initial may pad before its frames.
      if (!crypto_frames) return {};
      continue;
    }
    if ((type & kGquicFrameStreamBit) != 0) {
      const std::size_t offset_code = (type >> 2) & 7;
      const std::size_t offset_bytes = offset_code == 0 ? 0 : offset_code + 1;
      const std::size_t id_bytes = (type & 3) + 1;
      const std::uint64_t stream = gquicUint(r, id_bytes, big_endian);
      r.skip(offset_bytes);
      const std::size_t length = (type & 0x20) != 0
                                     ? static_cast<std::size_t>(gquicUint(r, 2, big_endian))
                                     : r.remaining();
      const auto data = r.bytes(std::min(length, r.remaining()));
      if (!r.ok()) return {};
      if (stream == kGquicCryptoStream) return data;
      continue;
    }
    if ((type & kGquicFrameAckBit) != 0) {
      skipGquicAck(r, type);
      continue;
    }
    switch (type) {
      case kGquicFramePing:
        break;
      case kGquicFrameStopWaiting:
        r.skip(packet_number_bytes);  // least unacked delta
        break;
      case kGquicFrameCrypto: {
        if (!crypto_frames) return {};
        varint(r);  // offset
        const std::uint64_t length = varint(r);
        if (!r.ok()) return {};
        return r.bytes(static_cast<std::size_t>(std::min<std::uint64_t>(length, r.remaining())));
      }
      default:
        return {};
    }
  }
  return {};
}

// Whether the four version bytes read "Q" and three digits, as every gQUIC version does.
bool isGquicVersion(std::uint32_t version) {
  const auto digit = [](std::uint32_t c) { return c >= '0' && c <= '9'; };
  return (version >> 24) == 'Q' && digit((version >> 16) & 0xff) && digit((version >> 8) & 0xff) &&
         digit(version & 0xff);
}

int gquicNumber(std::uint32_t version) {
  return static_cast<int>(((version >> 16) & 0xff) - '0') * 100 +
         static_cast<int>(((version >> 8) & 0xff) - '0') * 10 +
         static_cast<int>((version & 0xff) - '0');
}

class Session {
 public:
  Session(const decode::DecodedPacket& packet, ObservationSink& sink, AnomalyCounters& anomalies)
      : packet_(packet), sink_(sink), anomalies_(anomalies) {}

  Outcome run() {
    ByteReader r(packet_.payload);
    const std::uint8_t first = r.u8();
    if ((first & kHeaderFormLong) != 0) {
      const std::uint32_t version = r.u32be();
      if (version == 0) return Outcome::kNotMine;  // version negotiation (RFC 9000 §17.2.1)
      if (isGquicVersion(version) && version != kVersionQ050) return gquicLongHeader(version);
      return initials(version);
    }
    if ((first & kFixedBit) == 0 && (first & kGquicFlagVersion) != 0 &&
        (first & kGquicFlagReset) == 0) {
      return gquicPublicHeader(first);
    }
    return Outcome::kNotMine;
  }

 private:
  Outcome bump(const char* counter, Outcome outcome) {
    anomalies_.bump(counter);
    return outcome;
  }

  // IETF-style long-header Initial packets (and Q050), possibly several in one datagram
  // (RFC 9000 §12.2), all opened with the keys of the first one's connection id.
  Outcome initials(std::uint32_t version) {
    const std::optional<quic::InitialScheme> scheme = quic::initialScheme(version);
    if (!scheme) return bump("quic.unsupported_version", Outcome::kNotMine);
    const std::uint8_t initial_type =
        version == kVersion2 ? kLongTypeInitialV2 : kLongTypeInitialV1;

    std::vector<std::vector<std::uint8_t>> plaintexts;
    std::optional<quic::InitialKeys> keys;
    std::span<const std::uint8_t> rest = packet_.payload;
    while (!rest.empty() && (rest[0] & kHeaderFormLong) != 0) {
      ByteReader r(rest);
      const std::uint8_t first = r.u8();
      if (r.u32be() != version || ((first >> 4) & 3) != initial_type) break;
      const std::size_t dcid_len = r.u8();
      const auto dcid = r.bytes(dcid_len);
      const std::size_t scid_len = r.u8();
      r.skip(scid_len);
      // A damaged packet after good ones ends the datagram; the good ones still count.
      if (r.ok() && (dcid_len > kMaxConnectionIdBytes || scid_len > kMaxConnectionIdBytes)) {
        if (!plaintexts.empty()) break;
        return bump("quic.malformed_header", Outcome::kMalformed);
      }
      r.skip(static_cast<std::size_t>(varint(r)));  // token
      const std::uint64_t length = varint(r);
      const std::size_t pn_offset = r.offset();
      // The sample starts 4 bytes after the packet number's start (RFC 9001 §5.4.2).
      if (!r.ok() || length > r.remaining() || 4 + quic::kSampleBytes > length) {
        if (!plaintexts.empty()) break;
        return bump("quic.truncated_packet", Outcome::kTruncated);
      }
      const std::size_t packet_end = pn_offset + static_cast<std::size_t>(length);
      if (!keys) {
        if (dcid.empty()) return Outcome::kNotMine;  // a server's Initial (no client DCID)
        keys = quic::packetKeys(*scheme, quic::clientInitialSecret(*scheme, dcid));
      }
      const auto mask = quic::headerProtectionMask(
          keys->hp, rest.subspan(pn_offset + 4).first<quic::kSampleBytes>());
      if (!mask) return Outcome::kNotMine;  // OpenSSL failed: nothing to say about the packet
      std::vector<std::uint8_t> header(rest.begin(), rest.begin() + pn_offset + 4);
      header[0] = static_cast<std::uint8_t>(first ^ ((*mask)[0] & 0x0f));
      const std::size_t pn_len = (header[0] & 3) + 1;
      header.resize(pn_offset + pn_len);
      std::uint64_t packet_number = 0;
      for (std::size_t i = 0; i < pn_len; ++i) {
        header[pn_offset + i] ^= (*mask)[1 + i];
        packet_number = (packet_number << 8) | header[pn_offset + i];
      }
      // The first Initial packets of a connection have small numbers, so the truncated number
      // is the full one (RFC 9000 §17.1 decoding with no packet received yet).
      auto plain =
          quic::openPayload(*keys, packet_number, header,
                            rest.subspan(pn_offset + pn_len, packet_end - pn_offset - pn_len));
      if (!plain) break;  // a later Initial of the connection, or damage (see the header)
      plaintexts.push_back(std::move(*plain));
      rest = rest.subspan(packet_end);
    }
    if (plaintexts.empty()) return Outcome::kNotMine;
    return version == kVersionQ050 ? q050(version, plaintexts.front()) : tls(version, plaintexts);
  }

  Outcome tls(std::uint32_t version, const std::vector<std::vector<std::uint8_t>>& plaintexts) {
    CryptoStream crypto;
    Outcome outcome = Outcome::kObserved;
    for (const auto& plain : plaintexts) {
      const FrameWalk walk = walkIetfFrames(plain, crypto);
      if (walk == FrameWalk::kUnexpectedFrame) {
        anomalies_.bump("quic.unexpected_frame");
        outcome = Outcome::kMalformed;
      } else if (walk == FrameWalk::kTruncated) {
        anomalies_.bump("quic.malformed_frame");
        outcome = Outcome::kMalformed;
      }
    }
    if (crypto.empty()) return outcome == Outcome::kObserved ? Outcome::kNotMine : outcome;
    const auto hello = crypto.prefix();
    if (hello.empty()) return bump("quic.client_hello_not_at_start", Outcome::kTruncated);
    if (hello[0] != kHandshakeClientHello) return Outcome::kNotMine;

    Observation obs = makeObservation(ObservationType::kQuic, packet_);
    obs.quic.version = quicVersionName(version);
    TlsFields fields;
    switch (parseClientHello(hello, 'q', fields)) {
      case ClientHelloResult::kComplete:
        break;
      case ClientHelloResult::kTruncated:
        anomalies_.bump("quic.client_hello_split");
        outcome = Outcome::kTruncated;
        break;
      case ClientHelloResult::kMalformed:
        anomalies_.bump("quic.malformed_client_hello");
        outcome = Outcome::kMalformed;
        break;
    }
    obs.quic.sni = std::move(fields.sni);
    obs.quic.alpn = std::move(fields.alpn);
    obs.quic.ja4 = std::move(fields.ja4);
    sink_.onObservation(obs);
    return outcome;
  }

  Outcome q050(std::uint32_t version, std::span<const std::uint8_t> plain) {
    return chlo(version, gquicHandshakeData(plain, /*big_endian=*/true, 0, /*crypto_frames=*/true));
  }

  // Q044-Q046: long header with both connection id lengths in one byte (each nibble n != 0
  // means n + 3 bytes), the packet number in the header's low bits, then the message hash.
  Outcome gquicLongHeader(std::uint32_t version) {
    ByteReader r(packet_.payload);
    const std::uint8_t first = r.u8();
    if (((first >> 4) & 3) != kLongTypeInitialV1) return Outcome::kNotMine;
    r.skip(4);
    const std::uint8_t lengths = r.u8();
    const auto cid_bytes = [](std::uint8_t nibble) -> std::size_t {
      return nibble == 0 ? 0 : nibble + 3;
    };
    r.skip(cid_bytes(lengths >> 4) + cid_bytes(lengths & 0x0f));
    const std::size_t pn_bytes = (first & 3) + 1;
    r.skip(pn_bytes + kGquicMessageHashBytes);
    if (!r.ok()) return bump("quic.truncated_packet", Outcome::kTruncated);
    return chlo(version, gquicHandshakeData(r.rest(), /*big_endian=*/true, pn_bytes,
                                            /*crypto_frames=*/false));
  }

  // Q043 and earlier: public flags, connection id, version, packet number, then (before Q034)
  // a private flags byte after the message hash.
  Outcome gquicPublicHeader(std::uint8_t flags) {
    ByteReader r(packet_.payload);
    r.skip(1);
    if ((flags & kGquicFlagConnectionId) != 0) r.skip(kGquicConnectionIdBytes);
    const std::uint32_t version = r.u32be();
    if (!r.ok() || !isGquicVersion(version)) return Outcome::kNotMine;
    static constexpr std::array<std::size_t, 4> kPacketNumberBytes = {1, 2, 4, 6};
    const std::size_t pn_bytes = kPacketNumberBytes[(flags >> 4) & 3];
    const int number = gquicNumber(version);
    r.skip(pn_bytes + kGquicMessageHashBytes + (number < 34 ? 1 : 0));
    if (!r.ok()) return bump("quic.truncated_packet", Outcome::kTruncated);
    return chlo(version, gquicHandshakeData(r.rest(), /*big_endian=*/number >= 39, pn_bytes,
                                            /*crypto_frames=*/false));
  }

  Outcome chlo(std::uint32_t version, std::span<const std::uint8_t> message) {
    // Packets without handshake data are the connection's other (encrypted) packets.
    if (message.empty()) return Outcome::kNotMine;
    Observation obs = makeObservation(ObservationType::kQuic, packet_);
    obs.quic.version = quicVersionName(version);
    Outcome outcome = Outcome::kObserved;
    switch (quic::parseChlo(message, obs.quic)) {
      case quic::ChloResult::kNotChlo:
        return Outcome::kNotMine;
      case quic::ChloResult::kComplete:
        break;
      case quic::ChloResult::kTruncated:
        anomalies_.bump("quic.truncated_chlo");
        outcome = Outcome::kTruncated;
        break;
      case quic::ChloResult::kMalformed:
        anomalies_.bump("quic.malformed_chlo");
        outcome = Outcome::kMalformed;
        break;
    }
    sink_.onObservation(obs);
    return outcome;
  }

  const decode::DecodedPacket& packet_;
  ObservationSink& sink_;
  AnomalyCounters& anomalies_;
};

}  // namespace

std::string quicVersionName(std::uint32_t version) {
  if (version == 1) return "1";
  if (version == kVersion2) return "2";
  if ((version & 0xffffff00) == 0xff000000) return "draft-" + std::to_string(version & 0xff);
  if (isGquicVersion(version)) {
    return {static_cast<char>(version >> 24), static_cast<char>(version >> 16),
            static_cast<char>(version >> 8), static_cast<char>(version)};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(version >> shift) & 0xf]);
  return out;
}

std::span<const Interest> QuicDissector::interests() const { return kInterests; }

Outcome QuicDissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                               AnomalyCounters& anomalies) const {
  if (packet.payload.size() < kMinPayloadBytes) return Outcome::kNotMine;
  // Server to client: the server's Initials use the server's keys, and its CHLO replies (REJ,
  // SHLO) are not client hellos.
  if (isServerPort(packet.src_port) && !isServerPort(packet.dst_port)) return Outcome::kNotMine;
  return Session(packet, sink, anomalies).run();
}

}  // namespace phaseout::dissect
