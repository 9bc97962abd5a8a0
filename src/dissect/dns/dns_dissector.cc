#include "dissect/dns/dns_dissector.h"

#include <array>

#include "core/byte_reader.h"
#include "dissect/dns/dns_name.h"
#include "dissect/text.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint16_t kDnsPort = 53;
constexpr std::uint16_t kMdnsPort = 5353;
constexpr std::uint16_t kLlmnrPort = 5355;        // RFC 4795 §2.1: DNS syntax, type "dns"
constexpr std::size_t kDnsHeaderBytes = 12;       // RFC 1035 §4.1.1
constexpr std::uint16_t kFlagResponse = 0x8000;   // QR
constexpr std::size_t kTcpLengthPrefixBytes = 2;  // RFC 1035 §4.2.2

// RR types with a text form here (RFC 1035 §3.3, RFC 3596 §2.2, RFC 2782).
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypePtr = 12;
constexpr std::uint16_t kTypeMx = 15;
constexpr std::uint16_t kTypeTxt = 16;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeSrv = 33;
constexpr std::uint16_t kTypeOpt = 41;  // RFC 6891 §6.1.1 pseudo-RR

constexpr std::array<std::uint16_t, 3> kUdpPorts = {kDnsPort, kMdnsPort, kLlmnrPort};
constexpr std::array<std::uint16_t, 1> kTcpPorts = {kDnsPort};
constexpr std::array<Interest, 2> kInterests = {
    Interest::udp(kUdpPorts).minPayload(kDnsHeaderBytes),
    Interest::tcp(kTcpPorts).minPayload(kTcpLengthPrefixBytes + kDnsHeaderBytes),
};

enum class Section { kAnswer, kAuthority, kAdditional };

class MessageParser {
 public:
  MessageParser(std::span<const std::uint8_t> message, DnsFields& fields,
                AnomalyCounters& anomalies)
      : reader_(message), fields_(fields), anomalies_(anomalies) {}

  // Returns false when the message turned out malformed or truncated.
  bool parse() {
    reader_.skip(2);  // ID
    const std::uint16_t flags = reader_.u16be();
    const std::uint16_t qdcount = reader_.u16be();
    const std::uint16_t ancount = reader_.u16be();
    const std::uint16_t nscount = reader_.u16be();
    const std::uint16_t arcount = reader_.u16be();
    if (!reader_.ok()) return bump("dns.truncated");
    fields_.response = (flags & kFlagResponse) != 0;

    for (std::uint32_t i = 0; i < qdcount; ++i) {
      if (!budget()) return false;
      std::string name;
      const DnsNameStatus status = readDnsName(reader_, name);
      const std::uint16_t qtype = reader_.u16be();
      reader_.skip(2);  // QCLASS
      if (status != DnsNameStatus::kOk) {
        bump(anomalyName(status));
        if (!reader_.ok()) return false;
        continue;
      }
      if (!reader_.ok()) return bump("dns.truncated");
      fields_.queries.push_back(std::move(name));
      fields_.query_types.push_back(qtype);
    }
    return records(ancount, Section::kAnswer) && records(nscount, Section::kAuthority) &&
           records(arcount, Section::kAdditional);
  }

 private:
  bool bump(std::string_view anomaly) {
    anomalies_.bump(anomaly);
    return false;
  }

  bool budget() {
    if (++entries_ <= DnsDissector::kMaxRecords) return true;
    return bump("dns.too_many_records");
  }

  // RFC 1035 §4.1.3.
  bool records(std::uint16_t count, Section section) {
    std::vector<DnsRecord>& out = section == Section::kAnswer      ? fields_.answers
                                  : section == Section::kAuthority ? fields_.authority
                                                                   : fields_.additional;
    for (std::uint32_t i = 0; i < count; ++i) {
      if (!budget()) return false;
      DnsRecord rr;
      const DnsNameStatus status = readDnsName(reader_, rr.name);
      rr.type = reader_.u16be();
      reader_.skip(2 + 4);  // CLASS, TTL
      const std::uint16_t rdlength = reader_.u16be();
      const std::size_t rdata_offset = reader_.offset();
      reader_.skip(rdlength);
      if (!reader_.ok())
        return bump(status == DnsNameStatus::kOk ? "dns.truncated" : anomalyName(status));
      if (status != DnsNameStatus::kOk) {
        bump(anomalyName(status));
        continue;
      }
      if (rr.type == kTypeOpt) continue;
      rdata(rr, rdata_offset, rdlength);
      out.push_back(std::move(rr));
    }
    return true;
  }

