#include "dissect/observation.h"

#include <charconv>

#include "core/date.h"
#include "core/json_writer.h"

namespace phaseout::dissect {
namespace {

// A JSON string literal, through core's writer for hot output paths.
void appendJsonString(std::string_view s, std::string& out) { phaseout::appendJsonString(out, s); }

template <typename Int>
void appendInt(Int v, std::string& out) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, result.ptr);
}

// Writes the members of one JSON object; the caller writes the braces.
class JsonMembers {
 public:
  explicit JsonMembers(std::string& out) : out_(out) {}

  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    appendJsonString(k, out_);
    out_.push_back(':');
  }
  template <typename Int>
  void integer(std::string_view k, Int v) {
    key(k);
    appendInt(v, out_);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
  }
  void string(std::string_view k, std::string_view v) {
    key(k);
    appendJsonString(v, out_);
  }
  // Omitted when empty.
  void optionalString(std::string_view k, std::string_view v) {
    if (!v.empty()) string(k, v);
  }
  void stringList(std::string_view k, const std::vector<std::string>& list) {
    key(k);
    out_.push_back('[');
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i != 0) out_.push_back(',');
      appendJsonString(list[i], out_);
    }
    out_.push_back(']');
  }
  template <typename Int>
  void intList(std::string_view k, const std::vector<Int>& list) {
    key(k);
    out_.push_back('[');
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i != 0) out_.push_back(',');
      appendInt(list[i], out_);
    }
    out_.push_back(']');
  }
  std::string& out() { return out_; }

 private:
  std::string& out_;
  bool first_ = true;
};

void appendRecords(JsonMembers& members, std::string_view k, const std::vector<DnsRecord>& rrs) {
  if (rrs.empty()) return;
  members.key(k);
  std::string& out = members.out();
  out.push_back('[');
  for (std::size_t i = 0; i < rrs.size(); ++i) {
    if (i != 0) out.push_back(',');
    out.push_back('{');
    JsonMembers rr(out);
    rr.string("name", rrs[i].name);
    rr.string("type", dnsTypeName(rrs[i].type));
    rr.optionalString("data", rrs[i].data);
    if (!rrs[i].txt.empty()) rr.stringList("txt", rrs[i].txt);
    out.push_back('}');
  }
  out.push_back(']');
}

