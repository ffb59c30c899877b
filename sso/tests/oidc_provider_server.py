"""The tests' OpenID provider process: oidc-provider-mock's app (PyPI) behind a WSGI layer that adds
what the package leaves out and the tests need to see from outside Chirp.

- PKCE (RFC 7636), as a provider that enforces it (Keycloak's "S256" setting, Okta, Entra ID):
  every authorization request must carry an S256 `code_challenge`; the token request for its code
  must carry the `code_verifier` whose SHA-256 is that challenge, else `invalid_grant`. The package
  accepts the parameters without comparing them.
- Bad ID tokens on request, answered through the real flow: `POST /_tests/next-token` with
  `{"mode": ...}` makes the provider's next code exchange answer with
  `foreign-key`: the genuine claims signed with a key that is not the provider's;
  `another-client`: a token the provider issued for the same person to another application;
  `another-nonce`: one it issued to Chirp's client in another sign-in (a replayed token).

Everything goes through the package's own HTTP endpoints; nothing of it is patched.

    python sso/tests/oidc_provider_server.py --port 8800
"""

import argparse
import base64
import json
import logging
import os
import sys
import threading
from io import BytesIO
from urllib.parse import parse_qs, urlencode, urlsplit

import oidc_provider_mock
import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

MODES = ("foreign-key", "another-client", "another-nonce")
OTHER_CLIENT = "another-application"


class ProviderWithChecks:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.challenges: dict[str, str] = {}  # code -> the S256 challenge it was asked with
        self.requests: dict[str, dict] = {}  # code -> what its authorization request said
        self.next_mode: str | None = None
        self.foreign_key = RSAKey.generate_key(2048, private=True)

    def __call__(self, environ, start_response):
        # The body is read once here and handed on to the wrapped app in a fresh stream.
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ = {**environ, "wsgi.input": BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        request = Request(environ)
        request.get_data()
        if request.path == "/_tests/next-token" and request.method == "POST":
            return self.set_next_mode(request)(environ, start_response)
        if request.path == "/oauth2/authorize":
            return self.authorize(request)(environ, start_response)
        if request.path == "/oauth2/token" and request.method == "POST":
            return self.token(request)(environ, start_response)
        environ["wsgi.input"].seek(0)
        return self.app(environ, start_response)

    def set_next_mode(self, request: Request) -> Response:
        mode = (request.get_json(silent=True) or {}).get("mode")
        if mode not in MODES:
            return Response(f"mode must be one of {MODES}", status=400)
        with self.lock:
            self.next_mode = mode
        return Response(status=204)

    def authorize(self, request: Request) -> Response:
        if request.args.get("code_challenge_method") != "S256" or not request.args.get("code_challenge"):
            return _redirect_error(request, "invalid_request", "an S256 code_challenge is required")
        response = _forward(self.app, request)
        location = response.headers.get("Location", "")
        code = parse_qs(urlsplit(location).query).get("code", [""])[0]
        if code:
            with self.lock:
                self.challenges[code] = request.args["code_challenge"]
                self.requests[code] = {**request.args.to_dict(), "sub": request.form.get("sub", "")}
        return response

    def token(self, request: Request) -> Response:
        form = request.form
        if form.get("grant_type") != "authorization_code":
            return _forward(self.app, request)
        code = form.get("code", "")
        with self.lock:
            challenge = self.challenges.pop(code, None)
            asked = self.requests.pop(code, {})
            mode, self.next_mode = self.next_mode, None
        verifier = form.get("code_verifier", "")
        if challenge is None or not verifier or create_s256_code_challenge(verifier) != challenge:
            return _json({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        response = _forward(self.app, request)
        if mode is None or response.status_code != 200:
            return response
        answer = json.loads(response.get_data())
        if mode == "foreign-key":
            claims = _payload(answer["id_token"])
            answer["id_token"] = jwt.encode({"alg": "RS256"}, claims, self.foreign_key)
        elif mode == "another-client":
            answer = self.issue(asked, request.host_url, client_id=OTHER_CLIENT, nonce=asked["nonce"])
        else:
            answer = self.issue(asked, request.host_url, client_id=asked["client_id"], nonce="replayed")
        return _json(answer, 200)

    def issue(self, asked: dict, base_url: str, *, client_id: str, nonce: str) -> dict:
        """A genuine token answer of the provider's for the person of `asked`, through its endpoints."""
        client = Client(self)
        verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        query = {
            "client_id": client_id,
            "redirect_uri": asked["redirect_uri"],
            "response_type": "code",
            "scope": asked.get("scope", "openid"),
            "nonce": nonce,
            "state": "x",
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        authorized = client.post(
            f"/oauth2/authorize?{urlencode(query)}", data={"sub": asked["sub"]}, base_url=base_url
        )
        code = parse_qs(urlsplit(authorized.headers["Location"]).query)["code"][0]
        token = client.post(
            "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": asked["redirect_uri"],
                "client_id": client_id,
                "client_secret": "another-secret",
                "code_verifier": verifier,
            },
            base_url=base_url,
        )
        return json.loads(token.get_data())


def _forward(app, request: Request) -> Response:
    """The wrapped app's answer to `request` (whose body was read here: it is handed over again)."""
    body = request.get_data()
    environ = {**request.environ, "wsgi.input": BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    return Response.from_app(app, environ)


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _json(body: dict, status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _redirect_error(request: Request, error: str, description: str) -> Response:
    target = request.args.get("redirect_uri", "")
    if not target:
        return Response(description, status=400)
    state = request.args.get("state", "")
    query = urlencode({"error": error, "error_description": description, "state": state})
    return Response(status=302, headers={"Location": f"{target}?{query}"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on the loopback
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    app = oidc_provider_mock.app(require_nonce=True)
    uvicorn.run(ProviderWithChecks(app), interface="wsgi", host="127.0.0.1", port=args.port, log_config=None)


if __name__ == "__main__":
    main()
