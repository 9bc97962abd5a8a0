// Router: method + path pattern -> handler. Patterns are literal segments and `{name}`
// segments ("/api/v1/devices/{id}"); a `{name}` matches one whole non-empty segment.
// A path that matches no pattern is 404; a path that matches with another method is 405 with
// the Allow header.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http.h"
#include "service/caller.h"

namespace phaseout::server {

// Who may call a route at all (finer rules are the Caller's scope, checked in service).
enum class Access {
  kPublic,         // no credentials (login, openapi.json, static pages)
  kAuthenticated,  // a session or a token of scope read/write
  kSensor,         // a token of scope sensor (POST /api/v1/sightings)
};

struct RouteContext {
  const Request& request;
  std::vector<std::pair<std::string, std::string>> params;  // the {name} segments, decoded
  std::optional<service::Caller> caller;  // set by the authentication layer for non-public routes
  std::string session_id;                 // the session the request came with, if any

  std::string_view param(std::string_view name) const;
};

using Handler = std::function<Response(RouteContext&)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kAuthenticated;
  Handler handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;  // nullptr: see status
    std::vector<std::pair<std::string, std::string>> params;
    int status = 0;     // 0 matched, 404 no such path, 405 path exists for other methods
    std::string allow;  // for 405: "GET, POST"
  };
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace phaseout::server