void appendTypeFields(const Observation& o, JsonMembers& m) {
  switch (o.type) {
    case ObservationType::kDhcp: {
      const DhcpFields& d = o.dhcp;
      if (d.msg_type) m.integer("msg_type", *d.msg_type);
      if (d.client_mac) m.string("client_mac", d.client_mac->toString());
      if (d.client_ip) m.string("client_ip", d.client_ip->toString());
      if (d.your_ip) m.string("your_ip", d.your_ip->toString());
      m.optionalString("hostname", d.hostname);
      if (d.requested_ip) m.string("requested_ip", d.requested_ip->toString());
      if (!d.param_list.empty()) m.intList("param_list", d.param_list);
      if (d.max_msg_size) m.integer("max_msg_size", *d.max_msg_size);
      m.optionalString("vendor_class", d.vendor_class);
      m.optionalString("client_id", d.client_id);
      m.optionalString("user_class", d.user_class);
      m.optionalString("client_fqdn", d.client_fqdn);
      return;
    }
    case ObservationType::kDhcpv6: {
      const Dhcpv6Fields& d = o.dhcpv6;
      m.integer("msg_type", d.msg_type);
      m.optionalString("duid", d.duid);
      if (d.duid_type) m.integer("duid_type", *d.duid_type);
      m.optionalString("duid_lladdr", d.duid_lladdr);
      if (!d.oro.empty()) m.intList("oro", d.oro);
      if (d.vendor_class_enterprise) {
        m.key("vendor_class");
        m.out().push_back('{');
        JsonMembers vc(m.out());
        vc.integer("enterprise", *d.vendor_class_enterprise);
        vc.stringList("data", d.vendor_class_data);
        m.out().push_back('}');
      }
      m.optionalString("fqdn", d.fqdn);
      return;
    }
    case ObservationType::kDns:
    case ObservationType::kMdns: {
      const DnsFields& d = o.dns;
      m.boolean("response", d.response);
      if (!d.queries.empty()) {
        m.stringList("queries", d.queries);
        std::vector<std::string> types;
        types.reserve(d.query_types.size());
        for (std::uint16_t t : d.query_types) types.push_back(dnsTypeName(t));
        m.stringList("query_types", types);
      }
      appendRecords(m, "answers", d.answers);
      appendRecords(m, "authority", d.authority);
      appendRecords(m, "additional", d.additional);
      return;
    }
    case ObservationType::kHttp:
      m.optionalString("method", o.http.method);
      m.optionalString("host", o.http.host);
      m.optionalString("path", o.http.path);
      m.optionalString("user_agent", o.http.user_agent);
      return;
    case ObservationType::kTls:
      m.optionalString("version", o.tls.version);
      m.optionalString("sni", o.tls.sni);
      if (!o.tls.alpn.empty()) m.stringList("alpn", o.tls.alpn);
      m.optionalString("ja4", o.tls.ja4);
      return;
    case ObservationType::kTcpSyn: {
      const TcpSynFields& s = o.tcp_syn;
      m.integer("window", s.window);
      if (s.mss) m.integer("mss", *s.mss);
      if (s.wscale) m.integer("wscale", *s.wscale);
      m.optionalString("options", s.options);
      m.integer("ttl", s.ttl);
      m.boolean("df", s.df);
      m.boolean("ecn", s.ecn);
      return;
    }
    case ObservationType::kQuic:
      m.optionalString("version", o.quic.version);
      m.optionalString("sni", o.quic.sni);
      if (!o.quic.alpn.empty()) m.stringList("alpn", o.quic.alpn);
      m.optionalString("user_agent", o.quic.user_agent);
      m.optionalString("ja4", o.quic.ja4);
      return;
  }
}

// Text form of a value for appendTextLine: bare when it is plain printable ASCII without
// spaces, quotes or '=', otherwise a JSON string literal.
void appendTextValue(std::string_view v, std::string& out) {
  bool bare = !v.empty();
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '=' || c == '\\' || c == ',') {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += v;
  } else {
    appendJsonString(v, out);
  }
}

void appendTextField(std::string_view k, std::string_view v, std::string& out) {
  if (v.empty()) return;
  out.push_back(' ');
  out += k;
  out.push_back('=');
  appendTextValue(v, out);
}

template <typename Int>
void appendTextInts(std::string_view k, const std::vector<Int>& list, std::string& out) {
  if (list.empty()) return;
  out.push_back(' ');
  out += k;
  out.push_back('=');
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out.push_back(',');
    appendInt(list[i], out);
  }
}

void appendTextStrings(std::string_view k, const std::vector<std::string>& list, std::string& out) {
  if (list.empty()) return;
  out.push_back(' ');
  out += k;
  out.push_back('=');
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out.push_back(',');
    appendTextValue(list[i], out);
  }
}

void appendTextRecords(std::string_view k, const std::vector<DnsRecord>& rrs, std::string& out) {
  for (const DnsRecord& rr : rrs) {
    out.push_back(' ');
    out += k;
    out.push_back('=');
    out += dnsTypeName(rr.type);
    out.push_back(':');
    appendTextValue(rr.name, out);
    if (!rr.data.empty()) {
      out += "->";
      appendTextValue(rr.data, out);
    }
    for (const std::string& t : rr.txt) {
      out += "->";
      appendTextValue(t, out);
    }
  }
}

std::string endpoint(const decode::IpAddress& ip, std::uint16_t port) {
  std::string s = ip.family == 6 ? "[" + ip.toString() + "]" : ip.toString();
  s.push_back(':');
  appendInt(port, s);
  return s;
}

}  // namespace

