"""An SMTP submission server for the tests, as a company relay or a mail provider runs one:
aiosmtpd (PyPI) with TLS (STARTTLS required, or implicit TLS with --smtps) and AUTH required
(PLAIN/LOGIN, only over TLS, one login and password), delivering to a Maildir.

    python accounts/tests/smtp_auth_server.py --port 8465 --maildir DIR --cert C --key K \
        --login chirp --password-file FILE [--smtps]

aiosmtpd's command line has no AUTH, hence this script. A message is accepted only after a
successful AUTH over TLS, so one in the Maildir proves that Chirp spoke both.
"""

import argparse
import ssl
import time
from hmac import compare_digest
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--smtps", action="store_true", help="implicit TLS instead of STARTTLS")
    args = parser.parse_args()
    login = args.login.encode()
    password = Path(args.password_file).read_bytes().strip()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and compare_digest(auth_data.login, login)
            and compare_digest(auth_data.password, password)
        )
        return AuthResult(success=ok)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    # aiosmtpd's "AUTH only over TLS" knows STARTTLS only; on an implicit-TLS port every byte,
    # AUTH included, is already inside TLS.
    tls: dict[str, Any]
    if args.smtps:
        tls = {"ssl_context": context, "auth_require_tls": False}
    else:
        tls = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    controller = Controller(
        Mailbox(args.maildir),
        hostname="127.0.0.1",
        port=args.port,
        authenticator=authenticator,
        auth_required=True,
        **tls,
    )
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
