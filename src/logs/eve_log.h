// EveParser: evidence from Suricata's eve.json (one JSON object per line). Events read, by
// event_type (others are skipped):
//   dhcp  requests (dhcp.type "request") keyed by client_mac: hostname, vendor_class_identifier
//         (option 60, Suricata 7+), params when logged as option numbers, client_id for
//         linking; replies bind assigned_ip to client_mac. (Suricata logs params by name and
//         drops the options it has no name for, so its list cannot match an option 55
//         fingerprint: named lists are ignored.)
//   dns   queries of src_ip: dns.rrname of a v1 "query" record, or every rrname of the
//         v2/v3 "queries" array of a request.
//   http  src_ip's http.http_user_agent, http.hostname (destination), hostname+url (probe and
//         service use).
//   tls   src_ip's tls.sni (destination, service use) and tls.ja4 (ja3 is not used).
// Times come from "timestamp" (ISO 8601 with offset).
#pragma once

#include <string>

#include "logs/log_parser.h"

namespace phaseout::logs {

class EveParser : public LogParser {
 public:
  using LogParser::LogParser;
  void parseLine(std::string_view line, std::uint64_t number) override;

 private:
  std::string buffer_;
};

Status readEveLog(const std::string& path, detect::Ledger& ledger, LogListener* listener,
                  LogStats& stats);

}  // namespace phaseout::logs