std::string_view name(ObservationType type) {
  switch (type) {
    case ObservationType::kDhcp:
      return "dhcp";
    case ObservationType::kDhcpv6:
      return "dhcpv6";
    case ObservationType::kDns:
      return "dns";
    case ObservationType::kMdns:
      return "mdns";
    case ObservationType::kHttp:
      return "http";
    case ObservationType::kTls:
      return "tls";
    case ObservationType::kTcpSyn:
      return "tcp_syn";
    case ObservationType::kQuic:
      return "quic";
  }
  return "unknown";
}

Observation makeObservation(ObservationType type, const decode::DecodedPacket& packet) {
  Observation o;
  o.type = type;
  o.frame = packet.frame;
  o.ts_ns = packet.ts_ns;
  o.has_mac = packet.has_mac;
  o.src_mac = packet.src_mac;
  o.dst_mac = packet.dst_mac;
  o.src_ip = packet.src_ip;
  o.dst_ip = packet.dst_ip;
  o.transport = packet.transport;
  o.src_port = packet.src_port;
  o.dst_port = packet.dst_port;
  return o;
}

std::string dnsTypeName(std::uint16_t type) {
  // RFC 1035 §3.2.2, RFC 3596 (AAAA), RFC 2782 (SRV), RFC 3403 (NAPTR), RFC 6891 (OPT),
  // RFC 4034 (DNSSEC), RFC 9460 (SVCB, HTTPS).
  switch (type) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 13:
      return "HINFO";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 41:
      return "OPT";
    case 43:
      return "DS";
    case 46:
      return "RRSIG";
    case 47:
      return "NSEC";
    case 48:
      return "DNSKEY";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 255:
      return "ANY";
    default:
      break;
  }
  std::string s = "TYPE";
  appendInt(type, s);
  return s;
}

void appendTimestamp(std::int64_t ts_ns, std::string& out) {
  constexpr std::int64_t kNsPerDay = 86'400'000'000'000;
  std::int64_t days = ts_ns / kNsPerDay;
  std::int64_t ns_of_day = ts_ns % kNsPerDay;
  if (ns_of_day < 0) {  // floor toward the past for times before 1970
    ns_of_day += kNsPerDay;
    --days;
  }
  const Date date = Date::fromDays(static_cast<std::int32_t>(days));
  const std::int64_t us_of_day = ns_of_day / 1000;
  const std::int64_t seconds = us_of_day / 1'000'000;
  char buf[40];
  char* p = buf;
  auto put = [&p](std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    p += width;
  };
  const int year = date.year();
  if (year < 0 || year > 9999) {
    appendInt(year, out);  // outside ISO 8601's four digits; still unambiguous
  } else {
    put(year, 4);
  }
  *p++ = '-';
  put(date.month(), 2);
  *p++ = '-';
  put(date.day(), 2);
  *p++ = 'T';
  put(seconds / 3600, 2);
  *p++ = ':';
  put(seconds / 60 % 60, 2);
  *p++ = ':';
  put(seconds % 60, 2);
  *p++ = '.';
  put(us_of_day % 1'000'000, 6);
  *p++ = 'Z';
  out.append(buf, p);
}

void appendJsonLine(const Observation& o, std::string& out) {
  out.push_back('{');
  JsonMembers m(out);
  m.integer("frame", o.frame);
  m.key("ts");
  out.push_back('"');
  appendTimestamp(o.ts_ns, out);
  out.push_back('"');
  if (o.has_mac) {
    m.string("src_mac", o.src_mac.toString());
    m.string("dst_mac", o.dst_mac.toString());
  }
  if (o.src_ip.family != 0) m.string("src_ip", o.src_ip.toString());
  if (o.dst_ip.family != 0) m.string("dst_ip", o.dst_ip.toString());
  m.integer("src_port", o.src_port);
  m.integer("dst_port", o.dst_port);
  m.string("type", name(o.type));
  appendTypeFields(o, m);
  out += "}\n";
}

