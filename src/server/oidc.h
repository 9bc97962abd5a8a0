// OidcClient: single sign-on with an OpenID Connect provider (`phaseout serve --oidc-issuer URL
// --oidc-client-id ID`), by the authorization code flow with PKCE (S256) for a public client.
//
// How the server uses it (routes /api/v1/oidc/start and /api/v1/oidc/callback):
//
//   // once, at start-up (fetches the discovery document and the provider's keys):
//   PH_ASSIGN_OR_RETURN(auto oidc, OidcClient::create(issuer, client_id,
//                                                     "https://host/api/v1/oidc/callback"));
//   // GET /api/v1/oidc/start:
//   OidcClient::Pending p = oidc->start();
//   //   keep `p` server-side, keyed by p.state, for a few minutes (never in a cookie as is:
//   //   code_verifier and nonce must not reach the browser), then answer
//   //   302 Location: p.redirect_url
//   // GET /api/v1/oidc/callback?code=...&state=...:
//   //   look the Pending up by the `state` parameter (unknown or already used: 401) and remove
//   //   it (each is used once), then
//   Result<std::string> email = oidc->finish(code, pending);
//   //   on success, service::openSession(ws, *email, now_ms, roles) opens the session of the
//   //   directory person with that e-mail (case-insensitive); set its cookie as /login does.
//   //   A callback with `error=...` instead of a code is a refused sign-in (401).
//
// finish() refuses (Unauthenticated, with a message naming what is wrong) an ID token that is
// not a JWS, whose alg is not RS256 or ES256, whose key id is not among the provider's keys,
// whose signature does not verify, whose iss is not the issuer, whose aud is not the client id,
// that has expired (exp, 60 s leeway), whose nonce is not the Pending's, or that has no e-mail
// (or one marked email_verified: false). Unavailable when the provider cannot be reached.
//
// Keys are fetched once by create(); a provider that rotates its keys needs a restart (or a new
// client). Thread-safe: start() and finish() may be called from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace phaseout::server {

class OidcClient {
 public:
  struct Pending {
    std::string state;          // random; the provider sends it back to the callback
    std::string code_verifier;  // PKCE secret; its S256 hash went to the provider
    std::string nonce;          // random; must come back inside the ID token
    std::string redirect_url;   // the provider's authorization URL to send the browser to
  };

  // Fetches <issuer_url>/.well-known/openid-configuration (its "issuer" must equal
  // issuer_url, trailing slash aside) and the JWKS at its jwks_uri, over HTTP(S) with libcurl.
  // InvalidArgument (field "oidc_issuer" / "oidc_client_id") for an empty or malformed value;
  // Unavailable when the provider cannot be reached; FailedPrecondition when its documents are
  // not usable (no endpoints, no signing keys).
  static Result<std::unique_ptr<OidcClient>> create(std::string_view issuer_url,
                                                    std::string_view client_id,
                                                    std::string_view redirect_uri);

  // A new sign-in: fresh state, nonce and PKCE verifier, and the authorization URL (scope
  // "openid email").
  Pending start() const;

  // Exchanges the code at the token endpoint (with the PKCE verifier) and verifies the ID
  // token it returns; the `email` claim on success.
  Result<std::string> finish(std::string_view code, const Pending& pending) const;

  ~OidcClient();
  OidcClient(const OidcClient&) = delete;
  OidcClient& operator=(const OidcClient&) = delete;

  struct Keys;  // the provider's verification keys (cjose), internal

 private:
  OidcClient() = default;

  std::string issuer_;
  std::string client_id_;
  std::string redirect_uri_;
  std::string authorization_endpoint_;
  std::string token_endpoint_;
  std::unique_ptr<Keys> keys_;
};

}  // namespace phaseout::server
