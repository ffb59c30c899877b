"""axe-core (bundled in axe-playwright-python: offline) on every page, both themes, both widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from dataset.management.commands.seed_demo import DEMO_PASSWORD
from web.tests.browser.test_web_client import api

# The signed-in pages; the post ids are filled in from a post the test makes.
PAGES = [
    "/",
    "/compose/",
    "/people/",
    "/people/2/",
    "/settings/",
    "/settings/api-key/",
    "/notifications/",
    "/tweets/{other}/report/",
    "/tweets/{own}/delete/",
    "/?after={own}",
    "/search/?q=accessible+post",
    "/search/?q=demo&type=people",
    "/search/?q=a&type=tags",
    # Issue 20's pages: Latest, a thread with a reply, a tag, editing and the history of an edited post.
    "/latest/",
    "/tweets/{own}/",
    "/tags/accessible/",
    "/tweets/{own}/edit/",
    "/tweets/{own}/history/",
]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


def violations(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_axe_finds_no_violations_on_any_page(chirp, sign_in, page, theme, width):
    """Every page of the web client passes axe-core's checks, in the light and dark themes, on a
    desktop and a phone; the sign-in page too."""
    axe = Axe()
    page.emulate_media(color_scheme=theme)
    page.set_viewport_size(WIDTHS[width])
    page.goto("/")
    found = violations(axe, page)
    own = api(chirp, "/api/tweets", "test", {"tweet_data": "An #accessible post"})[1]["tweet_id"]
    other = api(
        chirp, "/api/tweets", "key-paul", {"tweet_data": "Another accessible post", "in_reply_to": own}
    )[1]["tweet_id"]
    edited = {"tweet_data": "An #accessible post, edited"}
    assert api(chirp, f"/api/tweets/{own}", "test", edited, method="PATCH")[0] == 200
    sign_in("demo", DEMO_PASSWORD)
    for path in PAGES:
        page.goto(path.format(own=own, other=other))
        found += violations(axe, page)
    assert found == []
