// Observation: one fact seen on the network (a DHCP request, a DNS message, an HTTP request
// head, a TLS ClientHello, a QUIC client hello, a TCP SYN), with the frame and addresses it came
// from.
//
// One struct for every type: the common part (frame, time, addresses, ports) plus one member
// struct per protocol, of which only the one named by `type` is filled (mDNS uses `dns`).
// Fields may be added here, never renamed: detect and the CLI read them by name.
//
// Absent values: an empty string or list, or a disengaged optional, means "not in the packet"
// (an option present with an empty value is treated as absent, as tshark shows nothing for it).
//
// Text fields are always valid UTF-8, produced from packet bytes with Wireshark's conventions
// (see dissect/text.h) so that they equal what tshark prints for the same field.
//
// Thread safety: plain values. appendJsonLine / appendTextLine are pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode/packet.h"

namespace phaseout::dissect {

enum class ObservationType { kDhcp, kDhcpv6, kDns, kMdns, kHttp, kTls, kTcpSyn, kQuic };

// "dhcp", "dhcpv6", "dns", "mdns", "http", "tls", "tcp_syn", "quic".
std::string_view name(ObservationType type);

// DHCPv4 client/server message (RFC 2131 §2, options RFC 2132).
struct DhcpFields {
  std::optional<std::uint8_t> msg_type;           // option 53
  std::optional<decode::MacAddress> client_mac;   // chaddr, when htype = 1 and hlen = 6
  std::optional<decode::IpAddress> client_ip;     // ciaddr, when not 0.0.0.0
  std::optional<decode::IpAddress> your_ip;       // yiaddr (address offered/assigned), when set
  std::string hostname;                           // option 12
  std::optional<decode::IpAddress> requested_ip;  // option 50
  std::vector<std::uint8_t> param_list;           // option 55, in the client's order
  std::optional<std::uint16_t> max_msg_size;      // option 57
  std::string vendor_class;                       // option 60
  std::string client_id;                          // option 61, lower-case hex of all its bytes
  std::string user_class;                         // option 77 (RFC 3004 instances joined by ',')
  std::string client_fqdn;                        // option 81 domain name (RFC 4702)
};

// DHCPv6 message (RFC 8415 §8, §21); relayed messages are unwrapped to the innermost one.
struct Dhcpv6Fields {
  std::uint8_t msg_type = 0;
  std::string duid;                        // option 1 (client id), lower-case hex
  std::optional<std::uint16_t> duid_type;  // 1 LLT, 2 EN, 3 LL, 4 UUID
  std::string duid_lladdr;                 // link-layer address of a DUID-LLT/LL, "aa:bb:..."
  std::vector<std::uint16_t> oro;          // option 6, in order
  std::optional<std::uint32_t> vendor_class_enterprise;  // option 16
  std::vector<std::string> vendor_class_data;            // option 16 vendor-class-data items
  std::string fqdn;                                      // option 39 domain name (RFC 4704)
};

// One resource record. `data` is the RDATA in text: the address for A/AAAA, the target name
// for PTR/CNAME/NS, "preference exchange" for MX, "priority weight port target" for SRV.
// TXT records use `txt` (one entry per character-string) and leave `data` empty. Types
// without a text form here leave both empty.
struct DnsRecord {
  std::string name;
  std::uint16_t type = 0;
  std::string data;
  std::vector<std::string> txt;
};

// DNS (RFC 1035 §4) or mDNS (RFC 6762) message.
struct DnsFields {
  bool response = false;                   // QR bit
  std::vector<std::string> queries;        // question names, in order
  std::vector<std::uint16_t> query_types;  // parallel to `queries`
  std::vector<DnsRecord> answers;          // answer section
  std::vector<DnsRecord> authority;        // authority section (mDNS probes carry proposed records)
  std::vector<DnsRecord> additional;       // additional section, OPT pseudo-records left out
};

// HTTP/1.x request head (RFC 9112 §3, §5), or an SSDP request over UDP (same syntax).
struct HttpFields {
  std::string method;
  std::string path;        // the request-target as sent
  std::string host;        // first Host header
  std::string user_agent;  // first User-Agent header
};

// TLS ClientHello (RFC 8446 §4.1.2; SNI RFC 6066 §3; ALPN RFC 7301 §3.1).
struct TlsFields {
  std::string version;  // highest offered: "1.3", "1.2", "1.1", "1.0", "ssl3" or "0x7f1c";
                        // empty when the hello is truncated
  std::string sni;      // first host_name of the server_name extension
  std::vector<std::string> alpn;  // protocol names, in order
  std::string ja4;                // FoxIO JA4 (TLS over TCP); empty when the hello is truncated
};

// The client hello of a QUIC connection: the TLS ClientHello inside the Initial packets of IETF
// QUIC (RFC 9000 §17.2.2, RFC 9001 §5), or the CHLO message of Google QUIC.
struct QuicFields {
  std::string version;            // as tshark names it: "1", "2", "draft-29", "Q046", "Q050"
  std::string sni;                // TLS server_name, or the gQUIC SNI tag
  std::vector<std::string> alpn;  // TLS ALPN protocol names, in order (IETF QUIC only)
  std::string user_agent;         // gQUIC UAID tag ("Chrome/74.0... Android 8.0.0; BND-L21")
  std::string ja4;  // JA4 of the ClientHello with protocol 'q'; empty for gQUIC or a cut hello
};

// A TCP SYN without ACK (RFC 9293 §3.1), with the IP fields passive OS fingerprints use.
struct TcpSynFields {
  std::uint16_t window = 0;
  std::optional<std::uint16_t> mss;    // option 2
  std::optional<std::uint8_t> wscale;  // option 3 (RFC 7323 §2)
  std::string options;   // option kinds in order, comma separated: "mss,nop,ws,nop,nop,ts,sack,eol"
  std::uint8_t ttl = 0;  // IPv4 TTL or IPv6 hop limit
  bool df = false;       // IPv4 don't-fragment
  bool ecn = false;      // ECE and CWR both set: ECN-setup SYN (RFC 3168 §6.1.1)
};

struct Observation {
  ObservationType type = ObservationType::kDhcp;
  std::uint64_t frame = 0;
  std::int64_t ts_ns = 0;
  bool has_mac = false;
  decode::MacAddress src_mac, dst_mac;
  decode::IpAddress src_ip, dst_ip;
  decode::Transport transport = decode::Transport::kNone;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;

