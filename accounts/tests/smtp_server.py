"""A real SMTP server for the tests: aiosmtpd in a process of its own, writing a Maildir.

Chirp sends to it through Django's SMTP backend, as to a company's mail relay; the tests read
what it received. Port: CHIRP_TEST_SMTP_PORTS (default 8460-8479).
"""

import email
import mailbox
import re
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

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


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text part"
    return part.get_content()
