// ZeekLogParser: evidence from Zeek logs, in Zeek's TSV format (#separator, #fields, #types
// header lines; "-" unset, "(empty)" empty, "\xHH" escapes) or as JSON lines
// (LogAscii::use_json, flat "id.orig_h" keys; "ts" as epoch seconds or ISO 8601).
//
//   dhcp.log      mac with host_name and client_fqdn (host names), client_software (option 60,
//                 when Zeek's dhcp/software policy is loaded), params (option 55 as numbers,
//                 when a site script logs it: Zeek does not by default); assigned_addr,
//                 client_addr and requested_addr bind to the mac (a lease).
//   dns.log       query from id.orig_h (mDNS service types from port 5353 queries).
//   http.log      user_agent, host (destination), host+uri (probe), username; each request is
//                 a service use of id.orig_h.
//   ssl.log       server_name (destination, service use), ja4 (when the JA4 package logs it).
//   conn.log      orig_l2_addr / resp_l2_addr bind to id.orig_h / id.resp_h when present and
//                 the address is local (local_orig/local_resp, else a private range).
//   software.log  HTTP::BROWSER entries: unparsed_version (the User-Agent) of host.
// The kind of log comes from the #path header, else "_path" (JSON), else the file name.
// A log of another kind is skipped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "logs/log_parser.h"

namespace phaseout::logs {

enum class ZeekLogType : std::uint8_t { kUnknown, kDhcp, kDns, kHttp, kSsl, kConn, kSoftware };

// "dhcp" -> kDhcp; anything else kUnknown.
ZeekLogType zeekLogTypeFromPath(std::string_view path_header);
// The kind a file name says: "dhcp.log", "dns.2023-03-20-10-00-00.log.gz",
// "dhcp.pcap.dhcp.log" (last known word before .log wins, else the first).
ZeekLogType zeekLogTypeFromFileName(std::string_view file_name);

class ZeekLogParser : public LogParser {
 public:
  ZeekLogParser(detect::Ledger& ledger, std::uint32_t source, std::string file,
                LogListener* listener, LogStats& stats, ZeekLogType type_hint);
  ~ZeekLogParser() override;
  void parseLine(std::string_view line, std::uint64_t number) override;
  ZeekLogType type() const { return type_; }

  class Fields;  // one record's fields by name (TSV or JSON)

 private:
  void parseHeader(std::string_view line, std::uint64_t number);
  void parseTsv(std::string_view line, std::uint64_t number);
  void parseJson(std::string_view line, std::uint64_t number);
  void record(const Fields& fields, std::uint64_t number);
  void onDhcp(const Fields& f, const detect::Where& where);
  void onDns(const Fields& f, const detect::Where& where);
  void onHttp(const Fields& f, const detect::Where& where);
  void onSsl(const Fields& f, const detect::Where& where);
  void onConn(const Fields& f);
  void onSoftware(const Fields& f, const detect::Where& where);

  ZeekLogType type_;
  bool header_type_ = false;  // type_ came from #path
  char separator_ = '\t';
  char set_separator_ = ',';
  std::string empty_field_ = "(empty)";
  std::string unset_field_ = "-";
  std::vector<std::string> field_names_;
  std::unordered_map<std::string, std::size_t> field_index_;
  std::string buffer_;
};

// Reads one Zeek log file into the ledger (source = the path). `quiet_unknown`: a file of a
// kind not read is skipped without a warning (directories hold many kinds).
// InvalidArgument naming the file when it cannot be read.
Status readZeekLog(const std::string& path, detect::Ledger& ledger, LogListener* listener,
                   LogStats& stats, bool quiet_unknown = false);

}  // namespace phaseout::logs
