// API v1 handlers through the Application, without a socket: Request values in, Response
// values out, over the scenario's sample organisation in a real SQLite file. Callers are given
// directly (handleAs); credentials are tested end to end (tests/server/api_matrix_test.py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "report/status_report.h"
#include "server/api_app.h"
#include "service/audit.h"
#include "service/demo.h"
#include "service/status.h"

namespace phaseout::server {
namespace {

using nlohmann::json;

Request makeRequest(std::string method, std::string path,
                    std::vector<std::pair<std::string, std::string>> query = {},
                    std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.path = path;
  r.target = path;
  r.query = std::move(query);
  r.body = std::move(body);
  r.peer = "127.0.0.1";
  return r;
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_api_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "api.db").string();
    auto ws = service::Workspace::open(db_);
    ASSERT_TRUE(ws.isOk());
    service::DemoOptions options;
    options.people = 150;
    options.out_dir = dir_.string();
    service::Recording rec;
    rec.now_ms = Date::fromCivil(2023, 3, 20).epochMs();
    auto demo = service::runDemo(service::Caller::localOperator("tester"), **ws, options, rec);
    ASSERT_TRUE(demo.isOk()) << demo.status().toString();
    for (const auto& v : demo->status.evaluation.verdicts) {
      if (v.holder == nullptr || v.holder->status != inventory::EmploymentStatus::kActive) {
        continue;
      }
      if (device_.empty() && v.status == policy::VerdictStatus::kPending) {
        device_ = v.device->device_id;
        holder_ = v.holder->person_id;
        unit_ = v.holder->unit;
      }
    }
    for (const auto& v : demo->status.evaluation.verdicts) {
      if (v.holder != nullptr && v.holder->unit.rfind(unit_, 0) != 0) {
        other_device_ = v.device->device_id;
        other_person_ = v.holder->person_id;
        break;
      }
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  void SetUp() override {
    ASSERT_FALSE(device_.empty());
    ASSERT_FALSE(other_device_.empty());
    ServerConfig config;
    config.db_url = db_;
    config.body_limit = 64 << 10;
    auto app = Application::create(config);
    ASSERT_TRUE(app.isOk()) << app.status().toString();
    app_.reset(static_cast<ApiApplication*>(app->release()));
  }

  static service::Caller officer() {  // security officer
    service::Caller c;
    c.actor = "P-sec";
    c.person_id = "P-sec";
    c.scope.all_units = true;
    c.scope.may_act = true;
    c.scope.may_administer = true;
    c.scope.may_read_audit = true;
    return c;
  }
  static service::Caller unitOfficer() {
    service::Caller c;
    c.actor = "P-unit";
    c.person_id = "P-unit";
    c.scope.unit_subtrees = {unit_};
    c.scope.may_act = true;
    return c;
  }
  static service::Caller holder() {
    service::Caller c;
    c.actor = holder_;
    c.person_id = holder_;
    c.scope.own_person = holder_;
    return c;
  }
  static service::Caller auditor() {
    service::Caller c;
    c.actor = "P-aud";
    c.person_id = "P-aud";
    c.scope.all_units = true;
    c.scope.may_read_audit = true;
    return c;
  }

  Response as(const service::Caller& caller, Request r) { return app_->handleAs(r, caller); }

  static std::string errorField(const Response& r) {
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "<no error body>";
    return j["error"]["field"].is_null() ? "" : j["error"]["field"].get<std::string>();
  }

  static inline std::filesystem::path dir_;
  static inline std::string db_, device_, holder_, unit_, other_device_, other_person_;
  std::unique_ptr<ApiApplication> app_;
};

TEST_F(ApiTest, StatusIsTheJsonOfTheStatusCommand) {
  auto ws = service::Workspace::open(db_);
  ASSERT_TRUE(ws.isOk());
  service::StatusRequest req;
  req.at = Date::fromCivil(2023, 3, 20);
  auto cli = service::statusReport(service::Caller::localOperator("x"), **ws, req);
  ASSERT_TRUE(cli.isOk());
  const std::string expected =
      service::withReviewJson(report::statusJson(cli->status.directive, cli->status.evaluation,
                                                 false, cli->status.milestones, &*cli->network),
                              cli->review);
  for (int i = 0; i < 2; ++i) {  // uncached, then cached
    auto r = as(officer(), makeRequest("GET", "/api/v1/status", {{"at", "2023-03-20"}}));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, expected);
    EXPECT_EQ(r.content_type, "application/json");
  }
  // A holder's status counts only their own devices.
  auto mine = as(holder(), makeRequest("GET", "/api/v1/status", {{"at", "2023-03-20"}}));
  ASSERT_EQ(mine.status, 200);
  auto counted = json::parse(mine.body)["totals"]["devices_in_scope"].get<int>();
  EXPECT_GE(counted, 1);
  EXPECT_LT(counted, 10);
  // Counts are streamed (memory flat in the devices), not evaluated into the cache; a device
  // list evaluates every device once, into the cache.
  EXPECT_EQ(app_->cache().stats().misses, 0u);
  auto listed = as(officer(), makeRequest("GET", "/api/v1/devices", {{"at", "2023-03-20"}}));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(app_->cache().stats().misses, 1u);
}

TEST_F(ApiTest, DevicesAreFilteredAndNarrowed) {
  auto r =
      as(officer(), makeRequest("GET", "/api/v1/devices",
                                {{"at", "2023-03-20"}, {"status", "pending"}, {"unit", "pa/**"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto devices = json::parse(r.body)["devices"];
  ASSERT_FALSE(devices.empty());
  for (const auto& d : devices) {
    EXPECT_EQ(d["status"], "pending");
    EXPECT_EQ(d["unit"].get<std::string>().rfind("pa", 0), 0u);
  }
  auto own = as(holder(), makeRequest("GET", "/api/v1/devices", {{"at", "2023-03-20"}}));
  ASSERT_EQ(own.status, 200);
  const json own_devices = json::parse(own.body)["devices"];
  for (const auto& d : own_devices) EXPECT_EQ(d["person_id"], holder_);
  EXPECT_EQ(as(officer(), makeRequest("GET", "/api/v1/devices", {{"status", "banned"}})).status,
            400);
}

TEST_F(ApiTest, ADeviceOutOfViewIsNotFoundLikeAMissingOne) {
  auto own = as(holder(), makeRequest("GET", "/api/v1/devices/" + device_, {{"at", "2023-03-20"}}));
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(json::parse(own.body)["device"]["device_id"], device_);
  auto other = as(holder(), makeRequest("GET", "/api/v1/devices/" + other_device_));
  auto missing = as(holder(), makeRequest("GET", "/api/v1/devices/D-999999999"));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(other.body)["error"]["code"], json::parse(missing.body)["error"]["code"]);
  // SQL metacharacters are data.
  EXPECT_EQ(as(officer(), makeRequest("GET", "/api/v1/devices/' OR '1'='1")).status, 404);
  EXPECT_EQ(
      as(officer(), makeRequest("GET", "/api/v1/devices", {{"unit", "'; DROP TABLE devices; --"}}))
          .status,
      200);
}

TEST_F(ApiTest, MalformedRequestsAre400NamingTheField) {
  const std::string path = "/api/v1/devices/" + device_ + "/disposition";
  auto unknown =
      as(officer(), makeRequest("POST", path, {}, R"({"as":"returned","colour":"red"})"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(errorField(unknown), "colour");
  auto wrong = as(officer(), makeRequest("POST", path, {}, R"({"as":"returned","by":7})"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(errorField(wrong), "by");
  auto bad = as(officer(), makeRequest("POST", path, {}, R"({"as":)"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(errorField(bad), "body");
  auto array = as(officer(), makeRequest("POST", path, {}, R"([1])"));
  EXPECT_EQ(array.status, 400);
  auto as_bad = as(officer(), makeRequest("POST", path, {}, R"({"as":"eaten"})"));
  EXPECT_EQ(as_bad.status, 400);
  EXPECT_EQ(errorField(as_bad), "as");
  auto date = as(officer(), makeRequest("GET", "/api/v1/status", {{"at", "2023-13-45"}}));
  EXPECT_EQ(date.status, 400);
  EXPECT_EQ(errorField(date), "at");
  auto query = as(officer(), makeRequest("GET", "/api/v1/status", {{"att", "2023-03-20"}}));
  EXPECT_EQ(query.status, 400);
  EXPECT_EQ(errorField(query), "att");
  auto twice = as(officer(), makeRequest("GET", "/api/v1/status", {{"at", "x"}, {"at", "y"}}));
  EXPECT_EQ(twice.status, 400);
}

TEST_F(ApiTest, RulesRefusingAre422WithTheSentence) {
  auto r = as(officer(), makeRequest("POST", "/api/v1/waivers", {},
                                     R"({"device":")" + device_ + R"(","reason":"x"})"));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(errorField(r), "until");
}

TEST_F(ApiTest, PermissionsFollowTheScope) {
  EXPECT_EQ(as(holder(), makeRequest("GET", "/api/v1/audit")).status, 403);
  EXPECT_EQ(as(unitOfficer(), makeRequest("GET", "/api/v1/audit")).status, 403);
  auto audit = as(auditor(), makeRequest("GET", "/api/v1/audit", {{"after", "2"}}));
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.content_type, "application/x-ndjson");
  EXPECT_EQ(json::parse(audit.body.substr(0, audit.body.find('\n')))["seq"], 3);
  // An auditor changes nothing; a unit officer acts only in their unit.
  const std::string body = R"({"as":"returned","by":")" + holder_ + R"("})";
  EXPECT_EQ(
      as(auditor(), makeRequest("POST", "/api/v1/devices/" + device_ + "/disposition", {}, body))
          .status,
      403);
  EXPECT_EQ(as(unitOfficer(),
               makeRequest("POST", "/api/v1/devices/" + other_device_ + "/disposition", {}, body))
                .status,
            404);
  EXPECT_EQ(as(holder(), makeRequest("POST", "/api/v1/waivers", {},
                                     R"({"device":"D-1","reason":"x","until":"2030-01-01"})"))
                .status,
            403);
}

TEST_F(ApiTest, AWriteIsOneAuditEventByTheCallerAndRefreshesTheStatus) {
  const auto before = as(officer(), makeRequest("GET", "/api/v1/devices", {{"status", "overdue"}}));
  ASSERT_EQ(before.status, 200);
  auto up = as(unitOfficer(), makeRequest("POST", "/api/v1/evidence", {{"name", "receipt.txt"}},
                                          "handed in at the front desk"));
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string sha = json::parse(up.body)["sha256"];
  auto r = as(unitOfficer(), makeRequest("POST", "/api/v1/devices/" + device_ + "/disposition", {},
                                         R"({"as":"returned","by":")" + holder_ +
                                             R"(","evidence":")" + sha + R"("})"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto seq = json::parse(r.body)["event"].get<std::int64_t>();
  auto line =
      as(auditor(), makeRequest("GET", "/api/v1/audit", {{"after", std::to_string(seq - 1)}}));
  ASSERT_EQ(line.status, 200);
  auto event = json::parse(line.body.substr(0, line.body.find('\n')));
  EXPECT_EQ(event["actor"], "P-unit");
  EXPECT_EQ(event["kind"], "disposition");
  const auto after = as(officer(), makeRequest("GET", "/api/v1/devices", {{"status", "overdue"}}));
  EXPECT_NE(before.body, after.body);
  EXPECT_EQ(after.body.find("\"" + device_ + "\""), std::string::npos);
  auto detail = as(holder(), makeRequest("GET", "/api/v1/devices/" + device_));
  EXPECT_EQ(json::parse(detail.body)["evidence"][0]["sha256"], sha);

  auto ws = service::Workspace::open(db_);
  ASSERT_TRUE(ws.isOk());
  auto check = service::verifyAudit(service::Caller::localOperator("t"), **ws);
  ASSERT_TRUE(check.isOk());
  EXPECT_TRUE(check->ok()) << service::auditCheckText(*check);
}

TEST_F(ApiTest, EveryResponseCarriesTheSecurityHeaders) {
  RequestLogFields log;
  for (const auto& r : {as(officer(), makeRequest("GET", "/api/v1/directives")),
                        as(officer(), makeRequest("GET", "/api/v1/nothing")),
                        as(officer(), makeRequest("DELETE", "/api/v1/status")),
                        app_->handle(makeRequest("GET", "/api/v1/status"), log)}) {
    EXPECT_EQ(r.headers.get("Content-Security-Policy"),
              "default-src 'self'; frame-ancestors 'none'");
    EXPECT_EQ(r.headers.get("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.headers.get("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  }
}

TEST_F(ApiTest, NoCredentialsIs401AndBigBodiesAre413) {
  RequestLogFields log;
  auto r = app_->handle(makeRequest("GET", "/api/v1/status"), log);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "unauthenticated");
  auto big = as(officer(), makeRequest("POST", "/api/v1/evidence", {}, std::string(70 << 10, 'x')));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(as(officer(), makeRequest("DELETE", "/api/v1/status")).status, 405);
}

TEST_F(ApiTest, SingleSignOnRoutesAreNotFoundUnlessConfigured) {
  RequestLogFields log;
  EXPECT_EQ(app_->handle(makeRequest("GET", "/api/v1/oidc/start"), log).status, 404);
  EXPECT_EQ(app_->handle(makeRequest("GET", "/api/v1/oidc/callback", {{"state", "x"}}), log).status,
            404);
}

TEST_F(ApiTest, OpenApiDocumentsEveryRouteAndNothingElse) {
  RequestLogFields log;
  auto r = app_->handle(makeRequest("GET", "/api/v1/openapi.json"), log);
  ASSERT_EQ(r.status, 200);
  auto doc = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
    }
  }
  // The API's routes; the pages of web/ (server/web.h) are not part of the API document.
  std::set<std::string> routed;
  for (const auto& route : app_->router().routes()) {
    if (route.pattern.rfind("/api/", 0) == 0) routed.insert(route.method + " " + route.pattern);
  }
  EXPECT_EQ(documented, routed);
}

TEST_F(ApiTest, EventsReachTheSubscribersWhoMaySeeThem) {
  struct Collected {
    std::mutex mutex;
    std::string text;
  };
  auto subscribe = [&](const service::Caller& caller, Collected& into) {
    auto r = as(caller, makeRequest("GET", "/api/v1/events"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/event-stream");
    ASSERT_TRUE(r.open_stream);
    r.open_stream([&into](std::string chunk) {
      std::lock_guard lock(into.mutex);
      into.text += chunk;
      return true;
    });
  };
  Collected all, mine;
  subscribe(officer(), all);
  subscribe(holder(), mine);
  auto ack = as(officer(),
                makeRequest("POST", "/api/v1/devices/" + other_device_ + "/acknowledge", {}, "{}"));
  // The other device may have no case: then declare one for the other person instead.
  if (ack.status != 200) {
    ack =
        as(officer(), makeRequest("POST", "/api/v1/declarations", {},
                                  R"({"person":")" + other_person_ + R"(","model":"iPhone 12"})"));
  }
  ASSERT_EQ(ack.status, 200) << ack.body;
  auto own =
      as(holder(), makeRequest("POST", "/api/v1/declarations", {}, R"({"model":"Pixel 7"})"));
  ASSERT_EQ(own.status, 200) << own.body;
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(all.mutex);
      if (all.text.find("device.declare") != std::string::npos &&
          all.text.find("\"kind\"") != std::string::npos) {
        std::lock_guard lock2(mine.mutex);
        if (mine.text.find("device.declare") != std::string::npos) break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::lock_guard lock(all.mutex);
  std::lock_guard lock2(mine.mutex);
  EXPECT_NE(all.text.find("event: change"), std::string::npos) << all.text;
  EXPECT_NE(mine.text.find("DECL-" + holder_), std::string::npos) << mine.text;
  EXPECT_EQ(mine.text.find(other_person_), std::string::npos) << mine.text;
  EXPECT_EQ(mine.text.find(other_device_), std::string::npos) << mine.text;
  app_->shutdown();
}

}  // namespace
}  // namespace phaseout::server
