#include "logs/zeek_log.h"

#include <deque>
#include <nlohmann/json.hpp>

#include "detect/packet_evidence.h"

namespace phaseout::logs {

class ZeekLogParser::Fields {
 public:
  virtual ~Fields() = default;
  // The field's value; "" when absent, unset or empty. Sets and vectors are joined by ','.
  virtual std::string_view get(std::string_view name) const = 0;
};

namespace {

constexpr std::uint16_t kMdnsPort = 5353;

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view stripDot(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

// RFC 1918, RFC 6598 shared space, link-local, unique-local: addresses that belong to the
// monitored site whatever Zeek's Site::local_nets says.
bool isPrivate(const decode::IpAddress& ip) {
  const auto& b = ip.bytes;
  if (ip.family == 4) {
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64);
  }
  return ip.family == 6 && ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80));
}

bool isNumberList(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == ',')) return false;
  }
  return true;
}

std::optional<std::int64_t> parseTime(std::string_view ts) {
  if (auto t = parseEpochSeconds(ts)) return t;
  return parseIsoTime(ts);
}

// "\x09" -> tab; other text as it is.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = hex(s[i + 2]), lo = hex(s[i + 3]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi << 4 | lo);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

class TsvFields : public ZeekLogParser::Fields {
 public:
  TsvFields(const std::unordered_map<std::string, std::size_t>& index,
            const std::vector<std::string_view>& columns, std::string_view unset,
            std::string_view empty)
      : index_(index), columns_(columns), unset_(unset), empty_(empty) {}
  std::string_view get(std::string_view name) const override {
    auto it = index_.find(std::string(name));
    if (it == index_.end() || it->second >= columns_.size()) return {};
    const std::string_view v = columns_[it->second];
    if (v == unset_ || v == empty_) return {};
    if (v.find("\\x") == std::string_view::npos) return v;
    return scratch_.emplace_back(unescape(v));
  }

 private:
  const std::unordered_map<std::string, std::size_t>& index_;
  const std::vector<std::string_view>& columns_;
  std::string_view unset_, empty_;
  mutable std::deque<std::string> scratch_;
};

class JsonFields : public ZeekLogParser::Fields {
 public:
  explicit JsonFields(const nlohmann::json& object) : object_(object) {}
  std::string_view get(std::string_view name) const override {
    auto it = object_.find(std::string(name));
    if (it == object_.end()) return {};
    return scratch_.emplace_back(text(*it));
  }

 private:
  static std::string text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      std::string out;
      for (const auto& item : v) {
        if (!out.empty()) out += ',';
        out += text(item);
      }
      return out;
    }
    if (v.is_null()) return {};
    if (v.is_number_float()) {
      // Times: keep microseconds without the binary noise of dump().
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6f", v.get<double>());
      return buf;
    }
    return v.dump();
  }
  const nlohmann::json& object_;
  mutable std::deque<std::string> scratch_;
};

}  // namespace

ZeekLogType zeekLogTypeFromPath(std::string_view path) {
  if (path == "dhcp") return ZeekLogType::kDhcp;
  if (path == "dns") return ZeekLogType::kDns;
  if (path == "http") return ZeekLogType::kHttp;
  if (path == "ssl") return ZeekLogType::kSsl;
  if (path == "conn") return ZeekLogType::kConn;
  if (path == "software") return ZeekLogType::kSoftware;
  return ZeekLogType::kUnknown;
}

