#include "server/http.h"

#include "core/strings.h"

namespace phaseout::server {

void Headers::add(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  std::erase_if(headers_, [&](const auto& h) { return iequals(h.first, name); });
  headers_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : headers_) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::queryParam(std::string_view name) const {
  for (const auto& [n, v] : query) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace phaseout::server
