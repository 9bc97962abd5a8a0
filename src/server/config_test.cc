#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <utility>

#include "server/app.h"

namespace phaseout::server {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("phaseout_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    path_ = (dir / "server.yaml").string();
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::filesystem::remove_all(std::filesystem::path(path_).parent_path());
  }
  std::string error(const std::string& text) {
    auto r = loadServerConfig(write(text), ServerConfig{});
    EXPECT_FALSE(r.isOk()) << text;
    if (r.isOk()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    return r.status().message();
  }
  std::string path_;
};

TEST_F(ConfigTest, ReadsEveryKey) {
  const std::string path = write(R"(# the server
listen: "[::1]:9443"
tls_cert: /etc/phaseout/cert.pem
tls_key: /etc/phaseout/key.pem
body_limit: 2048
header_limit: 4096
read_timeout_ms: 500
idle_timeout_ms: 7000
threads: 3
roles:
  security_officer: ciso
  unit_officer: officer
  auditor: audit
oidc_issuer: https://id.example.org
oidc_client_id: phaseout
public_url: https://phaseout.example.org
)");
  ServerConfig defaults;
  defaults.db_url = "sqlite:///x.db";
  auto r = loadServerConfig(path, defaults);
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  EXPECT_EQ(r->db_url, "sqlite:///x.db");
  EXPECT_EQ(r->listen, "[::1]:9443");
  EXPECT_EQ(r->tls_cert, "/etc/phaseout/cert.pem");
  EXPECT_EQ(r->tls_key, "/etc/phaseout/key.pem");
  EXPECT_EQ(r->body_limit, 2048u);
  EXPECT_EQ(r->header_limit, 4096u);
  EXPECT_EQ(r->read_timeout_ms, 500);
  EXPECT_EQ(r->idle_timeout_ms, 7000);
  EXPECT_EQ(r->threads, 3);
  EXPECT_EQ(r->roles.security_officer, "ciso");
  EXPECT_EQ(r->roles.unit_officer, "officer");
  EXPECT_EQ(r->roles.auditor, "audit");
  EXPECT_EQ(r->oidc_issuer, "https://id.example.org");
  EXPECT_EQ(r->oidc_client_id, "phaseout");
  EXPECT_EQ(r->public_url, "https://phaseout.example.org");
}

TEST_F(ConfigTest, AbsentKeysKeepTheDefaults) {
  ServerConfig defaults;
  defaults.body_limit = 77;
  auto r = loadServerConfig(write("threads: 1\n"), defaults);
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(r->body_limit, 77u);
  EXPECT_EQ(r->listen, "127.0.0.1:8080");
  EXPECT_EQ(r->roles.auditor, "auditor");
  ASSERT_TRUE(loadServerConfig(write(""), defaults).isOk());
  ASSERT_TRUE(loadServerConfig(write("# nothing\n"), defaults).isOk());
}

TEST_F(ConfigTest, RefusesWithFileLineAndKey) {
  const std::string unknown = error("threads: 1\nlisen: 1.2.3.4:80\n");
  EXPECT_EQ(unknown, path_ +
                         ":2: lisen: unknown key; expected listen, tls_cert, tls_key, body_limit, "
                         "header_limit, read_timeout_ms, idle_timeout_ms, threads, roles, "
                         "oidc_issuer, oidc_client_id, public_url, webhooks or "
                         "webhook_poll_ms");
  const std::string units = error("body_limit: 10MiB\n");
  EXPECT_EQ(units, path_ +
                       ":1: body_limit: expected a whole number of bytes from 1 to 1073741824, "
                       "not '10MiB'");
  // Each config refused with its error naming the line and key (a part of the message).
  const std::pair<const char*, const char*> refused[] = {
      {"body_limit: -1\n", ":1: body_limit:"},
      {"body_limit: 0\n", ":1: body_limit:"},
      {"header_limit: 100\n", ":1: header_limit: expected"},
      {"\n\nread_timeout_ms: [1]\n", ":3: read_timeout_ms: expected"},
      {"idle_timeout_ms: 1.5\n", ":1: idle_timeout_ms:"},
      {"threads: 100000\n", ":1: threads:"},
      {"listen: 8080\n", ":1: listen: '8080': expected HOST:PORT"},
      {"listen: 1.2.3.4:99999\n", ":1: listen:"},
      {"tls_cert: a.pem\n", ":1: tls_cert: tls_cert and tls_key go together"},
      {"x: 1\n", ":1: x: unknown key"},
      {"threads: 1\nthreads: 2\n", ":2: threads: given twice"},
      {"roles:\n  auditor: a\n  admin: b\n", ":3: roles.admin: unknown role"},
      {"roles: auditor\n", ":1: roles: expected a mapping"},
      {"roles:\n  auditor: ''\n", ":2: roles.auditor: must not be empty"},
      {"oidc_client_id: x\n", "oidc_issuer and oidc_client_id go together"},
      {"- listen\n", ":1: config: expected a mapping"},
      {"listen: [\n", ": not valid YAML: "},
  };
  for (const auto& [yaml, names] : refused) {
    SCOPED_TRACE(yaml);
    EXPECT_NE(error(yaml).find(names), std::string::npos);
  }
}

TEST_F(ConfigTest, MissingFileIsNamed) {
  auto r = loadServerConfig("/nonexistent/phaseout.yaml", ServerConfig{});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(), "/nonexistent/phaseout.yaml: cannot read the server config");
}

}  // namespace
}  // namespace phaseout::server
