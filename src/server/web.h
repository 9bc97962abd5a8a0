// The web pages: the dashboard and the holder's self-service, served by `phaseout serve` from
// files of web/ embedded in the binary at build time (src/server/web_assets.cmake), so the
// pages never load anything from another origin.
//
// web/index.html is served at "/", every other file web/<path> at "/<path>" ("/js/app.js",
// "/i18n/ru.json"). Each response carries its Content-Type, a strong ETag (a hash of the
// bytes; If-None-Match answers 304), Cache-Control "no-cache" (the browser revalidates, so a
// new binary's pages are seen at once) and the security headers of every response of the
// server (CSP default-src 'self', nosniff, no-referrer, frame-ancestors 'none').
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/http.h"
#include "server/router.h"

namespace phaseout::server {

struct WebAsset {
  std::string_view path;          // as served: "/", "/js/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // "\"<16 hex digits>\""
};

// Every embedded file, in path order. Thread-safe (built once, then read-only).
const std::vector<WebAsset>& webAssets();

// The asset served at `path`, or nullopt.
std::optional<WebAsset> findWebAsset(std::string_view path);

// The response to GET `request` for `asset`: 200 with the body, or 304 when the request's
// If-None-Match names the asset's ETag.
Response serveWebAsset(const Request& request, const WebAsset& asset);

// Adds GET "/" and GET "/<path>" for every asset, Access::kPublic.
void registerWebRoutes(Router& router);

}  // namespace phaseout::server
