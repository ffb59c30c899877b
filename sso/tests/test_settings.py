import pytest

from config.env import ImproperlyConfiguredEnv, env_https_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://login.microsoftonline.com/tenant/v2.0/", "https://login.microsoftonline.com/tenant/v2.0"),
        ("http://localhost:8080/realms/corp", "http://localhost:8080/realms/corp"),
        ("http://127.0.0.1:9400", "http://127.0.0.1:9400"),
        ("http://[::1]:9400", "http://[::1]:9400"),
        ("", ""),
    ],
)
def test_issuer_is_https_or_on_a_loopback_address(monkeypatch, value, expected):
    monkeypatch.setenv("OIDC_ISSUER", value)
    assert env_https_url("OIDC_ISSUER") == expected


@pytest.mark.parametrize(
    "value",
    ["http://id.corp.example", "http://127.0.0.1.evil.example", "ftp://id.corp.example", "id.corp.example"],
)
def test_a_plain_http_issuer_on_the_network_stops_start_up(monkeypatch, value):
    """Tokens and the client secret would travel unencrypted: refused, naming the variable."""
    monkeypatch.setenv("OIDC_ISSUER", value)
    with pytest.raises(ImproperlyConfiguredEnv, match=r"OIDC_ISSUER=.* must be an https URL"):
        env_https_url("OIDC_ISSUER")
