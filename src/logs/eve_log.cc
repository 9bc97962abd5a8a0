#include "logs/eve_log.h"

#include <nlohmann/json.hpp>

namespace phaseout::logs {
namespace {

using nlohmann::json;

// The string at `key` of `object`, "" when absent or not a string.
std::string_view str(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string_view stripDot(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

std::optional<decode::IpAddress> deviceIp(std::string_view text) {
  auto ip = parseIp(text);
  if (ip && !isDeviceAddress(*ip)) return std::nullopt;
  return ip;
}

}  // namespace

void EveParser::parseLine(std::string_view line, std::uint64_t number) {
  if (line.empty()) {
    ++stats_.skipped;
    return;
  }
  const json event = json::parse(line, nullptr, false);
  if (event.is_discarded() || !event.is_object()) {
    bad(number, "not a JSON object (truncated or garbled line?)");
    return;
  }
  const std::string_view type = str(event, "event_type");
  if (type != "dhcp" && type != "dns" && type != "http" && type != "tls") {
    if (type.empty()) {
      bad(number, "no event_type (not a Suricata eve record?)");
    } else {
      ++stats_.skipped;
    }
    return;
  }
  ++stats_.records;
  const detect::Where w = where(number, parseIsoTime(str(event, "timestamp")).value_or(0));
  try {
    if (type == "dhcp") {
      const json& d = member(event, "dhcp");
      const auto mac = parseMac(str(d, "client_mac"));
      if (!mac) return;
      if (str(d, "type") == "reply") {
        if (const auto ip = deviceIp(str(d, "assigned_ip"))) ledger_.bindAddress(*mac, *ip);
        return;
      }
      const auto client = deviceIp(str(d, "client_ip"));
      const detect::DeviceKey key{*mac, client.value_or(decode::IpAddress{})};
      const std::string_view host = str(d, "hostname");
      if (!host.empty()) ledger_.noteHostname(key, host, w);
      ledger_.observe(key, detect::SignalKind::kDhcpVendorClass, str(d, "vendor_class_identifier"),
                      w);
      const json& params = member(d, "params");
      if (params.is_array() && !params.empty()) {
        buffer_.clear();
        bool numeric = true;
        for (const json& p : params) {
          if (!p.is_number_unsigned()) {
            numeric = false;
            break;
          }
          if (!buffer_.empty()) buffer_ += ',';
          buffer_ += std::to_string(p.get<std::uint64_t>());
        }
        if (numeric) ledger_.observe(key, detect::SignalKind::kDhcpParamList, buffer_, w);
      }
      ledger_.noteIdentifier(key, detect::IdentifierKind::kDhcpClientId, str(d, "client_id"));
      if (client) ledger_.bindAddress(*mac, *client);
      if (const auto requested = deviceIp(str(d, "requested_ip"))) {
        ledger_.bindAddress(*mac, *requested);
      }
      return;
    }
    const auto src = deviceIp(str(event, "src_ip"));
    if (!src) return;
    const detect::DeviceKey key{std::nullopt, *src};
    if (type == "dns") {
      const json& d = member(event, "dns");
      const std::string_view dns_type = str(d, "type");
      if (dns_type == "answer" || dns_type == "response") return;
      if (!str(d, "rrname").empty()) {
        ledger_.observe(key, detect::SignalKind::kDnsName, stripDot(str(d, "rrname")), w);
      }
      const json& queries = member(d, "queries");
      if (queries.is_array()) {
        for (const json& q : queries) {
          ledger_.observe(key, detect::SignalKind::kDnsName, stripDot(str(q, "rrname")), w);
        }
      }
    } else if (type == "http") {
      const json& h = member(event, "http");
      const std::string_view ua = str(h, "http_user_agent");
      ledger_.observe(key, detect::SignalKind::kUserAgent, ua, w);
      const std::string_view host = stripPort(str(h, "hostname"));
      const std::string_view url = str(h, "url");
      const std::string_view path = url.substr(0, url.find('?'));
      if (!host.empty() && !isIpLiteral(host)) {
        ledger_.observe(key, detect::SignalKind::kDnsName, host, w);
        buffer_.assign(host);
        if (path.empty() || path.front() == '/') buffer_.append(path);
        ledger_.observe(key, detect::SignalKind::kHttpProbe, buffer_, w);
      }
      if (!host.empty()) {
        buffer_.assign(host);
        if (path.empty() || path.front() == '/') buffer_.append(path);
        ledger_.noteServiceUse(key, buffer_, {}, ua, w);
      }
    } else {  // tls
      const json& t = member(event, "tls");
      const std::string_view sni = str(t, "sni");
      ledger_.observe(key, detect::SignalKind::kDnsName, sni, w);
      ledger_.observe(key, detect::SignalKind::kJa4, str(t, "ja4"), w);
      if (!sni.empty()) ledger_.noteServiceUse(key, sni, {}, {}, w);
    }
  } catch (const json::exception& e) {
    bad(number, std::string("unexpected JSON value: ") + e.what());
  }
}

Status readEveLog(const std::string& path, detect::Ledger& ledger, LogListener* listener,
                  LogStats& stats) {
  EveParser parser(ledger, ledger.addSource(path), path, listener, stats);
  return readLines(path, parser, listener, stats);
}

}  // namespace phaseout::logs
