#include "detect/packet_evidence.h"

#include <string_view>

namespace phaseout::detect {
namespace {

// RFC 2131 §3.1 / RFC 2132 §9.6 message types.
constexpr std::uint8_t kDhcpDiscover = 1;
constexpr std::uint8_t kDhcpOffer = 2;
constexpr std::uint8_t kDhcpRequest = 3;
constexpr std::uint8_t kDhcpDecline = 4;
constexpr std::uint8_t kDhcpAck = 5;
constexpr std::uint8_t kDhcpRelease = 7;
constexpr std::uint8_t kDhcpInform = 8;
constexpr std::uint16_t kBootpServerPort = 67;

// RFC 8415 §7.3: messages a client sends.
bool isDhcpv6ClientMessage(std::uint8_t type) {
  switch (type) {
    case 1:   // SOLICIT
    case 3:   // REQUEST
    case 4:   // CONFIRM
    case 5:   // RENEW
    case 6:   // REBIND
    case 8:   // RELEASE
    case 9:   // DECLINE
    case 11:  // INFORMATION-REQUEST
      return true;
    default:
      return false;
  }
}

std::string_view stripDot(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (a != suffix[i]) return false;
  }
  return true;
}

// "Luca’s iMac._companion-link._tcp.local" -> "Luca’s iMac" when the rest is a service type.
std::string_view instanceName(std::string_view name) {
  name = stripDot(name);
  for (std::size_t dot = name.find("._"); dot != std::string_view::npos;
       dot = name.find("._", dot + 1)) {
    if (!dnsSdServiceType(name.substr(dot + 1)).empty()) return name.substr(0, dot);
  }
  return {};
}

// "Gabrieles-iPad.local" -> "Gabrieles-iPad"; "" for names outside .local.
std::string_view localHost(std::string_view name) {
  name = stripDot(name);
  if (!endsWith(name, ".local")) return {};
  name.remove_suffix(6);
  if (name.empty() || name.find('.') != std::string_view::npos || name[0] == '_') return {};
  return name;
}

// The last word of an SRV RDATA "priority weight port target".
std::string_view srvTarget(std::string_view data) {
  const std::size_t space = data.rfind(' ');
  return space == std::string_view::npos ? data : data.substr(space + 1);
}

int initialTtl(std::uint8_t ttl) {
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

bool isIpLiteral(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return true;
  for (char c : host) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == ':')) return false;
  }
  return true;
}

void appendList(std::string& out, const auto& list) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(list[i]);
  }
}

}  // namespace

// "_companion-link._tcp.local" (also "<x>._sub._apple-mobdev2._tcp.local") -> the service type
// "_apple-mobdev2._tcp"; "" when the name is not a DNS-SD service type (RFC 6763 §7).
std::string_view dnsSdServiceType(std::string_view name) {
  name = stripDot(name);
  if (!endsWith(name, ".local")) return {};
  name.remove_suffix(6);
  const std::size_t sub = name.find("._sub.");
  if (sub != std::string_view::npos) name = name.substr(sub + 6);
  if (name.empty() || name[0] != '_') return {};
  if (!endsWith(name, "._tcp") && !endsWith(name, "._udp")) return {};
  if (name == "_services._dns-sd._udp") return {};
  return name;
}