void appendTextLine(const Observation& o, std::string& out) {
  appendTimestamp(o.ts_ns, out);
  out += " #";
  appendInt(o.frame, out);
  out.push_back(' ');
  out += name(o.type);
  out.push_back(' ');
  out += endpoint(o.src_ip, o.src_port);
  out += " > ";
  out += endpoint(o.dst_ip, o.dst_port);
  if (o.has_mac) {
    out += " mac=";
    out += o.src_mac.toString();
  }
  switch (o.type) {
    case ObservationType::kDhcp: {
      const DhcpFields& d = o.dhcp;
      if (d.msg_type) appendTextField("msg_type", std::to_string(*d.msg_type), out);
      if (d.client_mac) appendTextField("client_mac", d.client_mac->toString(), out);
      appendTextField("hostname", d.hostname, out);
      if (d.requested_ip) appendTextField("requested_ip", d.requested_ip->toString(), out);
      if (d.your_ip) appendTextField("your_ip", d.your_ip->toString(), out);
      appendTextInts("param_list", d.param_list, out);
      appendTextField("vendor_class", d.vendor_class, out);
      appendTextField("client_id", d.client_id, out);
      appendTextField("user_class", d.user_class, out);
      appendTextField("client_fqdn", d.client_fqdn, out);
      break;
    }
    case ObservationType::kDhcpv6: {
      const Dhcpv6Fields& d = o.dhcpv6;
      appendTextField("msg_type", std::to_string(d.msg_type), out);
      appendTextField("duid", d.duid, out);
      appendTextField("duid_lladdr", d.duid_lladdr, out);
      appendTextInts("oro", d.oro, out);
      if (d.vendor_class_enterprise) {
        appendTextField("vendor_enterprise", std::to_string(*d.vendor_class_enterprise), out);
        appendTextStrings("vendor_class", d.vendor_class_data, out);
      }
      appendTextField("fqdn", d.fqdn, out);
      break;
    }
    case ObservationType::kDns:
    case ObservationType::kMdns:
      out += o.dns.response ? " response" : " query";
      appendTextStrings("q", o.dns.queries, out);
      appendTextRecords("an", o.dns.answers, out);
      appendTextRecords("ns", o.dns.authority, out);
      appendTextRecords("ar", o.dns.additional, out);
      break;
    case ObservationType::kHttp:
      appendTextField("method", o.http.method, out);
      appendTextField("host", o.http.host, out);
      appendTextField("path", o.http.path, out);
      appendTextField("user_agent", o.http.user_agent, out);
      break;
    case ObservationType::kTls:
      appendTextField("version", o.tls.version, out);
      appendTextField("sni", o.tls.sni, out);
      appendTextStrings("alpn", o.tls.alpn, out);
      appendTextField("ja4", o.tls.ja4, out);
      break;
    case ObservationType::kTcpSyn: {
      const TcpSynFields& s = o.tcp_syn;
      appendTextField("window", std::to_string(s.window), out);
      if (s.mss) appendTextField("mss", std::to_string(*s.mss), out);
      if (s.wscale) appendTextField("wscale", std::to_string(*s.wscale), out);
      appendTextField("options", s.options, out);
      appendTextField("ttl", std::to_string(s.ttl), out);
      if (s.df) out += " df";
      if (s.ecn) out += " ecn";
      break;
    }
    case ObservationType::kQuic:
      appendTextField("version", o.quic.version, out);
      appendTextField("sni", o.quic.sni, out);
      appendTextStrings("alpn", o.quic.alpn, out);
      appendTextField("user_agent", o.quic.user_agent, out);
      appendTextField("ja4", o.quic.ja4, out);
      break;
  }
  out.push_back('\n');
}

}  // namespace phaseout::dissect
