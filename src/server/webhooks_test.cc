// The webhooks' primitives and config: the HMAC-SHA256 signature (RFC 4231 vectors), URL
// checks, and the `webhooks:` section of the server config read strictly with file:line.
#include "server/webhooks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/app.h"

namespace phaseout::server {
namespace {

TEST(WebhookSignature, MatchesRfc4231) {
  // RFC 4231 test case 2: key "Jefe".
  EXPECT_EQ(webhookSignature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block (131 bytes of 0xaa) is hashed first.
  EXPECT_EQ(webhookSignature(std::string(131, '\xaa'),
                             "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(WebhookUrl, AcceptsHttpAndHttpsOnly) {
  for (const char* good :
       {"http://127.0.0.1:9000/hook", "https://hooks.example.org/phaseout?team=a",
        "HTTPS://Example.org", "http://[::1]:8080/x", "http://host"}) {
    EXPECT_TRUE(checkWebhookUrl(good).isOk()) << good;
  }
  const std::pair<const char*, const char*> bad[] = {
      {"ftp://example.org/", "http:// or https://"},
      {"example.org/hook", "http:// or https://"},
      {"http://", "no host"},
      {"http:///path", "no host"},
      {"https://user:pw@example.org/", "user or password"},
      {"http://example.org:0/", "port"},
      {"http://example.org:99999/", "port"},
      {"http://example.org:http/", "port"},
      {"http://exa mple.org/", "spaces"},
      {"http://exa\"mple.org/", "not allowed"},
  };
  for (const auto& [url, what] : bad) {
    const Status s = checkWebhookUrl(url);
    EXPECT_FALSE(s.isOk()) << url;
    EXPECT_NE(s.message().find(what), std::string::npos) << url << ": " << s.message();
  }
  EXPECT_EQ(webhookUrlForLog("https://h.example/p?token=abc#x"), "https://h.example/p");
}

class WebhookConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phaseout_webhook_config_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "hook.secret") << "0123456789abcdef-secret\n";
    std::ofstream(dir_ / "short.secret") << "tiny\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ServerConfig> load(const std::string& text) {
    path_ = (dir_ / "server.yaml").string();
    std::ofstream(path_) << text;
    return loadServerConfig(path_, ServerConfig{});
  }
  std::string error(const std::string& text) {
    auto r = load(text);
    EXPECT_FALSE(r.isOk()) << text;
    return r.isOk() ? "" : r.status().message();
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(WebhookConfigTest, ReadsEveryKey) {
  ::setenv("PHASEOUT_TEST_HOOK_SECRET", "  from-the-environment-1234 \n", 1);
  auto r = load(R"(webhook_poll_ms: 250
webhooks:
  - url: http://127.0.0.1:9000/hook
    secret_file: hook.secret
    directives: [pa-iphone-2023, other]
    timeout_ms: 2000
    max_attempts: 4
    backoff_initial_ms: 100
    backoff_max_ms: 800
  - url: https://hooks.example.org/phaseout
    secret_env: PHASEOUT_TEST_HOOK_SECRET
)");
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  EXPECT_EQ(r->webhook_poll_ms, 250);
  ASSERT_EQ(r->webhooks.size(), 2u);
  const WebhookConfig& a = r->webhooks[0];
  EXPECT_EQ(a.url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(a.secret, "0123456789abcdef-secret");  // relative to the config; newline dropped
  EXPECT_EQ(a.directives, (std::vector<std::string>{"pa-iphone-2023", "other"}));
  EXPECT_EQ(a.timeout_ms, 2000);
  EXPECT_EQ(a.max_attempts, 4);
  EXPECT_EQ(a.backoff_initial_ms, 100);
  EXPECT_EQ(a.backoff_max_ms, 800);
  const WebhookConfig& b = r->webhooks[1];
  EXPECT_EQ(b.secret, "from-the-environment-1234");
  EXPECT_TRUE(b.directives.empty());
  EXPECT_EQ(b.timeout_ms, 10000);
  EXPECT_EQ(b.max_attempts, 10);
  ::unsetenv("PHASEOUT_TEST_HOOK_SECRET");
}

TEST_F(WebhookConfigTest, RefusesWithFileLineAndKey) {
  ::unsetenv("PHASEOUT_TEST_UNSET_SECRET");
  const std::string unknown =
      error("webhooks:\n  - url: http://h/x\n    secret_file: hook.secret\n    retries: 3\n");
  EXPECT_EQ(unknown, path_ +
                         ":4: webhooks[0].retries: unknown key; expected url, secret_file, "
                         "secret_env, directives, timeout_ms, max_attempts, backoff_initial_ms "
                         "or backoff_max_ms");
  const std::pair<const char*, const char*> refused[] = {
      {"webhooks:\n  - url: ftp://h/x\n    secret_file: hook.secret\n",
       ":2: webhooks[0].url: expected an http:// or https:// URL"},
      {"webhooks:\n  - url: https://u:p@h/x\n    secret_file: hook.secret\n",
       ":2: webhooks[0].url: a user or password"},
      {"webhooks:\n  - url: http://h/x\n    secret: hunter2hunter2hunter2\n",
       ":3: webhooks[0].secret: a secret is not written in the config"},
      {"webhooks:\n  - url: http://h/x\n",
       ":2: webhooks[0]: secret_file or secret_env is required"},
      {"webhooks:\n  - secret_file: hook.secret\n", ":2: webhooks[0]: url is required"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: missing.secret\n",
       ":3: webhooks[0].secret_file: cannot read"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: short.secret\n",
       ":3: webhooks[0].secret_file: the secret must be at least 16 bytes"},
      {"webhooks:\n  - url: http://h/x\n    secret_env: PHASEOUT_TEST_UNSET_SECRET\n",
       ":3: webhooks[0].secret_env: the environment variable is not set"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: hook.secret\n    secret_env: X\n",
       ":4: webhooks[0].secret_env: give secret_file or secret_env, not both"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: hook.secret\n    max_attempts: 0\n",
       ":4: webhooks[0].max_attempts: expected a whole number"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: hook.secret\n    directives: a\n",
       ":4: webhooks[0].directives: expected a list"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: hook.secret\n"
       "    backoff_initial_ms: 500\n    backoff_max_ms: 100\n",
       ":2: webhooks[0].backoff_max_ms: must not be less than backoff_initial_ms"},
      {"webhooks:\n  - url: http://h/x\n    secret_file: hook.secret\n"
       "  - url: http://h/x\n    secret_file: hook.secret\n",
       ":4: webhooks[1].url: the same URL is given twice"},
      {"webhooks: http://h/x\n", ":1: webhooks: expected a list of webhooks"},
      {"webhook_poll_ms: 1\n", ":1: webhook_poll_ms: expected a whole number"},
  };
  for (const auto& [yaml, names] : refused) {
    SCOPED_TRACE(yaml);
    const std::string message = error(yaml);
    EXPECT_NE(message.find(names), std::string::npos) << message;
    // The secret file's content never appears in a message.
    EXPECT_EQ(message.find("0123456789abcdef"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace phaseout::server
