"""Issue 24's "Design to reach", as a person meets it in the browser (see conftest.py): keyboard
shortcuts, the image viewer's focus, the themes, avatars, the phone's compose box."""

import re

from playwright.sync_api import expect

from web.tests.browser.test_web_client import api, png

# The page's background colour as [r, g, b].
BACKGROUND_JS = """() => getComputedStyle(document.body).backgroundColor
  .match(/\\d+/g).slice(0, 3).map(Number)"""


def test_keyboard_shortcuts_move_like_reply_and_start_a_post_but_never_while_typing(chirp, sign_in, page):
    """j and k move between posts, l likes the current one, r opens its reply form; in a text box
    the same letters are only text; n goes to a new post."""
    for text in ("Shortcut post, the older", "Shortcut post, the newer"):
        assert api(chirp, "/api/tweets", "key-ozzy", {"tweet_data": text})[0] == 201
    sign_in("ozzy")
    page.goto("/latest/")
    posts = page.locator("article[data-post]")
    newer, older = posts.nth(0), posts.nth(1)
    expect(newer).to_contain_text("Shortcut post, the newer")

    page.keyboard.press("j")
    expect(newer).to_be_focused()
    page.keyboard.press("j")
    expect(older).to_be_focused()
    page.keyboard.press("k")
    expect(newer).to_be_focused()

    page.keyboard.press("l")
    expect(newer.get_by_role("button", name=re.compile("^Unlike"))).to_be_visible()
    newer = page.locator("article[data-post]", has_text="Shortcut post, the newer")

    page.keyboard.press("r")
    reply = newer.get_by_label("Your reply to Ozzy Keys")
    expect(reply).to_be_visible()
    expect(reply).to_be_focused()
    page.keyboard.type("jklrn?")
    expect(reply).to_have_value("jklrn?")
    expect(newer.get_by_role("button", name=re.compile("^Unlike"))).to_be_visible()
    expect(page.locator("#shortcuts")).to_be_hidden()
    assert page.url.endswith("/latest/")

    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    expect(page.get_by_label("What's happening?")).to_be_focused()


def test_the_image_viewer_keeps_focus_inside_until_closed(sign_in, page):
    """The viewer is a modal dialog: Tab and Shift+Tab go round its own controls, never leaving it."""
    sign_in("dee")
    page.get_by_label("What's happening?").fill("Two boards for the viewer")
    page.get_by_label("Images").set_input_files(
        files=[
            {"name": f"v{n}.png", "mimeType": "image/png", "buffer": png((40, n * 90, 60))} for n in range(2)
        ]
    )
    page.get_by_role("button", name="Post", exact=True).click()
    article = page.locator("article", has_text="Two boards for the viewer")
    article.locator(".images a").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    in_dialog = "Boolean(document.activeElement.closest('dialog[open]'))"
    for key in ["Tab"] * 6 + ["Shift+Tab"] * 6:
        page.keyboard.press(key)
        assert page.evaluate(in_dialog), key
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_theme_follows_the_systems_light_or_dark_setting(sign_in, page):
    """A dark system setting gives a dark page with light text; a light one the opposite."""
    sign_in("dee")
    page.emulate_media(color_scheme="light")
    light = page.evaluate(BACKGROUND_JS)
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate(BACKGROUND_JS)

    assert sum(light) > 600 and sum(dark) < 150, (light, dark)


def test_every_post_shows_its_authors_avatar(sign_in, page):
    """Each post on Home starts with its author's picture or initials."""
    sign_in("dee")
    posts = page.locator("article[data-post]")
    expect(posts.first).to_be_visible()
    assert posts.count() == posts.locator(".tweet-head .avatar").count()


def test_on_a_phone_the_compose_box_starts_as_one_line_and_opens_when_used(sign_in, page):
    """At 360 px the box is one line (the images field hidden) until it is used."""
    sign_in("dee")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    text = page.get_by_label("What's happening?")
    assert text.bounding_box()["height"] <= 48
    expect(page.get_by_label("Images")).to_be_hidden()
    text.focus()
    expect(page.get_by_label("Images")).to_be_visible()
    assert text.bounding_box()["height"] > 48


def test_offline_a_page_says_so_and_never_shows_an_old_feed(chirp, sign_in, page, expected_errors):
    """Installed by the first page, the service worker answers a page load without a network with
    "You are offline", not a stored feed; back online, the feed is fresh."""
    expected_errors.append("ERR_INTERNET_DISCONNECTED")
    sign_in("dee")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    try:
        page.goto("/latest/")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        expect(page.locator("article")).to_have_count(0)
    finally:
        page.context.set_offline(False)
    assert api(chirp, "/api/tweets", "key-dee", {"tweet_data": "Written while Dee was offline"})[0] == 201
    page.get_by_role("link", name="Try again").click()
    page.goto("/latest/")
    expect(page.locator("article").first).to_contain_text("Written while Dee was offline")
