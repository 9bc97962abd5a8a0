#include "server/web.h"

#include <gtest/gtest.h>

#include <string>

namespace phaseout::server {
namespace {

Request get(std::string path) {
  Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  return r;
}

TEST(WebAssetsTest, EveryPageFileIsEmbeddedWithItsType) {
  const auto index = findWebAsset("/");
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("/js/app.js"), std::string_view::npos);
  const auto app = findWebAsset("/js/app.js");
  ASSERT_TRUE(app.has_value());
  EXPECT_EQ(app->content_type, "text/javascript; charset=utf-8");
  ASSERT_TRUE(findWebAsset("/css/style.css").has_value());
  EXPECT_EQ(findWebAsset("/css/style.css")->content_type, "text/css; charset=utf-8");
  ASSERT_TRUE(findWebAsset("/i18n/ru.json").has_value());
  EXPECT_EQ(findWebAsset("/i18n/ru.json")->content_type, "application/json; charset=utf-8");
  EXPECT_FALSE(findWebAsset("/index.html").has_value());  // served at "/" only
  EXPECT_FALSE(findWebAsset("/js/../index.html").has_value());
  EXPECT_FALSE(findWebAsset("/nothing.js").has_value());
}

TEST(WebAssetsTest, PagesHaveNoInlineScriptOrStyle) {
  for (const WebAsset& asset : webAssets()) {
    if (asset.content_type.rfind("text/html", 0) != 0) continue;
    EXPECT_EQ(asset.body.find("<script>"), std::string_view::npos) << asset.path;
    EXPECT_EQ(asset.body.find("<style"), std::string_view::npos) << asset.path;
    EXPECT_EQ(asset.body.find(" style="), std::string_view::npos) << asset.path;
    EXPECT_EQ(asset.body.find(" onclick="), std::string_view::npos) << asset.path;
  }
}

TEST(WebAssetsTest, ServesWithSecurityHeadersAndEtag) {
  const auto app = findWebAsset("/js/app.js");
  ASSERT_TRUE(app.has_value());
  const Response r = serveWebAsset(get("/js/app.js"), *app);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, app->body);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  ASSERT_TRUE(r.headers.get("ETag").has_value());
  EXPECT_EQ(*r.headers.get("ETag"), app->etag);
  EXPECT_EQ(app->etag.size(), 18u);  // 16 hex digits in quotes
  EXPECT_EQ(*r.headers.get("Cache-Control"), "no-cache");
  EXPECT_NE(r.headers.get("Content-Security-Policy")->find("default-src 'self'"),
            std::string_view::npos);
  EXPECT_EQ(*r.headers.get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(*r.headers.get("Referrer-Policy"), "no-referrer");
}

TEST(WebAssetsTest, IfNoneMatchAnswers304) {
  const auto index = findWebAsset("/");
  ASSERT_TRUE(index.has_value());
  Request r = get("/");
  r.headers.add("If-None-Match", "\"0000000000000000\", W/" + std::string(index->etag));
  const Response same = serveWebAsset(r, *index);
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  Request other = get("/");
  other.headers.add("If-None-Match", "\"0000000000000000\"");
  EXPECT_EQ(serveWebAsset(other, *index).status, 200);
}

TEST(WebAssetsTest, RegistersOnePublicGetRoutePerAsset) {
  Router router;
  registerWebRoutes(router);
  EXPECT_EQ(router.routes().size(), webAssets().size());
  for (const Route& route : router.routes()) {
    EXPECT_EQ(route.method, "GET");
    EXPECT_EQ(route.access, Access::kPublic);
  }
  const auto match = router.match("GET", "/js/pages/overview.js");
  ASSERT_NE(match.route, nullptr);
  Request request = get("/js/pages/overview.js");
  RouteContext context{request, {}, std::nullopt, ""};
  const Response r = match.route->handler(context);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("renderOverview"), std::string::npos);
  EXPECT_NE(router.match("GET", "/").route, nullptr);
}

}  // namespace
}  // namespace phaseout::server