ZeekLogType zeekLogTypeFromFileName(std::string_view name) {
  const std::size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  if (endsWith(name, ".gz")) name.remove_suffix(3);
  if (endsWith(name, ".log")) name.remove_suffix(4);
  if (endsWith(name, ".json")) name.remove_suffix(5);
  std::vector<std::string_view> words;
  for (std::size_t start = 0; start <= name.size();) {
    const std::size_t dot = name.find('.', start);
    words.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (auto it = words.rbegin(); it != words.rend(); ++it) {
    if (zeekLogTypeFromPath(*it) != ZeekLogType::kUnknown) return zeekLogTypeFromPath(*it);
  }
  return ZeekLogType::kUnknown;
}

ZeekLogParser::ZeekLogParser(detect::Ledger& ledger, std::uint32_t source, std::string file,
                             LogListener* listener, LogStats& stats, ZeekLogType type_hint)
    : LogParser(ledger, source, std::move(file), listener, stats), type_(type_hint) {}

ZeekLogParser::~ZeekLogParser() = default;

void ZeekLogParser::parseLine(std::string_view line, std::uint64_t number) {
  if (line.empty()) {
    ++stats_.skipped;
    return;
  }
  if (line.front() == '#') {
    parseHeader(line, number);
    return;
  }
  if (line.front() == '{') {
    parseJson(line, number);
    return;
  }
  parseTsv(line, number);
}

void ZeekLogParser::parseHeader(std::string_view line, std::uint64_t number) {
  ++stats_.skipped;
  // "#separator \x09" uses a space; every other header uses the separator it declares.
  if (line.substr(0, 11) == "#separator ") {
    const std::string sep = unescape(line.substr(11));
    if (sep.size() != 1) {
      bad(number, "unsupported #separator '" + std::string(line.substr(11)) + "'");
      return;
    }
    separator_ = sep[0];
    return;
  }
  const std::size_t cut = line.find(separator_);
  const std::string_view key = line.substr(0, cut);
  const std::string_view value =
      cut == std::string_view::npos ? std::string_view() : line.substr(cut + 1);
  if (key == "#set_separator") {
    const std::string sep = unescape(value);
    if (sep.size() == 1) set_separator_ = sep[0];
  } else if (key == "#empty_field") {
    empty_field_ = unescape(value);
  } else if (key == "#unset_field") {
    unset_field_ = unescape(value);
  } else if (key == "#path") {
    type_ = zeekLogTypeFromPath(value);
    header_type_ = true;
  } else if (key == "#fields") {
    field_names_.clear();
    field_index_.clear();
    std::string_view rest = value;
    for (std::size_t i = 0;; ++i) {
      const std::size_t next = rest.find(separator_);
      const std::string name(rest.substr(0, next));
      field_index_.emplace(name, i);
      field_names_.push_back(name);
      if (next == std::string_view::npos) break;
      rest = rest.substr(next + 1);
    }
  }
  // #types, #open, #close and comments ("### ..." in test baselines) say nothing we use.
}

void ZeekLogParser::parseTsv(std::string_view line, std::uint64_t number) {
  if (field_names_.empty()) {
    bad(number, "a record before any #fields header (not a Zeek TSV log?)");
    return;
  }
  if (type_ == ZeekLogType::kUnknown) {
    ++stats_.skipped;
    return;
  }
  std::vector<std::string_view> columns;
  columns.reserve(field_names_.size());
  for (std::string_view rest = line;;) {
    const std::size_t next = rest.find(separator_);
    columns.push_back(rest.substr(0, next));
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  if (columns.size() != field_names_.size()) {
    bad(number, "expected " + std::to_string(field_names_.size()) + " fields, found " +
                    std::to_string(columns.size()) + " (truncated or garbled line?)");
    return;
  }
  const TsvFields fields(field_index_, columns, unset_field_, empty_field_);
  record(fields, number);
}

void ZeekLogParser::parseJson(std::string_view line, std::uint64_t number) {
  // The no-throw parse: a damaged line is a discarded value, not an exception.
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
  if (object.is_discarded() || !object.is_object()) {
    bad(number, "not a JSON object (truncated or garbled line?)");
    return;
  }
  if (!header_type_) {
    auto path = object.find("_path");
    if (path != object.end() && path->is_string()) {
      type_ = zeekLogTypeFromPath(path->get_ref<const std::string&>());
    }
  }
  if (type_ == ZeekLogType::kUnknown) {
    ++stats_.skipped;
    return;
  }
  try {
    const JsonFields fields(object);
    record(fields, number);
  } catch (const nlohmann::json::exception& e) {
    bad(number, std::string("unexpected JSON value: ") + e.what());
  }
}

void ZeekLogParser::record(const Fields& f, std::uint64_t number) {
  ++stats_.records;
  const detect::Where w = where(number, parseTime(f.get("ts")).value_or(0));
  switch (type_) {
    case ZeekLogType::kDhcp:
      onDhcp(f, w);
      break;
    case ZeekLogType::kDns:
      onDns(f, w);
      break;
    case ZeekLogType::kHttp:
      onHttp(f, w);
      break;
    case ZeekLogType::kSsl:
      onSsl(f, w);
      break;
    case ZeekLogType::kConn:
      onConn(f);
      break;
    case ZeekLogType::kSoftware:
      onSoftware(f, w);
      break;
    case ZeekLogType::kUnknown:
      break;
  }
}

namespace {

std::optional<decode::IpAddress> deviceIp(std::string_view text) {
  auto ip = parseIp(text);
  if (ip && !isDeviceAddress(*ip)) return std::nullopt;
  return ip;
}

}  // namespace

void ZeekLogParser::onDhcp(const Fields& f, const detect::Where& where) {
  const auto mac = parseMac(f.get("mac"));
  if (!mac) return;  // the device is its chaddr; without it nothing can be attributed
  const auto client = deviceIp(f.get("client_addr"));
  detect::DeviceKey key{*mac, client.value_or(decode::IpAddress{})};
  const std::string_view host_name = f.get("host_name");
  if (!host_name.empty()) ledger_.noteHostname(key, host_name, where);
  const std::string_view fqdn = f.get("client_fqdn");
  if (!fqdn.empty()) ledger_.noteHostname(key, fqdn.substr(0, fqdn.find('.')), where);
  ledger_.observe(key, detect::SignalKind::kDhcpVendorClass, f.get("client_software"), where);
  const std::string_view params = f.get("params");
  if (isNumberList(params)) ledger_.observe(key, detect::SignalKind::kDhcpParamList, params, where);
  if (client) ledger_.bindAddress(*mac, *client);
  if (const auto assigned = deviceIp(f.get("assigned_addr"))) {
    ledger_.bindAddress(*mac, *assigned);
  } else if (const auto requested = deviceIp(f.get("requested_addr"))) {
    ledger_.bindAddress(*mac, *requested);
  }
}

void ZeekLogParser::onDns(const Fields& f, const detect::Where& where) {
  const auto orig = deviceIp(f.get("id.orig_h"));
  const std::string_view query = f.get("query");
  if (!orig || query.empty()) return;
  const detect::DeviceKey key{std::nullopt, *orig};
  if (f.get("id.resp_p") == std::to_string(kMdnsPort)) {
    const std::string_view type = detect::dnsSdServiceType(query);
    if (type.empty()) return;
    buffer_ = "query:";
    buffer_.append(type);
    ledger_.observe(key, detect::SignalKind::kMdnsService, buffer_, where);
    return;
  }
  ledger_.observe(key, detect::SignalKind::kDnsName, stripDot(query), where);
}

void ZeekLogParser::onHttp(const Fields& f, const detect::Where& where) {
  const auto orig = deviceIp(f.get("id.orig_h"));
  if (!orig) return;
  const detect::DeviceKey key{std::nullopt, *orig};
  const std::string_view ua = f.get("user_agent");
  const std::string_view user = f.get("username");
  ledger_.observe(key, detect::SignalKind::kUserAgent, ua, where);
  ledger_.noteUser(key, user, where);
  const std::string_view host = stripPort(f.get("host"));
  std::string_view uri = f.get("uri");
  const std::size_t q = uri.find('?');
  const std::string_view path = q == std::string_view::npos ? uri : uri.substr(0, q);
  if (!host.empty() && !isIpLiteral(host)) {
    ledger_.observe(key, detect::SignalKind::kDnsName, host, where);
    buffer_.assign(host);
    buffer_.append(path);
    ledger_.observe(key, detect::SignalKind::kHttpProbe, buffer_, where);
  }
  if (!host.empty()) {
    buffer_.assign(host);
    if (path.empty() || path.front() == '/') buffer_.append(path);
    ledger_.noteServiceUse(key, buffer_, user, ua, where);
  }
}

void ZeekLogParser::onSsl(const Fields& f, const detect::Where& where) {
  const auto orig = deviceIp(f.get("id.orig_h"));
  if (!orig) return;
  const detect::DeviceKey key{std::nullopt, *orig};
  const std::string_view sni = f.get("server_name");
  ledger_.observe(key, detect::SignalKind::kDnsName, sni, where);
  ledger_.observe(key, detect::SignalKind::kJa4, f.get("ja4"), where);
  if (!sni.empty()) ledger_.noteServiceUse(key, sni, {}, {}, where);
}

void ZeekLogParser::onConn(const Fields& f) {
  auto bind = [&](std::string_view mac_field, std::string_view ip_field,
                  std::string_view local_field) {
    const auto mac = parseMac(f.get(mac_field));
    const auto ip = deviceIp(f.get(ip_field));
    if (!mac || !ip) return;
    // A remote address is seen behind the router's MAC: only local addresses are the MAC's.
    const std::string_view local = f.get(local_field);
    if (local == "F" || (local != "T" && !isPrivate(*ip))) return;
    ledger_.bindAddress(*mac, *ip);
  };
  bind("orig_l2_addr", "id.orig_h", "local_orig");
  bind("resp_l2_addr", "id.resp_h", "local_resp");
}

void ZeekLogParser::onSoftware(const Fields& f, const detect::Where& where) {
  if (f.get("software_type") != "HTTP::BROWSER") return;
  const auto host = deviceIp(f.get("host"));
  if (!host) return;
  std::string_view ua = f.get("unparsed_version");
  if (ua.empty()) ua = f.get("name");
  ledger_.observe({std::nullopt, *host}, detect::SignalKind::kUserAgent, ua, where);
}

Status readZeekLog(const std::string& path, detect::Ledger& ledger, LogListener* listener,
                   LogStats& stats, bool quiet_unknown) {
  ZeekLogParser parser(ledger, ledger.addSource(path), path, listener, stats,
                       zeekLogTypeFromFileName(path));
  PH_RETURN_IF_ERROR(readLines(path, parser, listener, stats));
  if (parser.type() == ZeekLogType::kUnknown && !quiet_unknown && listener != nullptr) {
    listener->onProblem(LogProblem{path, 0,
                                   "not a Zeek log detect reads (dhcp, dns, http, ssl, conn, "
                                   "software); skipped"});
  }
  return Status::ok();
}

}  // namespace phaseout::logs
