#include "logs/access_log.h"

#include <array>

namespace phaseout::logs {
namespace {

constexpr std::size_t kMaxPrefixWords = 4;  // vhost:port host ident user

// A quoted field at `pos` ("..." with \" or \\ escapes, as Apache writes them); moves `pos`
// past the closing quote and the space after it. nullopt when there is no whole field.
std::optional<std::string_view> quoted(std::string_view line, std::size_t& pos) {
  if (pos >= line.size() || line[pos] != '"') return std::nullopt;
  const std::size_t start = pos + 1;
  for (std::size_t i = start; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
      continue;
    }
    if (line[i] == '"') {
      pos = i + 1;
      while (pos < line.size() && line[pos] == ' ') ++pos;
      return line.substr(start, i - start);
    }
  }
  return std::nullopt;
}

std::string_view word(std::string_view line, std::size_t& pos) {
  const std::size_t start = pos;
  while (pos < line.size() && line[pos] != ' ') ++pos;
  const std::string_view w = line.substr(start, pos - start);
  while (pos < line.size() && line[pos] == ' ') ++pos;
  return w;
}

}  // namespace

std::string accessLogServiceName(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) path = path.substr(slash + 1);
  for (std::string_view ext : {".gz", ".log"}) {
    if (path.size() > ext.size() && path.substr(path.size() - ext.size()) == ext) {
      path.remove_suffix(ext.size());
    }
  }
  return std::string(path);
}

AccessLogParser::AccessLogParser(detect::Ledger& ledger, std::uint32_t source, std::string file,
                                 LogListener* listener, LogStats& stats, std::string service,
                                 bool from_name)
    : LogParser(ledger, source, std::move(file), listener, stats),
      service_(std::move(service)),
      from_name_(from_name) {}

void AccessLogParser::parseLine(std::string_view line, std::uint64_t number) {
  if (line.empty()) {
    ++stats_.skipped;
    return;
  }
  // The words before "[time]": host ident user, or vhost:port host ident user.
  std::array<std::string_view, kMaxPrefixWords + 1> words{};
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < line.size() && line[pos] != '[' && count <= kMaxPrefixWords) {
    words[count++] = word(line, pos);
  }
  if (pos >= line.size() || line[pos] != '[' || count < 3 || count > kMaxPrefixWords) {
    bad(number, "not an access log line (expected host ident user [time] \"request\" ...)");
    return;
  }
  const bool vhost = count == 4;
  const std::string_view client = words[vhost ? 1 : 0];
  const std::string_view user = words[vhost ? 3 : 2];
  const std::size_t close = line.find(']', pos);
  if (close == std::string_view::npos) {
    bad(number, "unterminated [time]");
    return;
  }
  const std::string_view time_text = line.substr(pos + 1, close - pos - 1);
  pos = close + 1;
  while (pos < line.size() && line[pos] == ' ') ++pos;
  const auto request = quoted(line, pos);
  if (!request) {
    bad(number, "no quoted request line (truncated line?)");
    return;
  }
  const std::string_view status = word(line, pos);
  (void)word(line, pos);  // bytes
  std::string_view ua;
  if (pos < line.size()) {
    (void)quoted(line, pos);  // referer
    if (auto agent = quoted(line, pos)) ua = *agent;
  }
  if (ua == "-") ua = {};

  // The client: most lines of a log come from few clients, so the last one is kept parsed.
  if (client != last_client_) {
    const auto ip = parseIp(client);
    if (!ip) {
      bad(number, "client '" + std::string(client) +
                      "' is not an IP address (host name lookups on in the server?)");
      return;
    }
    last_client_.assign(client);
    last_key_ = detect::DeviceKey{std::nullopt, *ip};
  }
  if (time_text != last_time_text_) {
    const auto t = parseCommonLogTime(time_text);
    if (!t) {
      bad(number, "bad time [" + std::string(time_text) + "]");
      return;
    }
    last_time_text_.assign(time_text);
    last_time_ns_ = *t;
  }
  ++stats_.records;
  const detect::Where w = where(number, last_time_ns_);
  // A name the server refused is not an authenticated user.
  const bool refused = status == "401" || status == "407";
  const std::string_view auth_user = refused || user == "-" ? std::string_view() : user;
  ledger_.noteUser(last_key_, auth_user, w);
  ledger_.observe(last_key_, detect::SignalKind::kUserAgent, ua, w);

  // "GET /path HTTP/1.1": the target is the second word.
  std::string_view req = *request;
  const std::size_t sp = req.find(' ');
  if (sp == std::string_view::npos) return;  // "-" or garbage from a bad client: no service
  const std::string_view method = req.substr(0, sp);
  std::string_view target = req.substr(sp + 1);
  target = target.substr(0, target.find(' '));
  if (method == "CONNECT") {
    buffer_.assign(target);  // host:port (the port is dropped by the ledger)
  } else if (const std::size_t scheme = target.find("://");
             scheme != std::string_view::npos && target.find('/') > scheme) {
    buffer_.assign(target.substr(scheme + 3));  // absolute form: the origin's host and path
  } else {
    if (from_name_ && vhost) {
      buffer_.assign(stripPort(words[0]));
    } else {
      buffer_.assign(service_);
    }
    if (!target.empty() && target.front() == '/') buffer_.append(target);
  }
  ledger_.noteServiceUse(last_key_, buffer_, auth_user, ua, w);
}

Status readAccessLog(const std::string& path, const std::string& service, detect::Ledger& ledger,
                     LogListener* listener, LogStats& stats) {
  const bool from_name = service.empty();
  AccessLogParser parser(ledger, ledger.addSource(path), path, listener, stats,
                         from_name ? accessLogServiceName(path) : service, from_name);
  return readLines(path, parser, listener, stats);
}

}  // namespace phaseout::logs
