#include "detect/signal.h"

#include <array>

namespace phaseout::detect {
namespace {

constexpr std::array<std::string_view, kSignalKindCount> kNames = {
    "dhcp_param_list", "dhcp_vendor_class", "hostname",
    "dhcpv6_oro",      "dhcpv6_duid",       "dhcpv6_vendor_class",
    "mdns_service",    "mdns_txt",          "http_probe",
    "user_agent",      "dns_name",          "ja4",
    "tcp_syn",         "mac_oui",           "mac_random",
    "hardware_model",
};

}  // namespace

std::string_view name(SignalKind kind) { return kNames[static_cast<std::size_t>(kind)]; }

std::optional<SignalKind> parseSignalKind(std::string_view text) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) return static_cast<SignalKind>(i);
  }
  return std::nullopt;
}

}  // namespace phaseout::detect
