#include "dissect/http/http_dissector.h"

#include <array>
#include <string_view>

#include "core/byte_reader.h"
#include "dissect/text.h"

namespace phaseout::dissect {
namespace {

constexpr std::uint16_t kSsdpPort = 1900;
// Shortest request head worth reading: "GET / HTTP/1.0\r\n".
constexpr std::size_t kMinRequestBytes = 16;

// Request methods: RFC 9110 §9, PATCH (RFC 5789), WebDAV (RFC 4918 §9, RFC 3253 REPORT,
// RFC 5323 SEARCH), SSDP/GENA (M-SEARCH, NOTIFY, SUBSCRIBE, UNSUBSCRIBE).
constexpr std::array<std::string_view, 20> kMethods = {
    "GET",   "HEAD",   "POST",     "PUT",       "DELETE",   "CONNECT", "OPTIONS",
    "TRACE", "PATCH",  "PROPFIND", "PROPPATCH", "MKCOL",    "COPY",    "MOVE",
    "LOCK",  "UNLOCK", "REPORT",   "SEARCH",    "M-SEARCH", "NOTIFY",
};
// GENA's SUBSCRIBE/UNSUBSCRIBE share first letters with SEARCH/UNLOCK, listed apart to keep
// the table readable.
constexpr std::array<std::string_view, 2> kGenaMethods = {"SUBSCRIBE", "UNSUBSCRIBE"};
// The union of the methods' first letters: the registry's cheap gate.
constexpr std::string_view kMethodFirstBytes = "GHPDCOTMLRSNU";

constexpr std::array<std::uint16_t, 1> kUdpPorts = {kSsdpPort};
constexpr std::array<Interest, 2> kInterests = {
    Interest::tcp().minPayload(kMinRequestBytes).firstBytes(kMethodFirstBytes),
    Interest::udp(kUdpPorts).minPayload(kMinRequestBytes).firstBytes(kMethodFirstBytes),
};

std::span<const std::uint8_t> asBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The method token the text starts with, followed by a space, or empty.
std::string_view matchMethod(std::string_view text) {
  for (std::string_view m : kMethods) {
    if (text.size() > m.size() && text[m.size()] == ' ' && text.starts_with(m)) return m;
  }
  for (std::string_view m : kGenaMethods) {
    if (text.size() > m.size() && text[m.size()] == ' ' && text.starts_with(m)) return m;
  }
  return {};
}

// Splits off the next line; CR, LF and CRLF all end a line (as Wireshark's line finder).
std::string_view nextLine(std::string_view& rest) {
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != '\r' && rest[end] != '\n') ++end;
  const std::string_view line = rest.substr(0, end);
  std::size_t next = end;
  if (next < rest.size()) {
    next += (rest[next] == '\r' && next + 1 < rest.size() && rest[next + 1] == '\n') ? 2 : 1;
  }
  rest.remove_prefix(next);
  return line;
}

bool iequalsAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::span<const Interest> HttpDissector::interests() const { return kInterests; }

Outcome HttpDissector::dissect(const decode::DecodedPacket& packet, ObservationSink& sink,
                               AnomalyCounters& anomalies) const {
  ByteReader reader(packet.payload);
  std::string_view rest = reader.chars(reader.remaining());
  const std::string_view method = matchMethod(rest);
  if (method.empty()) return Outcome::kNotMine;

  // RFC 9112 §3: method SP request-target SP HTTP-version.
  std::string_view request_line = nextLine(rest);
  request_line.remove_prefix(method.size() + 1);
  const std::string_view target = request_line.substr(0, request_line.find(' '));
  bool target_ok = !target.empty();
  for (char c : target) target_ok = target_ok && static_cast<unsigned char>(c) > 0x20;
  if (!target_ok) {
    anomalies.bump("http.bad_request_line");
    return Outcome::kMalformed;
  }

  Observation obs = makeObservation(ObservationType::kHttp, packet);
  HttpFields& http = obs.http;
  http.method = std::string(method);
  http.path = asciiText(asBytes(target));

  bool have_host = false;
  bool have_user_agent = false;
  while (!rest.empty()) {
    const std::string_view line = nextLine(rest);
    if (line.empty()) break;  // end of the head
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view field = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    if (iequalsAscii(field, "host")) {
      if (have_host) {
        anomalies.bump("http.duplicate_host");
      } else {
        have_host = true;
        http.host = asciiText(asBytes(value));
      }
    } else if (iequalsAscii(field, "user-agent") && !have_user_agent) {
      have_user_agent = true;
      http.user_agent = asciiText(asBytes(value));
    }
  }
  sink.onObservation(obs);
  return Outcome::kObserved;
}

}  // namespace phaseout::dissect
