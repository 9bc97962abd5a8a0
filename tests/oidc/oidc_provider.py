#!/usr/bin/env python3
"""A small OpenID provider for tests: discovery, JWKS, an authorization endpoint that signs
everyone in at once, and a token endpoint that checks PKCE (S256) and returns an ID token.

Started by a test; prints "listening <port>" on stdout once it serves 127.0.0.1:<port> (a
port the system picks). Keys (one RSA, one EC P-256) are generated at start.

A test chooses how the next ID token is made with GET /control?mode=M[&email=E]:
  rs256 (default), es256 : good tokens signed with the RSA / EC key
  bad-signature          : signed with another RSA key under the published key id
  wrong-audience         : aud is another client
  expired                : exp ten minutes ago
  wrong-nonce            : a nonce the client never sent
  wrong-issuer           : iss is another provider
  alg-none               : an unsigned token
"""
import base64
import hashlib
import json
import secrets
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import jwt
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
except ImportError as e:  # the test reports itself skipped with this message
    print(f"missing python3-jwt or python3-cryptography: {e}", file=sys.stderr, flush=True)
    sys.exit(77)

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())

STATE = {"mode": "rs256", "email": "anna@pa.example", "codes": {}}


def jwk(public_key, algorithm, kid, alg):
    key = json.loads(algorithm.to_jwk(public_key))
    key.update({"kid": kid, "use": "sig", "alg": alg})
    return key


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    @property
    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def reply(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            self.reply(200, {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"],
            })
        elif url.path == "/jwks":
            self.reply(200, {"keys": [
                jwk(RSA_KEY.public_key(), RSAAlgorithm, "rsa-1", "RS256"),
                jwk(EC_KEY.public_key(), ECAlgorithm, "ec-1", "ES256"),
            ]})
        elif url.path == "/control":
            STATE["mode"] = query.get("mode", "rs256")
            STATE["email"] = query.get("email", "anna@pa.example")
            self.reply(200, {"mode": STATE["mode"]})
        elif url.path == "/authorize":
            required = ("response_type", "client_id", "redirect_uri", "state", "nonce",
                        "code_challenge", "code_challenge_method")
            missing = [k for k in required if k not in query]
            if missing or query["code_challenge_method"] != "S256" or \
                    "openid" not in query.get("scope", "").split():
                self.reply(400, {"error": "invalid_request", "missing": missing})
                return
            code = secrets.token_urlsafe(16)
            STATE["codes"][code] = query
            location = query["redirect_uri"] + "?" + urllib.parse.urlencode(
                {"code": code, "state": query["state"]})
            self.reply(302, headers=[("Location", location)])
        else:
            self.reply(404, {"error": "not_found"})

    def do_POST(self):
        if urllib.parse.urlsplit(self.path).path != "/token":
            self.reply(404, {"error": "not_found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        asked = STATE["codes"].pop(form.get("code", ""), None)  # each code is used once
        if asked is None or form.get("grant_type") != "authorization_code":
            self.reply(400, {"error": "invalid_grant"})
            return
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(form.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
        if challenge != asked["code_challenge"] or form.get("client_id") != asked["client_id"] \
                or form.get("redirect_uri") != asked["redirect_uri"]:
            self.reply(400, {"error": "invalid_grant", "error_description": "PKCE check failed"})
            return
        self.reply(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                         "id_token": self.id_token(asked)})

    def id_token(self, asked):
        mode = STATE["mode"]
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "user-1", "aud": asked["client_id"],
                  "iat": now, "exp": now + 300, "nonce": asked["nonce"],
                  "email": STATE["email"], "email_verified": True}
        if mode == "wrong-audience":
            claims["aud"] = "another-client"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 1200, now - 600
        elif mode == "wrong-nonce":
            claims["nonce"] = "not-the-nonce-that-was-sent"
        elif mode == "wrong-issuer":
            claims["iss"] = "http://127.0.0.1:1"
        if mode == "es256":
            return jwt.encode(claims, EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})
        if mode == "bad-signature":
            return jwt.encode(claims, OTHER_RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
        if mode == "alg-none":
            return jwt.encode(claims, None, algorithm="none")
        return jwt.encode(claims, RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
