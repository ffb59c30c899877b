"""A real SMTP server for the tests: aiosmtpd in a process of its own, writing a Maildir.

Chirp sends to it through Django's SMTP backend, as to a company's mail relay; the tests read
what it received. Port: CHIRP_TEST_SMTP_PORTS (default 8460-8479).
"""

import email
import ipaddress
import mailbox
import re
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from faults.servers import free_port, port_range, wait_for_port


class SmtpServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port(port_range("CHIRP_TEST_SMTP_PORTS", "8460-8479"))
        self.process: subprocess.Popen | None = None

    def start(self) -> "SmtpServer":
        command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "-c", "aiosmtpd.handlers.Mailbox", str(self.folder / "maildir")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(self.port, timeout=20)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def settings(self) -> dict[str, object]:
        """Django's email settings that send to this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
        }

    def clear(self) -> None:
        """Forget the messages received so far (each test starts with an empty mailbox)."""
        mailbox.Maildir(self.folder / "maildir", create=True).clear()

    def messages(self, to: str) -> list[EmailMessage]:
        """Every message delivered so far to `to`, oldest first."""
        box = mailbox.Maildir(self.folder / "maildir", create=True)
        # Maildir names start with the delivery time: "<seconds>.M<microseconds>P<pid>...".
        keys = sorted(box.keys(), key=lambda key: tuple(int(n) for n in re.findall(r"\d+", key)[:2]))
        messages = [email.message_from_bytes(box.get_bytes(key), policy=policy.default) for key in keys]
        return [message for message in messages if to in message.get("To", "")]

    def wait_for(self, to: str, *, count: int = 1, timeout: float = 10) -> EmailMessage:
        """The `count`-th message delivered to `to`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(to)
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no message number {count} to {to} arrived within {timeout} s")
            time.sleep(0.05)


class SecureSmtpServer(SmtpServer):
    """A submission server that requires TLS (STARTTLS, or implicit with `smtps`) and AUTH
    (accounts/tests/smtp_auth_server.py), with a self-signed certificate for 127.0.0.1 that the
    client trusts through SSL_CERT_FILE = `self.ca_file`, as for a relay with a company CA."""

    LOGIN = "chirp-mailer"

    def __init__(self, folder: Path, *, smtps: bool = False):
        super().__init__(folder)
        self.smtps = smtps
        self.password = secrets.token_urlsafe(16)
        self.ca_file = folder / "cert.pem"

    def start(self) -> "SecureSmtpServer":
        key_file, password_file = self.folder / "key.pem", self.folder / "password"
        _self_signed_certificate(self.ca_file, key_file)
        password_file.write_text(self.password)
        command = [
            sys.executable,
            str(Path(__file__).with_name("smtp_auth_server.py")),
            *("--port", str(self.port), "--maildir", str(self.folder / "maildir")),
            *("--cert", str(self.ca_file), "--key", str(key_file)),
            *("--login", self.LOGIN, "--password-file", str(password_file)),
            *(["--smtps"] if self.smtps else []),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(self.port, timeout=20)
        except Exception:
            self.stop()
            raise
        return self

    def settings(self) -> dict[str, object]:
        return {
            **super().settings(),
            "EMAIL_HOST_USER": self.LOGIN,
            "EMAIL_HOST_PASSWORD": self.password,
            "EMAIL_USE_TLS": not self.smtps,
            "EMAIL_USE_SSL": self.smtps,
        }


def _self_signed_certificate(cert_file: Path, key_file: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    loopback = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(loopback, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text part"
    return part.get_content()
