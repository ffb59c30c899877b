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


def test_ldap_settings_from_the_environment_turn_the_directory_backend_on():
    """LDAP_* variables become django-auth-ldap's settings and add its backend, in the real settings."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AUTHENTICATION_BACKENDS[-1], s.AUTH_LDAP_SERVER_URI, s.AUTH_LDAP_USER_SEARCH.filterstr)"
    )
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("LDAP_", "OIDC_"))},
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "LDAP_SERVER_URI": "ldaps://ldap.corp.example",
        "LDAP_USER_SEARCH_BASE": "ou=people,dc=corp,dc=example",
        "LDAP_USER_FILTER": "(sAMAccountName=%(user)s)",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "sso.ldap.LdapBackend",
        "ldaps://ldap.corp.example",
        "(sAMAccountName=%(user)s)",
    ]
