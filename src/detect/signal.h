// SignalKind: the kinds of network evidence a signature can name, with their canonical names
// (as written in data/signatures/*.yaml and printed in verdicts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace phaseout::detect {

enum class SignalKind : std::uint8_t {
  kDhcpParamList,      // "dhcp_param_list": option 55 as "1,121,3,6,15,119,252"
  kDhcpVendorClass,    // "dhcp_vendor_class": option 60
  kHostname,           // "hostname": DHCP option 12/81, DHCPv6 FQDN, mDNS host and instance names
  kDhcpv6Oro,          // "dhcpv6_oro": option request option as "23,24,17"
  kDhcpv6Duid,         // "dhcpv6_duid": DUID type as "type=1" (1 LLT, 2 EN, 3 LL, 4 UUID)
  kDhcpv6VendorClass,  // "dhcpv6_vendor_class": "<enterprise>:<data>"
  kMdnsService,        // "mdns_service": a DNS-SD service type queried or announced
  kMdnsTxt,            // "mdns_txt": one TXT key=value of an announcement
  kHttpProbe,          // "http_probe": "<host><path>" of a plain-HTTP request
  kUserAgent,          // "user_agent": an HTTP User-Agent, classified by rules
  kDnsName,            // "dns_name": a DNS query name, TLS SNI or HTTP Host
  kJa4,                // "ja4": the JA4 of a TLS ClientHello
  kTcpSyn,             // "tcp_syn": "ttl<initial>:<options>:ws<scale>:win<window>:ecn<0|1>:df<0|1>"
  kMacOui,             // "mac_oui": the IEEE registry's organisation name for the MAC
  kMacRandom,          // "mac_random": "locally-administered" for a random MAC
  kHardwareModel,      // "hardware_model": a hardware identifier ("iPhone14,2", "iMac11,3")
};
inline constexpr std::size_t kSignalKindCount = 16;

std::string_view name(SignalKind kind);
std::optional<SignalKind> parseSignalKind(std::string_view text);

}  // namespace phaseout::detect
