// AccessLogParser: evidence from web server and proxy access logs in the NCSA formats nginx
// and Apache write:
//   common          %h %l %u %t "%r" %>s %b
//   combined        common + "%{Referer}i" "%{User-Agent}i"   (nginx's default)
//   vhost_combined  %v:%p before combined                     (Apache's vhost_combined)
// The format is recognised per line (the words before the [time]). Each log is one named
// service: every request line becomes, for the client address %h,
//   - its authenticated user %u ("-" is none; not for 401/407 answers, where the name was
//     refused) through Ledger::noteUser,
//   - its User-Agent as evidence (kUserAgent),
//   - a service use "<service><path>" with that user and User-Agent (query string dropped).
// The service is the name given for the log; when none was given, the line's vhost, else
// the file name. A proxy's absolute-form request ("GET http://host/path") and CONNECT
// ("CONNECT host:443") name the origin reached instead. Times come from %t.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "logs/log_parser.h"

namespace phaseout::logs {

class AccessLogParser : public LogParser {
 public:
  // `service`: the service the log serves; `from_name`: it was derived from the file name, so a
  // line's own vhost names its service better.
  AccessLogParser(detect::Ledger& ledger, std::uint32_t source, std::string file,
                  LogListener* listener, LogStats& stats, std::string service, bool from_name);
  void parseLine(std::string_view line, std::uint64_t number) override;

 private:
  std::string service_;
  bool from_name_;
  std::string buffer_;
  std::string last_time_text_;
  std::int64_t last_time_ns_ = 0;
  std::string last_client_;
  detect::DeviceKey last_key_;
};

// "/var/log/nginx/intranet.log" -> "intranet"; "portal.access.log.gz" -> "portal.access".
std::string accessLogServiceName(std::string_view path);

// Reads one access log into the ledger (source = the path). `service` empty: the file name's.
// InvalidArgument naming the file when it cannot be read.
Status readAccessLog(const std::string& path, const std::string& service, detect::Ledger& ledger,
                     LogListener* listener, LogStats& stats);

}  // namespace phaseout::logs