void PacketEvidence::onObservation(const dissect::Observation& o) {
  const Where where{source_, o.frame, 0, o.ts_ns};
  if (o.type == dissect::ObservationType::kDhcp) {
    onDhcp(o, where);
    return;
  }
  DeviceKey key;
  if (o.has_mac) key.mac = o.src_mac;
  key.ip = o.src_ip;
  switch (o.type) {
    case dissect::ObservationType::kDhcpv6:
      onDhcpv6(o, key, where);
      break;
    case dissect::ObservationType::kDns:
      if (o.dns.response) break;
      for (const auto& q : o.dns.queries) {
        ledger_.observe(key, SignalKind::kDnsName, stripDot(q), where);
      }
      break;
    case dissect::ObservationType::kMdns:
      onMdns(o, key, where);
      break;
    case dissect::ObservationType::kHttp: {
      ledger_.observe(key, SignalKind::kUserAgent, o.http.user_agent, where);
      std::string_view host = o.http.host;
      const std::size_t colon = host.rfind(':');
      if (colon != std::string_view::npos && host.find(']') == std::string_view::npos &&
          host.find(':') == colon) {
        host = host.substr(0, colon);  // "example.com:8080"
      }
      std::string_view path = o.http.path;
      const std::size_t q = path.find('?');
      if (q != std::string_view::npos) path = path.substr(0, q);
      if (!host.empty() && !isIpLiteral(host)) {
        ledger_.observe(key, SignalKind::kDnsName, host, where);
        buffer_.assign(host);
        buffer_.append(path);
        ledger_.observe(key, SignalKind::kHttpProbe, buffer_, where);
      }
      if (!host.empty()) {
        // A proxy request names the origin in absolute form (RFC 9112 §3.2.2); the service
        // is the Host and the origin's path.
        const std::size_t scheme = path.find("://");
        if (scheme != std::string_view::npos && path.find('/') > scheme) {
          const std::size_t slash = path.find('/', scheme + 3);
          path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
        }
        buffer_.assign(host);
        buffer_.append(path);
        ledger_.noteServiceUse(key, buffer_, {}, o.http.user_agent, where);
      }
      break;
    }
    case dissect::ObservationType::kTls:
      ledger_.observe(key, SignalKind::kDnsName, o.tls.sni, where);
      ledger_.observe(key, SignalKind::kJa4, o.tls.ja4, where);
      if (!o.tls.sni.empty()) ledger_.noteServiceUse(key, o.tls.sni, {}, {}, where);
      break;
    case dissect::ObservationType::kQuic:
      // A QUIC client hello: the TLS ClientHello of IETF QUIC, or gQUIC's CHLO whose UAID tag
      // is the browser's User-Agent ("Chrome/83.0.4103.101 Android 8.0.0; LDN-L21").
      ledger_.observe(key, SignalKind::kDnsName, o.quic.sni, where);
      ledger_.observe(key, SignalKind::kUserAgent, o.quic.user_agent, where);
      ledger_.observe(key, SignalKind::kJa4, o.quic.ja4, where);
      if (!o.quic.sni.empty()) {
        ledger_.noteServiceUse(key, o.quic.sni, {}, o.quic.user_agent, where);
      }
      break;
    case dissect::ObservationType::kTcpSyn: {
      const auto& s = o.tcp_syn;
      buffer_ = "ttl";
      buffer_ += std::to_string(initialTtl(s.ttl));
      buffer_ += ':';
      buffer_ += s.options;
      buffer_ += ":ws";
      if (s.wscale) buffer_ += std::to_string(*s.wscale);
      buffer_ += ":win";
      buffer_ += std::to_string(s.window);
      buffer_ += s.ecn ? ":ecn1" : ":ecn0";
      buffer_ += s.df ? ":df1" : ":df0";
      ledger_.observe(key, SignalKind::kTcpSyn, buffer_, where);
      break;
    }
    case dissect::ObservationType::kDhcp:
      break;
  }
}

void PacketEvidence::onDhcp(const dissect::Observation& o, const Where& where) {
  const auto& d = o.dhcp;
  const std::uint8_t type = d.msg_type.value_or(0);
  if (type == kDhcpOffer || type == kDhcpAck) {
    if (d.client_mac && d.your_ip) ledger_.bindAddress(*d.client_mac, *d.your_ip);
    return;
  }
  const bool from_client = type == kDhcpDiscover || type == kDhcpRequest || type == kDhcpDecline ||
                           type == kDhcpRelease || type == kDhcpInform ||
                           (type == 0 && o.dst_port == kBootpServerPort);
  if (!from_client) return;
  DeviceKey key;
  if (d.client_mac) {
    key.mac = *d.client_mac;
  } else if (o.has_mac) {
    key.mac = o.src_mac;
  }
  if (d.client_ip) key.ip = *d.client_ip;
  if (!d.param_list.empty()) {
    buffer_.clear();
    appendList(buffer_, d.param_list);
    ledger_.observe(key, SignalKind::kDhcpParamList, buffer_, where);
  }
  ledger_.observe(key, SignalKind::kDhcpVendorClass, d.vendor_class, where);
  if (!d.hostname.empty()) ledger_.noteHostname(key, d.hostname, where);
  if (!d.client_fqdn.empty()) {
    std::string_view fqdn = d.client_fqdn;
    ledger_.noteHostname(key, fqdn.substr(0, fqdn.find('.')), where);
  }
  if (!d.client_id.empty()) ledger_.noteIdentifier(key, IdentifierKind::kDhcpClientId, d.client_id);
  if (d.client_mac) {
    if (d.requested_ip) ledger_.bindAddress(*d.client_mac, *d.requested_ip);
    if (d.client_ip) ledger_.bindAddress(*d.client_mac, *d.client_ip);
  }
}

