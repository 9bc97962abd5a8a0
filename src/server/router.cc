#include "server/router.h"

#include <algorithm>

namespace phaseout::server {
namespace {

// "/api/v1/devices/{id}" -> {"api", "v1", "devices", "{id}"}; "/" -> {""}.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool isParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool matches(std::string_view pattern, std::string_view path,
             std::vector<std::pair<std::string, std::string>>& params) {
  const auto want = segments(pattern);
  const auto got = segments(path);
  if (want.size() != got.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (isParam(want[i])) {
      if (got[i].empty()) return false;
      params.emplace_back(std::string(want[i].substr(1, want[i].size() - 2)), std::string(got[i]));
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view RouteContext::param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  routes_.push_back(Route{std::move(method), std::move(pattern), access, std::move(handler)});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match out;
  if (path.empty() || path.front() != '/') {
    out.status = 404;
    return out;
  }
  std::vector<std::string> allowed;
  std::vector<std::pair<std::string, std::string>> params;
  // HEAD is answered by the GET route (the transport sends no body).
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const Route* fallback = nullptr;
  for (const Route& route : routes_) {
    if (!matches(route.pattern, path, params)) continue;
    if (route.method == method || (route.method == wanted && !fallback)) {
      if (route.method == method) {
        out.route = &route;
        out.params = std::move(params);
        return out;
      }
      fallback = &route;
      out.params = params;
    }
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  if (fallback) {
    out.route = fallback;
    return out;
  }
  out.params.clear();
  if (allowed.empty()) {
    out.status = 404;
    return out;
  }
  if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
      std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
    allowed.push_back("HEAD");
  }
  out.status = 405;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i) out.allow += ", ";
    out.allow += allowed[i];
  }
  return out;
}

}  // namespace phaseout::server
