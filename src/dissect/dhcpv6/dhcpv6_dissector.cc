#include "dissect/dhcpv6/dhcpv6_dissector.h"

#include <array>
#include <bitset>

#include "core/byte_reader.h"
#include "dissect/text.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint8_t kMessageRelayForward = 12;  // RFC 8415 §7.3
constexpr std::uint8_t kMessageRelayReply = 13;
constexpr std::size_t kTransactionIdBytes = 3;             // §8
constexpr std::size_t kRelayAddressesBytes = 1 + 16 + 16;  // §9: hop-count, link, peer

constexpr std::uint16_t kOptionClientId = 1;      // §21.2
constexpr std::uint16_t kOptionOro = 6;           // §21.7
constexpr std::uint16_t kOptionRelayMessage = 9;  // §21.10
constexpr std::uint16_t kOptionVendorClass = 16;  // §21.16
constexpr std::uint16_t kOptionClientFqdn = 39;   // RFC 4704 §4

constexpr std::uint16_t kDuidLlt = 1;                   // §11.2
constexpr std::uint16_t kDuidLl = 3;                    // §11.4
constexpr std::size_t kDuidLltHeaderBytes = 2 + 2 + 4;  // type, hardware type, time
constexpr std::size_t kDuidLlHeaderBytes = 2 + 2;       // type, hardware type

constexpr std::array<std::uint16_t, 2> kPorts = {546, 547};
constexpr std::array<Interest, 1> kInterests = {
    Interest::udp(kPorts).minPayload(4),
};

void fillDuid(std::span<const std::uint8_t> duid, Dhcpv6Fields& fields,
              AnomalyCounters& anomalies) {
  if (duid.size() < 2) {
    anomalies.bump("dhcpv6.bad_option_length");
    return;
  }
  fields.duid = hexText(duid);
  ByteReader r(duid);
  const std::uint16_t type = r.u16be();
  fields.duid_type = type;
  const std::size_t header = type == kDuidLlt  ? kDuidLltHeaderBytes
                             : type == kDuidLl ? kDuidLlHeaderBytes
                                               : 0;
  if (header != 0 && duid.size() > header) {
    fields.duid_lladdr = hexText(duid.subspan(header), ':');
  }
}

// RFC 4704 §4.1: flags, then a domain name in DNS wire format (RFC 1035 §3.1), possibly
// partial (no root label).
std::string fqdnText(std::span<const std::uint8_t> data) {
  ByteReader r(data);
  r.skip(1);  // flags
  std::string out;
  while (r.ok() && !r.empty()) {
    const std::uint8_t len = r.u8();
    if (len == 0 || len > 63) break;
    const auto label = r.bytes(len);
    if (!r.ok()) break;
    if (!out.empty()) out.push_back('.');
    appendDisplayText(label, out);
  }
  return out;
}

class MessageParser {
 public:
  MessageParser(Dhcpv6Fields& fields, AnomalyCounters& anomalies)
      : fields_(fields), anomalies_(anomalies) {}

  // Parses `message`; returns false when it produced nothing to report.
  bool parse(std::span<const std::uint8_t> message, int depth, bool& malformed) {
    ByteReader r(message);
    const std::uint8_t msg_type = r.u8();
    if (msg_type == kMessageRelayForward || msg_type == kMessageRelayReply) {
      if (depth >= Dhcpv6Dissector::kMaxRelayDepth) {
        anomalies_.bump("dhcpv6.relay_too_deep");
        return false;
      }
      r.skip(kRelayAddressesBytes);
      if (!r.ok()) {
        anomalies_.bump("dhcpv6.truncated");
        return false;
      }
      // Only the Relay Message option matters here.
      while (!r.empty()) {
        const std::uint16_t code = r.u16be();
        const std::uint16_t len = r.u16be();
        const auto data = r.bytes(len);
        if (!r.ok()) {
          anomalies_.bump("dhcpv6.option_overrun");
          malformed = true;
          break;
        }
        if (code == kOptionRelayMessage) return parse(data, depth + 1, malformed);
      }
      anomalies_.bump("dhcpv6.missing_relay_message");
      return false;
    }

    r.skip(kTransactionIdBytes);
    if (!r.ok()) {
      anomalies_.bump("dhcpv6.truncated");
      return false;
    }
    fields_.msg_type = msg_type;
    while (!r.empty()) {
      const std::uint16_t code = r.u16be();
      const std::uint16_t len = r.u16be();
      const auto data = r.bytes(len);
      if (!r.ok()) {
        anomalies_.bump("dhcpv6.option_overrun");
        malformed = true;
        break;
      }
      option(code, data);
    }
    return true;
  }

 private:
  bool first(std::uint16_t code) {
    if (code >= seen_.size()) return true;
    if (seen_.test(code)) return false;
    seen_.set(code);
    return true;
  }

  void option(std::uint16_t code, std::span<const std::uint8_t> data) {
    switch (code) {
      case kOptionClientId:
        if (first(code)) fillDuid(data, fields_, anomalies_);
        return;
      case kOptionOro: {
        if (data.size() % 2 != 0) {
          anomalies_.bump("dhcpv6.bad_option_length");
          return;
        }
        if (!first(code)) return;
        ByteReader r(data);
        while (!r.empty()) fields_.oro.push_back(r.u16be());
        return;
      }
      case kOptionVendorClass: {
        // §21.16: enterprise-number, then vendor-class-data items (2-byte length + data).
        ByteReader r(data);
        const std::uint32_t enterprise = r.u32be();
        if (!r.ok()) {
          anomalies_.bump("dhcpv6.bad_option_length");
          return;
        }
        if (!first(code)) return;
        fields_.vendor_class_enterprise = enterprise;
        while (!r.empty()) {
          const auto item = r.bytes(r.u16be());
          if (!r.ok()) {
            anomalies_.bump("dhcpv6.option_overrun");
            return;
          }
          fields_.vendor_class_data.push_back(asciiText(item));
        }
        return;
      }
      case kOptionClientFqdn:
        if (first(code)) fields_.fqdn = fqdnText(data);
        return;
      default:
        return;
    }
  }

  Dhcpv6Fields& fields_;
  AnomalyCounters& anomalies_;
  std::bitset<64> seen_;
};

}  // namespace

std::span<const Interest> Dhcpv6Dissector::interests() const { return kInterests; }

Outcome Dhcpv6Dissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                                 AnomalyCounters& anomalies) const {
  Observation obs = makeObservation(ObservationType::kDhcpv6, packet);
  bool malformed = false;
  if (!MessageParser(obs.dhcpv6, anomalies).parse(packet.payload, 0, malformed)) {
    return Outcome::kMalformed;
  }
  sink.onObservation(obs);
  return malformed ? Outcome::kMalformed : Outcome::kObserved;
}

}  // namespace phaseout::dissect