  // Fills rr.data / rr.txt from the RDATA at [offset, offset + length) of the message.
  void rdata(DnsRecord& rr, std::size_t offset, std::uint16_t length) {
    ByteReader r(reader_.data());
    r.seek(offset);
    const std::size_t end = offset + length;
    switch (rr.type) {
      case kTypeA:
      case kTypeAaaa: {
        const std::size_t size = rr.type == kTypeA ? 4 : 16;
        if (length != size) {
          anomalies_.bump("dns.bad_rdata");
          return;
        }
        decode::IpAddress ip;
        ip.family = rr.type == kTypeA ? 4 : 6;
        const auto bytes = r.bytes(size);
        for (std::size_t i = 0; i < size; ++i) ip.bytes[i] = bytes[i];
        rr.data = ip.toString();
        return;
      }
      case kTypeNs:
      case kTypeCname:
      case kTypePtr:
        rdataName(r, end, "", rr);
        return;
      case kTypeMx: {
        const std::uint16_t preference = r.u16be();
        rdataName(r, end, std::to_string(preference) + " ", rr);
        return;
      }
      case kTypeSrv: {
        // RFC 2782: priority, weight, port, target.
        const std::uint16_t priority = r.u16be();
        const std::uint16_t weight = r.u16be();
        const std::uint16_t port = r.u16be();
        rdataName(r, end,
                  std::to_string(priority) + " " + std::to_string(weight) + " " +
                      std::to_string(port) + " ",
                  rr);
        return;
      }
      case kTypeTxt: {
        // RFC 1035 §3.3.14: one or more <character-string>s.
        ByteReader txt = r.sub(length);
        while (txt.ok() && !txt.empty()) {
          const std::uint8_t len = txt.u8();
          const auto bytes = txt.bytes(len);
          if (!txt.ok()) {
            anomalies_.bump("dns.bad_rdata");
            return;
          }
          rr.txt.push_back(displayText(bytes));
        }
        return;
      }
      default:
        return;
    }
  }

  // A domain name that must end within the RDATA (it may point elsewhere in the message).
  void rdataName(ByteReader& r, std::size_t end, std::string prefix, DnsRecord& rr) {
    std::string target;
    const DnsNameStatus status = readDnsName(r, target);
    if (status != DnsNameStatus::kOk) {
      anomalies_.bump(anomalyName(status));
      return;
    }
    if (!r.ok() || r.offset() > end) {
      anomalies_.bump("dns.bad_rdata");
      return;
    }
    rr.data = std::move(prefix);
    rr.data += target;
  }

  ByteReader reader_;
  DnsFields& fields_;
  AnomalyCounters& anomalies_;
  std::size_t entries_ = 0;
};

Outcome parseMessage(std::span<const std::uint8_t> message, const decode::DecodedPacket& packet,
                     ObservationSink& sink, AnomalyCounters& anomalies) {
  if (message.size() < kDnsHeaderBytes) {
    anomalies.bump("dns.truncated");
    return Outcome::kTruncated;
  }
  const bool mdns = packet.src_port == kMdnsPort || packet.dst_port == kMdnsPort;
  Observation obs = makeObservation(mdns ? ObservationType::kMdns : ObservationType::kDns, packet);
  MessageParser parser(message, obs.dns, anomalies);
  const bool ok = parser.parse();
  sink.onObservation(obs);
  return ok ? Outcome::kObserved : Outcome::kMalformed;
}

}  // namespace

std::span<const Interest> DnsDissector::interests() const { return kInterests; }

Outcome DnsDissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                              AnomalyCounters& anomalies) const {
  if (packet.transport == decode::Transport::kUdp) {
    return parseMessage(packet.payload, packet, sink, anomalies);
  }
  // TCP: only segments that hold whole length-prefixed messages from their first byte; a
  // segment in the middle of a stream is not DNS-shaped from here and is left alone.
  ByteReader r(packet.payload);
  Outcome outcome = Outcome::kNotMine;
  while (r.remaining() >= kTcpLengthPrefixBytes + kDnsHeaderBytes) {
    ByteReader peek = r;
    const std::uint16_t length = peek.u16be();
    if (length < kDnsHeaderBytes || length > peek.remaining()) break;
    r.skip(kTcpLengthPrefixBytes);
    const Outcome one = parseMessage(r.bytes(length), packet, sink, anomalies);
    if (outcome == Outcome::kNotMine || one != Outcome::kObserved) outcome = one;
  }
  return outcome;
}

}  // namespace phaseout::dissect
