#include "dissect/tls/tls_dissector.h"

#include <array>
#include <vector>

#include "core/byte_reader.h"
#include "dissect/text.h"
#include "dissect/tls/ja4.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint8_t kContentTypeHandshake = 22;  // RFC 8446 §5.1
constexpr std::uint8_t kRecordVersionMajor = 3;
constexpr std::uint8_t kHandshakeClientHello = 1;  // RFC 8446 §4
constexpr std::size_t kRecordHeaderBytes = 5;
constexpr std::size_t kHandshakeHeaderBytes = 4;
constexpr std::size_t kRandomBytes = 32;

constexpr std::uint16_t kExtensionServerName = 0;            // RFC 6066 §3
constexpr std::uint16_t kExtensionSignatureAlgorithms = 13;  // RFC 8446 §4.2.3
constexpr std::uint16_t kExtensionAlpn = 16;                 // RFC 7301 §3.1
constexpr std::uint16_t kExtensionSupportedVersions = 43;    // RFC 8446 §4.2.1
constexpr std::uint8_t kServerNameTypeHostName = 0;

constexpr std::array<Interest, 1> kInterests = {
    Interest::tcp().minPayload(kRecordHeaderBytes + 1).firstBytes(std::string_view("\x16", 1)),
};

enum class ParseResult { kComplete, kTruncated, kMalformed };

// Reads the parts of one ClientHello body into `tls` and `ja4_input`.
class HelloParser {
 public:
  HelloParser(TlsFields& tls, Ja4Input& ja4_input) : tls_(tls), ja4_(ja4_input) {}

  ParseResult parse(ByteReader r, bool body_complete) {
    // A read that fails on a cut body means "truncated"; on a complete one, "malformed".
    const ParseResult short_read =
        body_complete ? ParseResult::kMalformed : ParseResult::kTruncated;
    ja4_.legacy_version = r.u16be();
    r.skip(kRandomBytes);
    const std::uint8_t session_id_len = r.u8();
    r.skip(session_id_len);
    const std::uint16_t cipher_bytes = r.u16be();
    if (!r.ok()) return short_read;
    if (cipher_bytes % 2 != 0) return ParseResult::kMalformed;
    ByteReader ciphers = r.sub(cipher_bytes);
    while (ciphers.ok() && !ciphers.empty()) ja4_.ciphers.push_back(ciphers.u16be());
    if (!r.ok()) return short_read;
    const std::uint8_t compression_len = r.u8();
    r.skip(compression_len);
    if (!r.ok()) return short_read;
    if (r.empty()) return ParseResult::kComplete;  // no extensions (allowed before TLS 1.3)

    const std::uint16_t extensions_len = r.u16be();
    if (!r.ok()) return short_read;
    // A cut list is still read up to the cut: the SNI usually comes early.
    const bool list_complete = r.remaining() >= extensions_len;
    if (!list_complete && body_complete) return ParseResult::kMalformed;
    ByteReader extensions = list_complete ? r.sub(extensions_len) : ByteReader(r.rest());
    while (!extensions.empty()) {
      const std::uint16_t type = extensions.u16be();
      const std::uint16_t len = extensions.u16be();
      ByteReader data = extensions.sub(len);
      if (!extensions.ok())
        return list_complete ? ParseResult::kMalformed : ParseResult::kTruncated;
      ja4_.extensions.push_back(type);
      if (!extension(type, data)) return ParseResult::kMalformed;
    }
    if (!list_complete) return ParseResult::kTruncated;
    return ParseResult::kComplete;
  }

