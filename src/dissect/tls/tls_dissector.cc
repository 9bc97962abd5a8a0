#include "dissect/tls/tls_dissector.h"

#include <array>
#include <vector>

#include "core/byte_reader.h"
#include "dissect/tls/client_hello.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint8_t kContentTypeHandshake = 22;  // RFC 8446 §5.1
constexpr std::uint8_t kRecordVersionMajor = 3;
constexpr std::uint8_t kHandshakeClientHello = 1;  // RFC 8446 §4
constexpr std::size_t kRecordHeaderBytes = 5;
constexpr std::size_t kHandshakeHeaderBytes = 4;

constexpr std::array<Interest, 1> kInterests = {
    Interest::tcp().minPayload(kRecordHeaderBytes + 1).firstBytes(std::string_view("\x16", 1)),
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

  Observation obs = makeObservation(ObservationType::kTls, packet);
  Outcome outcome = Outcome::kObserved;
  switch (parseClientHello(message, 't', obs.tls)) {
    case ClientHelloResult::kComplete:
      break;
    case ClientHelloResult::kMalformed:
      anomalies.bump("tls.malformed_client_hello");
      outcome = Outcome::kMalformed;
      break;
    case ClientHelloResult::kTruncated:
      anomalies.bump("tls.truncated_client_hello");
      outcome = Outcome::kTruncated;
      break;
  }
  sink.onObservation(obs);
  return outcome;
}

}  // namespace phaseout::dissect
