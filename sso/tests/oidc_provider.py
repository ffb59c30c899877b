"""A real OpenID provider process for the tests: oidc-provider-mock (PyPI) under its own uvicorn,
on a port of CHIRP_TEST_OIDC_PORTS (default 8800-8809), behind the PKCE check and the bad-token
switch of sso/tests/oidc_provider_server.py.

It serves discovery, the authorization and token endpoints, its keys, userinfo and RP-initiated
sign-out; people's claims are set over HTTP (PUT /users/<sub>) and a person signs in by posting
their subject to the authorization form, as a browser does.
"""

import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import requests

from faults.servers import free_port, port_range
from sso.tests.server_process import ServerProcess

SERVER = Path(__file__).with_name("oidc_provider_server.py")


class OidcProvider(ServerProcess):
    name = "the OpenID provider"

    def __init__(self, port: int | None = None):
        self.port = port or free_port(port_range("CHIRP_TEST_OIDC_PORTS", "8800-8809"))
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="chirp-oidc-provider-", suffix=".log")[1])

    def start(self) -> "OidcProvider":
        """Start the process; a restart makes a new signing key (as a provider's key rotation does)."""
        self.spawn(
            [sys.executable, str(SERVER), "--port", str(self.port)],
            env={**os.environ, "NO_COLOR": "1"},
        )
        return self

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)

    def set_user(self, sub: str, **claims) -> None:
        """The claims the provider puts in this subject's ID token."""
        response = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign `sub` in at the provider's form; the redirect back to Chirp's callback."""
        assert authorization_url.startswith(self.issuer), authorization_url
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def next_token(self, mode: str) -> None:
        """The next code exchange answers with a bad ID token (see oidc_provider_server.MODES)."""
        response = requests.post(f"{self.issuer}/_tests/next-token", json={"mode": mode}, timeout=10)
        assert response.status_code == 204, response.text

    def keys(self) -> dict:
        return requests.get(f"{self.issuer}/jwks", timeout=10).json()