void PacketEvidence::onDhcpv6(const dissect::Observation& o, const DeviceKey& key,
                              const Where& where) {
  const auto& d = o.dhcpv6;
  if (!isDhcpv6ClientMessage(d.msg_type)) return;
  if (!d.oro.empty()) {
    buffer_.clear();
    appendList(buffer_, d.oro);
    ledger_.observe(key, SignalKind::kDhcpv6Oro, buffer_, where);
  }
  if (d.duid_type) {
    buffer_ = "type=" + std::to_string(*d.duid_type);
    ledger_.observe(key, SignalKind::kDhcpv6Duid, buffer_, where);
  }
  if (d.vendor_class_enterprise) {
    buffer_ = std::to_string(*d.vendor_class_enterprise);
    buffer_ += ':';
    if (!d.vendor_class_data.empty()) buffer_ += d.vendor_class_data.front();
    ledger_.observe(key, SignalKind::kDhcpv6VendorClass, buffer_, where);
  }
  if (!d.fqdn.empty()) {
    std::string_view fqdn = d.fqdn;
    ledger_.noteHostname(key, fqdn.substr(0, fqdn.find('.')), where);
  }
  if (!d.duid.empty()) ledger_.noteIdentifier(key, IdentifierKind::kDuid, d.duid);
}

void PacketEvidence::onMdns(const dissect::Observation& o, const DeviceKey& key,
                            const Where& where) {
  const auto& d = o.dns;
  auto service = [&](std::string_view prefix, std::string_view type) {
    if (type.empty()) return;
    buffer_.assign(prefix);
    buffer_.append(type);
    ledger_.observe(key, SignalKind::kMdnsService, buffer_, where);
  };
  for (const auto& q : d.queries) service("query:", dnsSdServiceType(q));
  // What a device says of itself: answers of its responses, and the records it proposes in
  // the authority section of its probes (RFC 6762 §8.2).
  auto selfRecords = [&](const std::vector<dissect::DnsRecord>& records) {
    for (const auto& r : records) {
      switch (r.type) {
        case 1:   // A
        case 28:  // AAAA
          ledger_.noteHostname(key, localHost(r.name), where);
          break;
        case 33:  // SRV
          ledger_.noteHostname(key, localHost(srvTarget(r.data)), where);
          break;
        case 12: {  // PTR
          const std::string_view owner = stripDot(r.name);
          if (endsWith(owner, ".arpa")) {
            ledger_.noteHostname(key, localHost(r.data), where);
          } else if (owner == "_services._dns-sd._udp.local") {
            service("announce:", dnsSdServiceType(r.data));
          } else if (!dnsSdServiceType(owner).empty()) {
            service("announce:", dnsSdServiceType(owner));
            const std::string_view instance = instanceName(r.data);
            if (!instance.empty()) {
              ledger_.observe(key, SignalKind::kHostname, instance, where);
              ledger_.noteIdentifier(key, IdentifierKind::kMdnsInstance, instance);
            }
          }
          break;
        }
        case 16:  // TXT
          for (const auto& kv : r.txt) {
            ledger_.observe(key, SignalKind::kMdnsTxt, kv, where);
            const std::size_t eq = kv.find('=');
            if (eq == std::string::npos) continue;
            const std::string_view k = std::string_view(kv).substr(0, eq);
            if (k == "model" || k == "rpMd" || k == "am" || k == "md") {
              ledger_.observe(key, SignalKind::kHardwareModel, std::string_view(kv).substr(eq + 1),
                              where);
            }
          }
          break;
        default:
          break;
      }
    }
  };
  if (d.response) {
    selfRecords(d.answers);
    selfRecords(d.additional);
  }
  selfRecords(d.authority);
}

}  // namespace phaseout::detect
