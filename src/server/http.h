// The HTTP values every part of the server speaks: a parsed Request in, a Response out.
//
// They do not depend on the HTTP library: the transport (server/transport.*) turns bytes on a
// connection into a Request and a Response back into bytes; the router, the authentication
// layer and the handlers only ever see these values, so they are tested without a socket.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phaseout::server {

class Headers {
 public:
  void add(std::string name, std::string value);
  // Replaces every header of that name (case-insensitive) by one.
  void set(std::string name, std::string value);
  // The first value of the header (case-insensitive name), or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return headers_; }

 private:
  std::vector<std::pair<std::string, std::string>> headers_;
};

struct Request {
  std::string method;     // "GET", upper case as sent
  std::string target;     // as sent: "/api/v1/devices?unit=pa%2F**"
  std::string path;       // percent-decoded path without the query: "/api/v1/devices"
  std::vector<std::pair<std::string, std::string>> query;  // decoded name=value pairs, in order
  Headers headers;
  std::string body;
  std::string peer;  // the client's address, "127.0.0.1"
  bool tls = false;  // arrived over TLS

  // The first value of a query parameter, or nullopt.
  std::optional<std::string_view> queryParam(std::string_view name) const;
};

// Sends one chunk of a streamed response; callable from any thread; returns false once the
// client has gone (the producer then forgets the sink).
using ChunkSink = std::function<bool(std::string chunk)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  // Set for a response that stays open (server-sent events): the transport sends the head,
  // then calls open_stream once with a sink for the chunks. No thread is held per stream.
  std::function<void(ChunkSink)> open_stream;
};

// What the request log line says about a request beyond method, path, status and time: the
// person (or token name) it was made as, filled in by the authentication layer.
struct RequestLogFields {
  std::string person;
};

// The whole application as the transport sees it.
using RequestHandler = std::function<Response(const Request&, RequestLogFields&)>;

}  // namespace phaseout::server
