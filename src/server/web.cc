#include "server/web.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace phaseout::embedded {
struct EmbeddedWebFile {
  std::string_view path;
  std::string_view content_type;
  const std::string_view* body;
};
extern const EmbeddedWebFile kWebFiles[];
extern const std::size_t kWebFileCount;
}  // namespace phaseout::embedded

namespace phaseout::server {
namespace {

// The same policy the API's responses carry: nothing from another origin, no inline script or
// style, no framing.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string fnv1a64Hex(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) {
    out.push_back(kHex[(hash >> shift) & 0xf]);
  }
  out.push_back('"');
  return out;
}

struct AssetTable {
  std::vector<std::string> etags;
  std::vector<WebAsset> assets;
};

const AssetTable& table() {
  static const AssetTable kTable = [] {
    AssetTable t;
    t.etags.reserve(embedded::kWebFileCount);
    for (std::size_t i = 0; i < embedded::kWebFileCount; ++i) {
      t.etags.push_back(fnv1a64Hex(*embedded::kWebFiles[i].body));
    }
    for (std::size_t i = 0; i < embedded::kWebFileCount; ++i) {
      const auto& f = embedded::kWebFiles[i];
      t.assets.push_back(WebAsset{f.path, f.content_type, *f.body, t.etags[i]});
    }
    std::sort(t.assets.begin(), t.assets.end(),
              [](const WebAsset& a, const WebAsset& b) { return a.path < b.path; });
    return t;
  }();
  return kTable;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// If-None-Match is "*" or a comma-separated list of entity tags, weak ones prefixed "W/"
// (RFC 9110 section 13.1.2: the comparison is weak).
bool matchesEtag(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    std::string_view item = trim(if_none_match.substr(0, comma));
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void setCommonHeaders(Response& response, const WebAsset& asset) {
  response.headers.set("ETag", std::string(asset.etag));
  response.headers.set("Cache-Control", "no-cache");
  response.headers.set("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("X-Frame-Options", "DENY");
}

}  // namespace

const std::vector<WebAsset>& webAssets() { return table().assets; }

std::optional<WebAsset> findWebAsset(std::string_view path) {
  const auto& assets = table().assets;
  const auto it =
      std::lower_bound(assets.begin(), assets.end(), path,
                       [](const WebAsset& a, std::string_view p) { return a.path < p; });
  if (it == assets.end() || it->path != path) return std::nullopt;
  return *it;
}

Response serveWebAsset(const Request& request, const WebAsset& asset) {
  Response response;
  setCommonHeaders(response, asset);
  response.content_type = std::string(asset.content_type);
  const auto if_none_match = request.headers.get("If-None-Match");
  if (if_none_match && matchesEtag(*if_none_match, asset.etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  // For HEAD too: the transport sends the head only, with the length of this body.
  response.body = std::string(asset.body);
  return response;
}

void registerWebRoutes(Router& router) {
  for (const WebAsset& asset : webAssets()) {
    router.add("GET", std::string(asset.path), Access::kPublic,
               [asset](RouteContext& context) { return serveWebAsset(context.request, asset); });
  }
}

}  // namespace phaseout::server
