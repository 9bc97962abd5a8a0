#include "server/oidc.h"

#include <cjose/cjose.h>
#include <curl/curl.h>
#include <sodium.h>

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

namespace phaseout::server {
namespace {

constexpr long kTimeoutSeconds = 10;
constexpr std::size_t kMaxResponseBytes = 1 << 20;
constexpr std::int64_t kLeewaySeconds = 60;  // clock skew allowed on exp

std::string base64url(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::string randomToken() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  return base64url(raw.data(), raw.size());
}

// RFC 7636 4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))).
std::string s256(std::string_view verifier) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  return base64url(digest.data(), digest.size());
}

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string stripSlash(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

bool isHttpUrl(std::string_view url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

struct HttpReply {
  long status = 0;
  std::string body;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (body->size() + n > kMaxResponseBytes) return 0;  // aborts the transfer
  body->append(data, n);
  return n;
}

// GET `url`, or POST `form` (application/x-www-form-urlencoded) when given.
Result<HttpReply> httpRequest(const std::string& url, const std::string* form) {
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (kInit != CURLE_OK) return internalError("libcurl could not be initialised");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return internalError("libcurl could not make a handle");
  HttpReply reply;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Accept: application/json"), curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  if (form != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form->c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    return unavailable("OIDC provider " + url + " cannot be reached: " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

// The JSON object at `url`. A reply other than 200 is `refusal` (the provider's "error" named).
Result<nlohmann::json> fetchJson(const std::string& url, const std::string* form,
                                 const std::string& what, StatusCode refusal) {
  PH_ASSIGN_OR_RETURN(HttpReply reply, httpRequest(url, form));
  nlohmann::json json = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (reply.status != 200) {
    std::string detail;
    if (json.is_object() && json.contains("error") && json["error"].is_string()) {
      detail = ": " + json["error"].get<std::string>();
    }
    return Status(refusal, "OIDC: the " + what + " at " + url + " answered HTTP " +
                               std::to_string(reply.status) + detail);
  }
  if (!json.is_object()) {
    return failedPrecondition("OIDC: the " + what + " at " + url + " is not a JSON object");
  }
  return json;
}

std::string stringMember(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The JOSE header of a compact JWS (its first part), or null when it is not base64url JSON.
nlohmann::json protectedHeader(std::string_view compact) {
  const std::string_view part = compact.substr(0, compact.find('.'));
  std::string bytes(part.size(), '\0');
  std::size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), part.data(),
                        part.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return nullptr;
  }
  bytes.resize(size);
  auto json = nlohmann::json::parse(bytes, nullptr, false);
  return json.is_object() ? json : nlohmann::json();
}

struct CjoseError {
  cjose_err err{};
  std::string message() const {
    return err.message != nullptr ? std::string(err.message) : std::string("unknown error");
  }
};

}  // namespace

// One verification key of the provider.
struct OidcClient::Keys {
  struct Key {
    std::string kid;
    cjose_jwk_kty_t kty = CJOSE_JWK_KTY_RSA;
    cjose_jwk_t* jwk = nullptr;
  };
  std::vector<Key> keys;
  ~Keys() {
    for (auto& k : keys) cjose_jwk_release(k.jwk);
  }
};

OidcClient::~OidcClient() = default;

Result<std::unique_ptr<OidcClient>> OidcClient::create(std::string_view issuer_url,
                                                       std::string_view client_id,
                                                       std::string_view redirect_uri) {
  if (sodium_init() < 0) return internalError("libsodium could not be initialised");
  if (!isHttpUrl(issuer_url)) {
    return invalidField("oidc_issuer",
                        "expected an http(s) URL, got '" + std::string(issuer_url) + "'");
  }
  if (client_id.empty()) return invalidField("oidc_client_id", "name the client id");
  if (!isHttpUrl(redirect_uri)) {
    return invalidField("oidc_redirect_uri",
                        "expected an http(s) URL, got '" + std::string(redirect_uri) + "'");
  }
  std::unique_ptr<OidcClient> client(new OidcClient());
  client->issuer_ = stripSlash(issuer_url);
  client->client_id_ = std::string(client_id);
  client->redirect_uri_ = std::string(redirect_uri);
  const std::string discovery_url = client->issuer_ + "/.well-known/openid-configuration";
  PH_ASSIGN_OR_RETURN(auto discovery, fetchJson(discovery_url, nullptr, "discovery document",
                                                StatusCode::kUnavailable));
  const std::string issuer = stringMember(discovery, "issuer");
  // OpenID Connect Discovery 4.3: the issuer in the document must be the one asked for.
  if (stripSlash(issuer) != client->issuer_) {
    return failedPrecondition("OIDC: " + discovery_url + " names issuer '" + issuer + "', not '" +
                              client->issuer_ + "'");
  }
  client->authorization_endpoint_ = stringMember(discovery, "authorization_endpoint");
  client->token_endpoint_ = stringMember(discovery, "token_endpoint");
  const std::string jwks_uri = stringMember(discovery, "jwks_uri");
  if (!isHttpUrl(client->authorization_endpoint_) || !isHttpUrl(client->token_endpoint_) ||
      !isHttpUrl(jwks_uri)) {
    return failedPrecondition("OIDC: " + discovery_url +
                              " lacks an authorization_endpoint, token_endpoint or jwks_uri");
  }
  PH_ASSIGN_OR_RETURN(auto jwks, fetchJson(jwks_uri, nullptr, "key set", StatusCode::kUnavailable));
  client->keys_ = std::make_unique<Keys>();
  if (jwks.contains("keys") && jwks["keys"].is_array()) {
    for (const auto& k : jwks["keys"]) {
      if (!k.is_object() || stringMember(k, "use") == "enc") continue;
      const std::string text = k.dump();
      CjoseError e;
      cjose_jwk_t* jwk = cjose_jwk_import(text.c_str(), text.size(), &e.err);
      if (jwk == nullptr) continue;  // a key type cjose does not know: not one we accept
      Keys::Key key;
      key.kid = stringMember(k, "kid");
      key.kty = cjose_jwk_get_kty(jwk, &e.err);
      key.jwk = jwk;
      client->keys_->keys.push_back(std::move(key));
    }
  }
  if (client->keys_->keys.empty()) {
    return failedPrecondition("OIDC: the key set at " + jwks_uri + " has no usable signing key");
  }
  return client;
}

OidcClient::Pending OidcClient::start() const {
  Pending p;
  p.state = randomToken();
  p.code_verifier = randomToken();  // 43 characters of [A-Za-z0-9-_] (RFC 7636 4.1)
  p.nonce = randomToken();
  const char separator = authorization_endpoint_.find('?') == std::string::npos ? '?' : '&';
  p.redirect_url = authorization_endpoint_ + separator +
                   "response_type=code&client_id=" + percentEncode(client_id_) +
                   "&redirect_uri=" + percentEncode(redirect_uri_) +
                   "&scope=openid%20email&state=" + p.state + "&nonce=" + p.nonce +
                   "&code_challenge=" + s256(p.code_verifier) + "&code_challenge_method=S256";
  return p;
}

Result<std::string> OidcClient::finish(std::string_view code, const Pending& pending) const {
  if (code.empty()) return unauthenticated("OIDC: the provider sent no authorization code");
  const std::string form = "grant_type=authorization_code&code=" + percentEncode(code) +
                           "&redirect_uri=" + percentEncode(redirect_uri_) +
                           "&client_id=" + percentEncode(client_id_) +
                           "&code_verifier=" + percentEncode(pending.code_verifier);
  PH_ASSIGN_OR_RETURN(auto reply, fetchJson(token_endpoint_, &form, "token endpoint",
                                            StatusCode::kUnauthenticated));
  const std::string id_token = stringMember(reply, "id_token");
  if (id_token.empty()) return unauthenticated("OIDC: the token endpoint returned no ID token");

  // 1. A JWS signed by one of the provider's keys with RS256 or ES256 (never "none" or HMAC).
  //    The header is read before cjose sees the token, so an unsigned token gets this message.
  const nlohmann::json header = protectedHeader(id_token);
  const std::string algorithm = stringMember(header, "alg");
  cjose_jwk_kty_t wanted;
  if (algorithm == CJOSE_HDR_ALG_RS256) {
    wanted = CJOSE_JWK_KTY_RSA;
  } else if (algorithm == CJOSE_HDR_ALG_ES256) {
    wanted = CJOSE_JWK_KTY_EC;
  } else {
    return unauthenticated("OIDC: the ID token is signed with '" + algorithm +
                           "'; only RS256 and ES256 are accepted");
  }
  CjoseError e;
  std::unique_ptr<cjose_jws_t, decltype(&cjose_jws_release)> jws(
      cjose_jws_import(id_token.c_str(), id_token.size(), &e.err), cjose_jws_release);
  if (!jws) return unauthenticated("OIDC: the ID token is not a signed JWT: " + e.message());
  const std::string key_id = stringMember(header, "kid");
  const Keys::Key* key = nullptr;
  for (const auto& k : keys_->keys) {
    if (k.kty != wanted) continue;
    if (k.kid == key_id || (key_id.empty() && keys_->keys.size() == 1)) key = &k;
  }
  if (key == nullptr) {
    return unauthenticated("OIDC: the ID token names key '" + key_id +
                           "', which is not among the provider's " + algorithm + " keys");
  }
  if (!cjose_jws_verify(jws.get(), key->jwk, &e.err)) {
    return unauthenticated(
        "OIDC: the ID token's signature does not verify against the provider's key '" + key->kid +
        "'");
  }
  std::uint8_t* plain = nullptr;
  std::size_t plain_size = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_size, &e.err)) {
    return unauthenticated("OIDC: the ID token has no readable claims: " + e.message());
  }
  const auto claims = nlohmann::json::parse(
      std::string_view(reinterpret_cast<const char*>(plain), plain_size), nullptr, false);
  if (!claims.is_object()) return unauthenticated("OIDC: the ID token's claims are not JSON");