 private:
  // `list` readers are taken with sub() and checked through their parent `data`: a sub-reader
  // over missing bytes is empty, and the parent records the failure.
  bool extension(std::uint16_t type, ByteReader data) {
    switch (type) {
      case kExtensionServerName: {
        ja4_.has_sni = true;
        ByteReader list = data.sub(data.u16be());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) {
          const std::uint8_t name_type = list.u8();
          const auto host = list.bytes(list.u16be());
          if (!list.ok()) return false;
          if (name_type == kServerNameTypeHostName && tls_.sni.empty()) tls_.sni = asciiText(host);
        }
        return list.ok();
      }
      case kExtensionAlpn: {
        ByteReader list = data.sub(data.u16be());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) {
          const auto protocol = list.bytes(list.u8());
          if (!list.ok()) return false;
          if (tls_.alpn.empty() && ja4_.first_alpn.empty()) {
            ja4_.first_alpn.assign(reinterpret_cast<const char*>(protocol.data()), protocol.size());
          }
          tls_.alpn.push_back(asciiText(protocol));
        }
        return list.ok();
      }
      case kExtensionSupportedVersions: {
        ByteReader list = data.sub(data.u8());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) ja4_.supported_versions.push_back(list.u16be());
        return list.ok();
      }
      case kExtensionSignatureAlgorithms: {
        ByteReader list = data.sub(data.u16be());
        if (!data.ok()) return false;
        while (list.ok() && !list.empty()) ja4_.signature_algorithms.push_back(list.u16be());
        return list.ok();
      }
      default:
        return true;
    }
  }

  TlsFields& tls_;
  Ja4Input& ja4_;
};

}  // namespace

std::string tlsVersionName(std::uint16_t version) {
  switch (version) {
    case 0x0304:
      return "1.3";
    case 0x0303:
      return "1.2";
    case 0x0302:
      return "1.1";
    case 0x0301:
      return "1.0";
    case 0x0300:
      return "ssl3";
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  return {'0',
          'x',
          kHex[version >> 12],
          kHex[(version >> 8) & 0xF],
          kHex[(version >> 4) & 0xF],
          kHex[version & 0xF]};
}

std::span<const Interest> TlsDissector::interests() const { return kInterests; }

Outcome TlsDissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                              AnomalyCounters& anomalies) const {
  ByteReader r(packet.payload);
  const std::uint8_t content_type = r.u8();
  const std::uint8_t major = r.u8();
  r.skip(1);
  const std::uint16_t record_len = r.u16be();
  const std::uint8_t handshake_type = r.u8();
  if (!r.ok() || content_type != kContentTypeHandshake || major != kRecordVersionMajor ||
      handshake_type != kHandshakeClientHello) {
    return Outcome::kNotMine;
  }

  // The handshake message (RFC 8446 §4) may span records (§5.1); join the fragments of the
  // handshake records in this segment. The common single-record case stays a view.
  ByteReader records(packet.payload);
  std::vector<std::uint8_t> joined;
  std::span<const std::uint8_t> message;
  {
    records.skip(kRecordHeaderBytes);
    const auto first = records.bytes(std::min<std::size_t>(record_len, records.remaining()));
    message = first;
    ByteReader header(first);
    header.skip(1);
    const std::size_t wanted = kHandshakeHeaderBytes + header.u24be();
    if (first.size() < wanted && first.size() == record_len) {
      joined.assign(first.begin(), first.end());
      while (joined.size() < wanted && records.remaining() > kRecordHeaderBytes) {
        if (records.u8() != kContentTypeHandshake) break;
        records.skip(2);
        const std::uint16_t len = records.u16be();
        const auto fragment = records.bytes(std::min<std::size_t>(len, records.remaining()));
        joined.insert(joined.end(), fragment.begin(), fragment.end());
        if (fragment.size() < len) break;
      }
      message = joined;
    }
  }

  ByteReader hello(message);
  hello.skip(1);
  const std::uint32_t body_len = hello.u24be();
  const bool body_complete = hello.remaining() >= body_len;
  ByteReader body = body_complete ? hello.sub(body_len) : ByteReader(hello.rest());

  Observation obs = makeObservation(ObservationType::kTls, packet);
  Ja4Input ja4_input;
  const ParseResult result = HelloParser(obs.tls, ja4_input).parse(body, body_complete);
  Outcome outcome = Outcome::kObserved;
  if (result == ParseResult::kComplete && body_complete) {
    obs.tls.ja4 = ja4(ja4_input);
  } else if (result == ParseResult::kMalformed) {
    anomalies.bump("tls.malformed_client_hello");
    outcome = Outcome::kMalformed;
  } else {
    anomalies.bump("tls.truncated_client_hello");
    outcome = Outcome::kTruncated;
  }
  // A cut hello may not have reached supported_versions; its legacy version would understate
  // what the client offers, so the version is reported only with the whole hello.
  if (!obs.tls.ja4.empty()) obs.tls.version = tlsVersionName(offeredVersion(ja4_input));
  sink.onObservation(obs);
  return outcome;
}

}  // namespace phaseout::dissect