  DhcpFields dhcp;
  Dhcpv6Fields dhcpv6;
  DnsFields dns;  // kDns and kMdns
  HttpFields http;
  TlsFields tls;
  TcpSynFields tcp_syn;
  QuicFields quic;
};

// An observation with the common part copied from `packet`.
Observation makeObservation(ObservationType type, const decode::DecodedPacket& packet);

// Receives observations from the registry. The observation (and the packet it came from)
// are valid only during the call.
class ObservationSink {
 public:
  virtual ~ObservationSink() = default;
  virtual void onObservation(const Observation& observation) = 0;
};

// The name of a DNS RR type ("A", "AAAA", "PTR", ...), or "TYPE<n>" (RFC 3597 §5).
std::string dnsTypeName(std::uint16_t type);

// "2023-03-20T10:11:12.123456Z": UTC, microseconds (the finest precision of classic pcap),
// truncated toward the past.
void appendTimestamp(std::int64_t ts_ns, std::string& out);

// Appends one JSON object and '\n'. Keys, in order: frame, ts, src_mac, dst_mac (only when
// has_mac), src_ip, dst_ip, src_port, dst_port, type, then the fields of the type with absent
// ones omitted. Strings are escaped per RFC 8259 §7 (control characters as \u00XX) and any byte
// that is not part of valid UTF-8 is written as U+FFFD, so the line is always valid JSON.
// Keys are the member names above, with these shapes:
//   dhcp     msg_type, client_mac, client_ip, your_ip, hostname, requested_ip,
//            param_list [int], max_msg_size, vendor_class, client_id, user_class, client_fqdn
//   dhcpv6   msg_type (always), duid, duid_type, duid_lladdr, oro [int],
//            vendor_class {"enterprise": int, "data": [string]}, fqdn
//   dns/mdns response (always, bool), queries [string] + query_types ["A", ...],
//            answers / authority / additional [{"name", "type": "PTR", "data" | "txt": [..]}]
//   http     method, host, path, user_agent
//   tls      version, sni, alpn [string], ja4
//   tcp_syn  window, mss, wscale, options, ttl, df (bool), ecn (bool)
//   quic     version, sni, alpn [string], user_agent, ja4
void appendJsonLine(const Observation& observation, std::string& out);

// Appends one human-readable line and '\n':
//   2023-03-20T10:11:12.123456Z #12 dhcp 0.0.0.0:68 > 255.255.255.255:67 hostname="x" ...
void appendTextLine(const Observation& observation, std::string& out);

}  // namespace phaseout::dissect
