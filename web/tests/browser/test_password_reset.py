"""Password reset in Chromium, end to end: the request on the sign-in page, the email delivered by
gunicorn's Chirp through Django's SMTP backend to a real SMTP server (aiosmtpd), the link opened
from that email, a new password set, and a sign-in with it."""

import re

from playwright.sync_api import expect

from accounts.tests.smtp_server import body_of

NEW_PASSWORD = "forgotten no more 31"


def test_forgotten_password_is_reset_through_the_emailed_link(page, smtp_server, expected_errors):
    """Fay forgot her password: she asks for a link, opens it from the email and signs in again."""
    expected_errors.append("status of 400")
    page.goto("/")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email address").fill("FAY@browser.test")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("an email with a link to set a new password is on its way")).to_be_visible()

    message = smtp_server.wait_for("fay@browser.test")
    assert message["From"] == "chirp@browser.test"
    link = re.search(r"http://127\.0\.0\.1:\d+/password-reset/\S+/", body_of(message))
    assert link, body_of(message)
    page.goto(link.group(0))
    # The token has left the address bar (and so the history) for the session.
    assert "/password-reset/" in page.url and link.group(0).rstrip("/").rsplit("/", 1)[1] not in page.url
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your new password is set. Sign in with it.")).to_be_visible()

    page.get_by_label("Username or email").fill("fay")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # The link was spent: opening it again says so.
    page.goto(link.group(0))
    expect(page.get_by_role("alert")).to_have_text(
        "This password reset link is invalid, expired or already used."
    )
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
