// OidcClient against a real OpenID provider: tests/oidc/oidc_provider.py, started here on a
// loopback port it picks, with keys it generates at start.
#include "server/oidc.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

extern char** environ;

namespace phaseout::server {
namespace {

#ifndef PH_OIDC_PROVIDER
#error "PH_OIDC_PROVIDER (the path of tests/oidc/oidc_provider.py) must be defined"
#endif

constexpr const char* kClientId = "phaseout-test";
constexpr const char* kRedirect = "http://127.0.0.1:9/api/v1/oidc/callback";

// GET `url` without following redirects; the Location header of the reply (or "").
std::string locationOf(const std::string& url, long* status = nullptr) {
  CURL* curl = curl_easy_init();
  std::string location;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
  if (curl_easy_perform(curl) == CURLE_OK) {
    char* redirect = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &redirect);
    if (redirect != nullptr) location = redirect;
    if (status != nullptr) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  }
  curl_easy_cleanup(curl);
  return location;
}

// The value of `name` in the query of `url` (values here are base64url: no decoding needed).
std::string queryParam(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return "";
  std::string rest = url.substr(q + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    const auto amp = rest.find('&', pos);
    const std::string pair = rest.substr(pos, amp == std::string::npos ? amp : amp - pos);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

class OidcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const char* argv[] = {"/usr/bin/python3", PH_OIDC_PROVIDER, nullptr};
    const int rc = posix_spawn(&provider_pid_, argv[0], &actions, nullptr,
                               const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      provider_pid_ = 0;
      skip_reason_ = "cannot start /usr/bin/python3";
      return;
    }
    FILE* lines = ::fdopen(out[0], "r");
    char line[128] = {0};
    const bool got = std::fgets(line, sizeof line, lines) != nullptr;
    std::fclose(lines);  // the provider writes nothing more to stdout
    int port = 0;
    if (!got || std::sscanf(line, "listening %d", &port) != 1) {
      int status = 0;
      ::waitpid(provider_pid_, &status, 0);
      provider_pid_ = 0;
      skip_reason_ = WIFEXITED(status) && WEXITSTATUS(status) == 77
                         ? "python3-jwt or python3-cryptography is not installed"
                         : "the test OpenID provider did not start";
      return;
    }
    issuer_ = "http://127.0.0.1:" + std::to_string(port);
  }

  static void TearDownTestSuite() {
    if (provider_pid_ > 0) {
      ::kill(provider_pid_, SIGTERM);
      int status = 0;
      ::waitpid(provider_pid_, &status, 0);
      provider_pid_ = 0;
    }
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    auto client = OidcClient::create(issuer_, kClientId, kRedirect);
    ASSERT_TRUE(client.isOk()) << client.status().toString();
    client_ = std::move(client).value();
  }

  // One whole sign-in with the provider making its next ID token as `mode` says.
  Result<std::string> signIn(const std::string& mode, const std::string& email = "") {
    long status = 0;
    locationOf(issuer_ + "/control?mode=" + mode + (email.empty() ? "" : "&email=" + email),
               &status);
    EXPECT_EQ(status, 200);
    const OidcClient::Pending pending = client_->start();
    const std::string back = locationOf(pending.redirect_url, &status);
    EXPECT_EQ(status, 302) << pending.redirect_url;
    EXPECT_EQ(back.rfind(kRedirect, 0), 0u) << back;
    EXPECT_EQ(queryParam(back, "state"), pending.state);
    return client_->finish(queryParam(back, "code"), pending);
  }

  static void expectRefused(const Result<std::string>& r, const std::string& words) {
    ASSERT_FALSE(r.isOk()) << "accepted: " << *r;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().toString();
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().toString();
  }

  static inline pid_t provider_pid_ = 0;
  static inline std::string skip_reason_;
  static inline std::string issuer_;
  std::unique_ptr<OidcClient> client_;
};

TEST_F(OidcTest, StartMakesAFreshPkceRequest) {
  const auto a = client_->start();
  const auto b = client_->start();
  EXPECT_NE(a.state, b.state);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_NE(a.code_verifier, b.code_verifier);
  EXPECT_EQ(a.code_verifier.size(), 43u);
  EXPECT_EQ(a.redirect_url.rfind(issuer_ + "/authorize?", 0), 0u);
  EXPECT_EQ(queryParam(a.redirect_url, "code_challenge_method"), "S256");
  EXPECT_EQ(queryParam(a.redirect_url, "client_id"), kClientId);
  EXPECT_EQ(queryParam(a.redirect_url, "scope"), "openid%20email");
  EXPECT_EQ(queryParam(a.redirect_url, "nonce"), a.nonce);
  EXPECT_EQ(a.redirect_url.find(a.code_verifier), std::string::npos);  // only its hash leaves
}

TEST_F(OidcTest, GoodLoginsReturnTheEmail) {
  auto rs = signIn("rs256", "olga@pa.example");
  ASSERT_TRUE(rs.isOk()) << rs.status().toString();
  EXPECT_EQ(*rs, "olga@pa.example");
  auto es = signIn("es256");
  ASSERT_TRUE(es.isOk()) << es.status().toString();
  EXPECT_EQ(*es, "anna@pa.example");
}

TEST_F(OidcTest, BadSignatureIsRefused) { expectRefused(signIn("bad-signature"), "signature"); }

TEST_F(OidcTest, WrongAudienceIsRefused) {
  expectRefused(signIn("wrong-audience"), "audience 'another-client'");
}

TEST_F(OidcTest, ExpiredTokenIsRefused) { expectRefused(signIn("expired"), "expired"); }

TEST_F(OidcTest, WrongNonceIsRefused) { expectRefused(signIn("wrong-nonce"), "nonce"); }

TEST_F(OidcTest, WrongIssuerIsRefused) { expectRefused(signIn("wrong-issuer"), "issued by"); }

TEST_F(OidcTest, UnsignedTokenIsRefused) { expectRefused(signIn("alg-none"), "RS256 and ES256"); }

TEST_F(OidcTest, ACodeWorksOnceAndOnlyWithItsVerifier) {
  long status = 0;
  locationOf(issuer_ + "/control?mode=rs256", &status);
  const auto pending = client_->start();
  const std::string code = queryParam(locationOf(pending.redirect_url), "code");
  OidcClient::Pending wrong = pending;
  wrong.code_verifier = client_->start().code_verifier;
  expectRefused(client_->finish(code, wrong), "answered HTTP 400");
  // The provider spent the code on the failed attempt.
  expectRefused(client_->finish(code, pending), "HTTP 400");
  expectRefused(client_->finish("", pending), "no authorization code");
}

TEST_F(OidcTest, CreateChecksItsArguments) {
  EXPECT_EQ(OidcClient::create("ftp://x", kClientId, kRedirect).status().field(), "oidc_issuer");
  EXPECT_EQ(OidcClient::create(issuer_, "", kRedirect).status().field(), "oidc_client_id");
  EXPECT_EQ(OidcClient::create(issuer_, kClientId, "nope").status().field(), "oidc_redirect_uri");
  // Nothing listens on port 9 of loopback (discard): the provider cannot be reached.
  EXPECT_EQ(OidcClient::create("http://127.0.0.1:9", kClientId, kRedirect).status().code(),
            StatusCode::kUnavailable);
  // No discovery document there (the provider answers 404).
  EXPECT_EQ(OidcClient::create(issuer_ + "/other", kClientId, kRedirect).status().code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace phaseout::server
