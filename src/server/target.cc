// The parts of the transport that are plain values: listen addresses, request targets and the
// headers of the transport's own responses. Kept apart from transport.cc so they are tested
// (and compiled) without Beast.
#include <charconv>

#include "core/strings.h"
#include "server/transport.h"

namespace phaseout::server {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; '+' becomes a space when `plus_is_space` (query strings).
Status percentDecode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return invalidArgument("request target: '%' must be followed by two hex digits");
      }
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return invalidArgument("request target: '%' must be followed by two hex digits");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (out.find('\0') != std::string::npos) {
    return invalidArgument("request target: NUL is not allowed");
  }
  if (!isValidUtf8(out)) return invalidArgument("request target: not valid UTF-8");
  return Status::ok();
}

}  // namespace

Result<ListenAddress> parseListenAddress(std::string_view text) {
  auto bad = [&](std::string what) {
    return Result<ListenAddress>(
        invalidField("listen", "'" + std::string(text) + "': " + std::move(what)));
  };
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad("expected [IPv6]:PORT");
    out.host = std::string(text.substr(1, close - 1));
    if (out.host.empty()) return bad("expected [IPv6]:PORT");
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("expected [IPv6]:PORT");
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected HOST:PORT");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return bad("an IPv6 address is written in brackets: [::1]:8080");
    }
    port_text = text.substr(colon + 1);
  }
  for (char c : out.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '%' || c == '_';
    if (!ok) return bad("the host is not an address or a host name");
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

std::string formatListenAddress(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::to_string(port);
}

Status parseRequestTarget(std::string_view target, std::string& path,
                          std::vector<std::pair<std::string, std::string>>& query) {
  query.clear();
  if (target.empty() || target.front() != '/') {
    return invalidArgument("request target: expected a path starting with '/'");
  }
  const auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view raw_query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (const auto hash = raw_query.find('#'); hash != std::string_view::npos) {
    raw_query = raw_query.substr(0, hash);
  }
  PH_RETURN_IF_ERROR(percentDecode(raw_path, false, path));
  // Dot segments are refused after decoding, so "/%2e%2e/" is caught like "/../"; a
  // backslash is refused too, for handlers that would ever map a path onto files.
  std::string_view rest(path);
  rest.remove_prefix(1);
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == "..") {
      return invalidArgument("request target: '.' and '..' segments are not allowed");
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (path.find('\\') != std::string::npos) {
    return invalidArgument("request target: '\\' is not allowed in a path");
  }
  while (!raw_query.empty()) {
    const auto amp = raw_query.find('&');
    const std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name, value;
    PH_RETURN_IF_ERROR(percentDecode(pair.substr(0, eq), true, name));
    if (eq != std::string_view::npos) {
      PH_RETURN_IF_ERROR(percentDecode(pair.substr(eq + 1), true, value));
    }
    query.emplace_back(std::move(name), std::move(value));
  }
  return Status::ok();
}

void addTransportSecurityHeaders(Headers& headers) {
  headers.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("Cache-Control", "no-store");
}

}  // namespace phaseout::server
