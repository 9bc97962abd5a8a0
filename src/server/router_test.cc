#include "server/router.h"

#include <gtest/gtest.h>

namespace phaseout::server {
namespace {

Handler answer(int status) {
  return [status](RouteContext&) {
    Response r;
    r.status = status;
    return r;
  };
}

Router sample() {
  Router router;
  router.add("GET", "/api/v1/devices", Access::kAuthenticated, answer(1));
  router.add("GET", "/api/v1/devices/{id}", Access::kAuthenticated, answer(2));
  router.add("POST", "/api/v1/devices/{id}/disposition", Access::kAuthenticated, answer(3));
  router.add("POST", "/api/v1/login", Access::kPublic, answer(4));
  router.add("GET", "/api/v1/people/{person}/devices/{id}", Access::kAuthenticated, answer(5));
  router.add("DELETE", "/api/v1/devices/{id}", Access::kAuthenticated, answer(6));
  router.add("GET", "/", Access::kPublic, answer(7));
  return router;
}

int statusOf(const Router::Match& m) {
  Request request;
  RouteContext ctx{request, m.params, std::nullopt, {}};
  return m.route->handler(ctx).status;
}

TEST(RouterTest, LiteralAndParameterSegments) {
  const Router router = sample();
  auto m = router.match("GET", "/api/v1/devices");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.status, 0);
  EXPECT_EQ(statusOf(m), 1);
  EXPECT_TRUE(m.params.empty());

  m = router.match("GET", "/api/v1/devices/D-1 x");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(statusOf(m), 2);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "id");
  EXPECT_EQ(m.params[0].second, "D-1 x");

  m = router.match("GET", "/api/v1/people/p1/devices/d9");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(statusOf(m), 5);
  Request request;
  RouteContext ctx{request, m.params, std::nullopt, {}};
  EXPECT_EQ(ctx.param("person"), "p1");
  EXPECT_EQ(ctx.param("id"), "d9");
  EXPECT_EQ(ctx.param("absent"), "");

  m = router.match("GET", "/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(statusOf(m), 7);
}

TEST(RouterTest, ParameterNeverMatchesAnEmptyOrSeveralSegments) {
  const Router router = sample();
  EXPECT_EQ(router.match("GET", "/api/v1/devices/").status, 404);
  EXPECT_EQ(router.match("GET", "/api/v1/devices/a/b").status, 404);
  EXPECT_EQ(router.match("GET", "/api/v1/devices//disposition").status, 404);
  EXPECT_EQ(router.match("GET", "/api/v1").status, 404);
  EXPECT_EQ(router.match("GET", "").status, 404);
  EXPECT_EQ(router.match("GET", "/api/v1/devicesx").status, 404);
  EXPECT_EQ(router.match("GET", "/API/v1/devices").status, 404);
}

TEST(RouterTest, OtherMethodIs405WithAllow) {
  const Router router = sample();
  auto m = router.match("POST", "/api/v1/devices/d1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, DELETE, HEAD");
  EXPECT_TRUE(m.params.empty());

  m = router.match("GET", "/api/v1/login");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "POST");
}

TEST(RouterTest, HeadIsAnsweredByGet) {
  const Router router = sample();
  auto m = router.match("HEAD", "/api/v1/devices/d1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "GET");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].second, "d1");
  EXPECT_EQ(router.match("HEAD", "/api/v1/login").status, 405);
}

TEST(RouterTest, AccessIsKeptOnTheRoute) {
  const Router router = sample();
  EXPECT_EQ(router.match("POST", "/api/v1/login").route->access, Access::kPublic);
  EXPECT_EQ(router.match("GET", "/api/v1/devices").route->access, Access::kAuthenticated);
  EXPECT_EQ(router.routes().size(), 7u);
}

TEST(HeadersTest, CaseInsensitiveGetAndSet) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("set-cookie", "b=2");
  h.add("X-One", "1");
  EXPECT_EQ(h.get("SET-COOKIE").value(), "a=1");
  EXPECT_FALSE(h.get("missing").has_value());
  h.set("SET-cookie", "c=3");
  ASSERT_EQ(h.all().size(), 2u);
  EXPECT_EQ(h.get("set-cookie").value(), "c=3");
  EXPECT_EQ(h.get("x-one").value(), "1");
}

TEST(RequestTest, QueryParamFirstValue) {
  Request r;
  r.query = {{"unit", "pa/**"}, {"unit", "x"}, {"at", ""}};
  EXPECT_EQ(r.queryParam("unit").value(), "pa/**");
  EXPECT_EQ(r.queryParam("at").value(), "");
  EXPECT_FALSE(r.queryParam("Unit").has_value());
}

}  // namespace
}  // namespace phaseout::server