  // 2. The claims (OpenID Connect Core 3.1.3.7).
  const std::string iss = stringMember(claims, "iss");
  if (stripSlash(iss) != issuer_) {
    return unauthenticated("OIDC: the ID token was issued by '" + iss + "', not by '" + issuer_ +
                           "'");
  }
  bool audience_ok = false;
  std::string audience;
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) {
      audience = aud->get<std::string>();
      audience_ok = audience == client_id_;
    } else if (aud->is_array()) {
      for (const auto& a : *aud) {
        if (!a.is_string()) continue;
        audience += (audience.empty() ? "" : ", ") + a.get<std::string>();
        if (a.get<std::string>() == client_id_) audience_ok = true;
      }
      // Several audiences: the authorized party must be this client.
      if (audience_ok && aud->size() > 1 && stringMember(claims, "azp") != client_id_) {
        audience_ok = false;
      }
    }
  }
  if (!audience_ok) {
    return unauthenticated("OIDC: the ID token is for audience '" + audience +
                           "', not for this client ('" + client_id_ + "')");
  }
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number()) {
    return unauthenticated("OIDC: the ID token has no expiry (exp)");
  }
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const auto exp_s = exp->get<std::int64_t>();
  if (exp_s + kLeewaySeconds < now_s) {
    return unauthenticated("OIDC: the ID token expired " + std::to_string(now_s - exp_s) +
                           " seconds ago");
  }
  const std::string nonce = stringMember(claims, "nonce");
  if (pending.nonce.empty() || nonce.size() != pending.nonce.size() ||
      sodium_memcmp(nonce.data(), pending.nonce.data(), nonce.size()) != 0) {
    return unauthenticated("OIDC: the ID token's nonce does not match this sign-in");
  }
  const std::string email = stringMember(claims, "email");
  if (email.empty()) return unauthenticated("OIDC: the ID token carries no email claim");
  if (auto verified = claims.find("email_verified");
      verified != claims.end() && verified->is_boolean() && !verified->get<bool>()) {
    return unauthenticated("OIDC: the provider has not verified the e-mail " + email);
  }
  return email;
}

}  // namespace phaseout::server
