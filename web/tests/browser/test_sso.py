"""Single sign-on in Chromium: Chirp's sign-in page, the company's OpenID provider (a real one, started
by conftest.py), and back; then the sign-out that ends the provider's session too."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def sso_page(browser, chirp, request):
    """A browser session that may visit Chirp and the provider only (the provider's own pages ask a
    CDN for a stylesheet: refused), and fails if a page of Chirp's requests any other host."""
    context = browser.new_context(base_url=chirp.base, viewport={"width": 1280, "height": 900})
    chirp_host = urlsplit(chirp.base).netloc
    allowed = {chirp_host, urlsplit(chirp.oidc_provider.issuer).netloc}
    problems: list[str] = []

    def route(route) -> None:
        if urlsplit(route.request.url).netloc in allowed:
            route.continue_()
        else:
            route.abort()

    def on_request(request) -> None:
        # Navigations (to the provider and back) are the flow itself; a page's own loads must stay here.
        on_chirp = urlsplit(request.frame.url).netloc == chirp_host
        if (
            on_chirp
            and not request.is_navigation_request()
            and urlsplit(request.url).netloc not in (chirp_host, "")
        ):
            problems.append(f"Chirp's page requested {request.url}")

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("request", on_request)
    yield page
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


def test_colleague_signs_in_with_the_company_account_and_out_again(chirp, sso_page):
    """From a bookmarked page to the provider and back there, signed in (a moderator, by group);
    signing out ends the provider's session and returns to Chirp's sign-in page."""
    page = sso_page
    chirp.oidc_provider.set_user(
        "uma-1",
        name="Uma Upstream",
        preferred_username="uma@corp.example",
        email="uma@corp.example",
        email_verified=True,
        groups=["chirp-moderators"],
    )
    page.goto("/people/")
    page.get_by_role("link", name="Sign in with Corp ID").click()
    assert page.url.startswith(chirp.oidc_provider.issuer)
    page.get_by_placeholder("sub").fill("uma-1")
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(f"{chirp.base}/people/")
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", name="Uma Upstream")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{chirp.oidc_provider.issuer}/oauth2/end_session?**")
    page.get_by_role("button", name="End session").click()
    # The provider hands back the sign-out request's state.
    expect(page).to_have_url(re.compile(rf"^{re.escape(chirp.base)}/\?state=\w+$"))
    expect(page.get_by_role("link", name="Sign in with Corp ID")).to_be_visible()
    page.goto("/settings/")
    expect(page).to_have_url(f"{chirp.base}/?next=/settings/")
