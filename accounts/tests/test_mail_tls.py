"""Password reset mail through a submission server that requires TLS and AUTH (aiosmtpd in a
process of its own, accounts/tests/smtp_auth_server.py): Django's SMTP backend configured with
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, verifying the
server's certificate against the CA the operator names (SSL_CERT_FILE)."""

import pytest
from django.test import Client

from accounts.tests.smtp_server import SecureSmtpServer, body_of


@pytest.fixture(scope="module", params=["starttls", "smtps"])
def secure_smtp(request, tmp_path_factory):
    server = SecureSmtpServer(tmp_path_factory.mktemp("smtp-tls"), smtps=request.param == "smtps").start()
    yield server
    server.stop()


@pytest.fixture
def mail_over_tls(secure_smtp, settings, monkeypatch):
    """Chirp configured for the server as an operator would; its certificate trusted as a company CA's."""
    for name, value in secure_smtp.settings().items():
        setattr(settings, name, value)
    monkeypatch.setenv("SSL_CERT_FILE", str(secure_smtp.ca_file))
    secure_smtp.clear()
    return secure_smtp


def ask(email: str):
    return Client().post("/api/auth/password-reset", {"email": email}, content_type="application/json")


def test_reset_mail_is_delivered_over_tls_with_auth(make_user, mail_over_tls):
    """The server takes mail only after AUTH over TLS: a delivered message proves Chirp did both."""
    make_user("Tess", username="tess", email="tess@example.com", password="a long passphrase 42")
    assert ask("tess@example.com").json() == {"result": True}
    message = mail_over_tls.wait_for("tess@example.com")
    assert "/password-reset/" in body_of(message)


def test_wrong_smtp_password_delivers_nothing_and_answers_the_same(
    make_user, mail_over_tls, settings, caplog
):
    make_user("Tess", username="tess", email="tess@example.com", password="a long passphrase 42")
    settings.EMAIL_HOST_PASSWORD = "not-the-password"
    assert ask("tess@example.com").json() == {"result": True}
    assert "could not be sent" in caplog.text
    assert mail_over_tls.messages("tess@example.com") == []
    assert "not-the-password" not in caplog.text and mail_over_tls.password not in caplog.text


def test_untrusted_certificate_is_refused(make_user, mail_over_tls, monkeypatch, caplog):
    """Without the CA that signed the server's certificate, Chirp does not send the password to it."""
    make_user("Tess", username="tess", email="tess@example.com", password="a long passphrase 42")
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
    assert ask("tess@example.com").json() == {"result": True}
    assert "could not be sent" in caplog.text
    assert mail_over_tls.messages("tess@example.com") == []


@pytest.mark.parametrize("secure_smtp", ["starttls"], indirect=True)
def test_server_refuses_mail_without_tls(make_user, mail_over_tls, settings, caplog):
    """The server is as strict as it claims: plain SMTP (no STARTTLS) gets nothing through."""
    make_user("Tess", username="tess", email="tess@example.com", password="a long passphrase 42")
    settings.EMAIL_USE_TLS = False
    assert ask("tess@example.com").json() == {"result": True}
    assert "could not be sent" in caplog.text
    assert mail_over_tls.messages("tess@example.com") == []
