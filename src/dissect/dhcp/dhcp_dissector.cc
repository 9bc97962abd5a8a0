#include "dissect/dhcp/dhcp_dissector.h"

#include <array>
#include <bitset>

#include "core/byte_reader.h"
#include "dissect/text.h"

namespace phaseout::dissect {
namespace {

// RFC 2131 §2, Figure 1: fixed BOOTP fields before the options.
constexpr std::size_t kDhcpHtypeOffset = 1;
constexpr std::size_t kDhcpCiaddrOffset = 12;
constexpr std::size_t kDhcpYiaddrOffset = 16;
constexpr std::size_t kDhcpChaddrOffset = 28;
constexpr std::size_t kDhcpSnameOffset = 44;
constexpr std::size_t kDhcpSnameBytes = 64;
constexpr std::size_t kDhcpFileOffset = 108;
constexpr std::size_t kDhcpFileBytes = 128;
constexpr std::size_t kDhcpMagicCookieOffset = 236;
constexpr std::size_t kBootpHeaderBytes = 236;
constexpr std::uint32_t kDhcpMagicCookie = 0x63825363;  // RFC 2131 §3

// RFC 2132 option codes.
constexpr std::uint8_t kOptionPad = 0;
constexpr std::uint8_t kOptionHostName = 12;        // §3.14
constexpr std::uint8_t kOptionRequestedIp = 50;     // §9.1
constexpr std::uint8_t kOptionOverload = 52;        // §9.3
constexpr std::uint8_t kOptionMessageType = 53;     // §9.6
constexpr std::uint8_t kOptionParameterList = 55;   // §9.8
constexpr std::uint8_t kOptionMaxMessageSize = 57;  // §9.10
constexpr std::uint8_t kOptionVendorClass = 60;     // §9.13
constexpr std::uint8_t kOptionClientId = 61;        // §9.14
constexpr std::uint8_t kOptionUserClass = 77;       // RFC 3004 §4
constexpr std::uint8_t kOptionClientFqdn = 81;      // RFC 4702 §2
constexpr std::uint8_t kOptionEnd = 255;

constexpr std::uint8_t kHtypeEthernet = 1;
constexpr std::uint8_t kFqdnFlagEncoded = 0x04;  // RFC 4702 §2.1, the "E" bit

constexpr std::array<std::uint16_t, 2> kPorts = {67, 68};
constexpr std::array<Interest, 1> kInterests = {
    Interest::udp(kPorts).minPayload(kBootpHeaderBytes),
};

decode::IpAddress ipv4(std::span<const std::uint8_t> b) {
  decode::IpAddress ip;
  ip.family = 4;
  for (std::size_t i = 0; i < 4 && i < b.size(); ++i) ip.bytes[i] = b[i];
  return ip;
}

bool isZero(std::span<const std::uint8_t> b) {
  for (std::uint8_t c : b) {
    if (c != 0) return false;
  }
  return true;
}

// RFC 3004 §4: a sequence of (length, data) instances. Clients that send a bare string
// instead are common, so anything that does not parse exactly is shown as one string.
std::string userClassText(std::span<const std::uint8_t> data) {
  ByteReader r(data);
  std::string out;
  bool well_formed = !data.empty();
  while (r.ok() && !r.empty()) {
    const std::uint8_t len = r.u8();
    auto instance = r.bytes(len);
    if (!r.ok() || len == 0) {
      well_formed = false;
      break;
    }
    if (!out.empty()) out.push_back(',');
    appendAsciiText(instance, out);
  }
  return well_formed ? out : asciiText(data);
}

// RFC 4702 §2.3: with the E bit the name is in DNS wire format (RFC 1035 §3.1, uncompressed,
// possibly without the final root label); without it, ASCII (deprecated).
std::string clientFqdnText(std::span<const std::uint8_t> data) {
  ByteReader r(data);
  const std::uint8_t flags = r.u8();
  r.skip(2);  // RCODE1, RCODE2
  if (!r.ok()) return {};
  if ((flags & kFqdnFlagEncoded) == 0) return asciiText(r.rest());
  std::string out;
  while (!r.empty()) {
    const std::uint8_t len = r.u8();
    if (len == 0 || len > 63) break;
    auto label = r.bytes(len);
    if (!r.ok()) break;
    if (!out.empty()) out.push_back('.');
    appendDisplayText(label, out);
  }
  return out;
}

class OptionParser {
 public:
  OptionParser(DhcpFields& fields, AnomalyCounters& anomalies)
      : fields_(fields), anomalies_(anomalies) {}

  // Parses one option area. Returns false when it had to stop at a malformed option.
  bool parse(std::span<const std::uint8_t> area, bool require_end) {
    ByteReader r(area);
    while (!r.empty()) {
      const std::uint8_t code = r.u8();
      if (code == kOptionPad) continue;
      if (code == kOptionEnd) return true;
      const std::uint8_t len = r.u8();
      auto data = r.bytes(len);
      if (!r.ok()) {
        anomalies_.bump("dhcp.option_overrun");
        return false;
      }
      apply(code, data);
    }
    if (require_end) anomalies_.bump("dhcp.missing_end");
    return true;
  }

  std::uint8_t overload() const { return overload_; }

 private:
  // True the first time `code` is seen; later copies count as duplicates.
  bool first(std::uint8_t code) {
    if (seen_.test(code)) {
      anomalies_.bump("dhcp.duplicate_option");
      return false;
    }
    seen_.set(code);
    return true;
  }

  void apply(std::uint8_t code, std::span<const std::uint8_t> data) {
    switch (code) {
      case kOptionMessageType:
        if (data.size() != 1) return badLength();
        if (first(code)) fields_.msg_type = data[0];
        return;
      case kOptionHostName:
        if (first(code)) fields_.hostname = asciiText(data);
        return;
      case kOptionRequestedIp:
        if (data.size() != 4) return badLength();
        if (first(code)) fields_.requested_ip = ipv4(data);
        return;
      case kOptionOverload:
        if (data.size() != 1) return badLength();
        if (first(code)) overload_ = data[0];
        return;
      case kOptionParameterList:
        // Split options are concatenated (RFC 3396 §7); tshark lists every item too.
        fields_.param_list.insert(fields_.param_list.end(), data.begin(), data.end());
        return;
      case kOptionMaxMessageSize: {
        if (data.size() != 2) return badLength();
        ByteReader v(data);
        if (first(code)) fields_.max_msg_size = v.u16be();
        return;
      }
      case kOptionVendorClass:
        if (first(code)) fields_.vendor_class = asciiText(data);
        return;
      case kOptionClientId:
        if (first(code)) fields_.client_id = hexText(data);
        return;
      case kOptionUserClass:
        if (first(code)) fields_.user_class = userClassText(data);
        return;
      case kOptionClientFqdn:
        if (first(code)) fields_.client_fqdn = clientFqdnText(data);
        return;
      default:
        return;
    }
  }

  void badLength() { anomalies_.bump("dhcp.bad_option_length"); }

  DhcpFields& fields_;
  AnomalyCounters& anomalies_;
  std::uint8_t overload_ = 0;
  std::bitset<256> seen_;
};

}  // namespace

std::span<const Interest> DhcpDissector::interests() const { return kInterests; }

Outcome DhcpDissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                               AnomalyCounters& anomalies) const {
  ByteReader r(packet.payload);
  if (r.size() < kBootpHeaderBytes) {
    anomalies.bump("dhcp.truncated");
    return Outcome::kTruncated;
  }
  Observation obs = makeObservation(ObservationType::kDhcp, packet);
  DhcpFields& fields = obs.dhcp;
  const auto header = r.bytes(kBootpHeaderBytes);

  const std::uint8_t htype = header[kDhcpHtypeOffset];
  const std::uint8_t hlen = header[kDhcpHtypeOffset + 1];
  if (htype == kHtypeEthernet && hlen == 6) {
    decode::MacAddress mac;
    for (std::size_t i = 0; i < 6; ++i) mac.bytes[i] = header[kDhcpChaddrOffset + i];
    fields.client_mac = mac;
  }
  const auto ciaddr = header.subspan(kDhcpCiaddrOffset, 4);
  const auto yiaddr = header.subspan(kDhcpYiaddrOffset, 4);
  if (!isZero(ciaddr)) fields.client_ip = ipv4(ciaddr);
  if (!isZero(yiaddr)) fields.your_ip = ipv4(yiaddr);

  Outcome outcome = Outcome::kObserved;
  ByteReader cookie_reader(packet.payload);
  cookie_reader.skip(kDhcpMagicCookieOffset);
  const std::uint32_t cookie = cookie_reader.u32be();
  if (!cookie_reader.ok() || cookie != kDhcpMagicCookie) {
    // Plain BOOTP or garbage: the fixed fields are all there is.
    anomalies.bump("dhcp.bad_magic_cookie");
    outcome = Outcome::kMalformed;
  } else {
    OptionParser options(fields, anomalies);
    bool ok = options.parse(cookie_reader.rest(), /*require_end=*/true);
    // RFC 2132 §9.3: with option 52, 'file' then 'sname' carry more options.
    const std::uint8_t overload = options.overload();
    if (ok && (overload == 1 || overload == 3)) {
      ok = options.parse(header.subspan(kDhcpFileOffset, kDhcpFileBytes), false);
    }
    if (ok && (overload == 2 || overload == 3)) {
      ok = options.parse(header.subspan(kDhcpSnameOffset, kDhcpSnameBytes), false);
    }
    if (!ok) outcome = Outcome::kMalformed;
  }
  sink.onObservation(obs);
  return outcome;
}

}  // namespace phaseout::dissect
