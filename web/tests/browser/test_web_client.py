"""The web client in headless Chromium against gunicorn (see conftest.py)."""

import io
import json
import re
import urllib.request

from PIL import Image
from playwright.sync_api import expect

from dataset.management.commands.seed_demo import DEMO_PASSWORD


def png(color=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


def mark_page(page) -> None:
    """Set a marker that a page load would erase: checked to prove an action did not reload."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


def api(chirp, path: str, key: str, body: dict | None = None, method: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        chirp.base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"api-key": key, "content-type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_sign_in_see_the_feed_and_sign_out(sign_in, page):
    """A demo user signs in with the password scripts/serve prints, reads the feed, and signs out."""
    sign_in("demo", DEMO_PASSWORD)
    expect(page.locator("article").first).to_be_visible()
    expect(page.get_by_role("link", name="People")).to_be_visible()
    # Static files come hashed (cached for ever) from whitenoise, gzip-compressed when asked.
    script = page.locator("script[src]").get_attribute("src")
    assert re.fullmatch(r"/static/web/chirp\.[0-9a-f]{12}\.js", script)
    response = page.request.get(script, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_wrong_password_is_refused_on_the_page(page, expected_errors):
    """A wrong password keeps the visitor on the sign-in page with the message."""
    expected_errors.append("status of 400")
    page.goto("/")
    page.get_by_label("Username or email").fill("demo")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is wrong.")


def test_follow_from_the_directory(sign_in, page):
    """A newcomer finds a colleague under People, follows her in place, and sees her posts in the feed."""
    sign_in("nora")
    page.get_by_role("navigation").get_by_role("link", name="People").click()
    page.get_by_label("Search colleagues by name").fill("Grace")
    page.get_by_role("button", name="Search").click()
    mark_page(page)
    row = page.locator("li.person", has_text="Grace Hopper")
    row.get_by_role("button", name="Follow").click()
    expect(row.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(row.locator("[data-followers-count]")).to_have_text("5 followers")
    assert_not_reloaded(page)
    page.get_by_role("link", name="Home").click()
    expect(page.locator("article", has_text="Found the first actual bug today")).to_be_visible()


def test_post_with_an_image_and_see_it(sign_in, page):
    """Compose counts characters live, previews the image, posts it and shows it in the feed."""
    sign_in("paul")
    page.get_by_label("What's happening?").fill("Whiteboard from today's planning")
    expect(page.locator("#compose-count")).to_have_text("32 of 280 characters")
    page.get_by_label("Images").set_input_files(
        files=[{"name": "board.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(page.locator("[data-previews] img")).to_have_count(1)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    article = page.locator("article", has_text="Whiteboard from today's planning")
    image = article.get_by_role("img")
    expect(image).to_have_attribute("alt", "Image 1 of the post by Paul Poster (opens the full image)")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())


def test_a_refused_image_shows_the_servers_message(sign_in, page, expected_errors):
    """A file that is not an image is refused with the media pipeline's message; nothing is posted."""
    expected_errors.append("status of 415")
    sign_in("paul")
    page.get_by_label("What's happening?").fill("Minutes attached")
    page.get_by_label("Images").set_input_files(
        files=[{"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"}]
    )
    with page.expect_response(lambda r: r.url.endswith("/compose/")) as answer:
        page.get_by_role("button", name="Post", exact=True).click()
    assert answer.value.status == 415
    expect(page.get_by_role("alert")).to_have_text(
        "PDF files are not accepted; upload JPEG, PNG, GIF or WebP."
    )


def test_like_and_unlike_without_a_reload(sign_in, page):
    """Like and Unlike change the button and the count in place."""
    sign_in("linus", DEMO_PASSWORD)
    mark_page(page)
    article = page.locator("article", has_text="Hello Chirp! First post from the demo account.")
    expect(article.locator(".likes")).to_have_text("0 likes")
    article.get_by_role("button", name="Like the post by Demo User").click()
    expect(article.get_by_role("button", name="Unlike the post by Demo User")).to_be_focused()
    expect(article.locator(".likes")).to_have_text("1 like")
    expect(article.locator(".likers")).to_contain_text("Linus Torvalds")
    article.get_by_role("button", name="Unlike the post by Demo User").click()
    expect(article.get_by_role("button", name="Like the post by Demo User")).to_be_visible()
    expect(article.locator(".likes")).to_have_text("0 likes")
    assert_not_reloaded(page)


def test_load_more(chirp, sign_in, page):
    """Load more appends the next page of the feed in place: every post once, then no more link."""
    for n in range(25):
        status, _ = api(chirp, "/api/tweets", "key-lars", {"tweet_data": f"Status update {n:02d}"})
        assert status == 201
    sign_in("lars")
    expect(page.locator("article")).to_have_count(20)
    mark_page(page)
    page.get_by_role("link", name="Load more").click()
    expect(page.locator("article")).to_have_count(25)
    texts = page.locator("article .content").all_inner_texts()
    assert sorted(texts) == [f"Status update {n:02d}" for n in range(25)]
    expect(page.get_by_role("link", name="Load more")).to_have_count(0)
    assert_not_reloaded(page)


def test_report_a_post_with_a_reason(sign_in, page):
    """Report asks for a reason and confirms that the moderators will look."""
    sign_in("grace", DEMO_PASSWORD)
    article = page.locator("article", has_text="Talk is cheap")
    article.get_by_role("button", name="Report").click()
    page.get_by_label("Reason").select_option("confidential")
    page.get_by_label("Comment (optional)").fill("Leaks the roadmap")
    page.get_by_role("button", name="Report").click()
    expect(page.get_by_text("Thank you: the moderators will look at this post.")).to_be_visible()


def test_delete_own_post_after_confirming(chirp, sign_in, page):
    """Delete asks for confirmation, then the post is gone."""
    status, _ = api(chirp, "/api/tweets", "key-paul", {"tweet_data": "A post to delete"})
    assert status == 201
    sign_in("paul")
    page.locator("article", has_text="A post to delete").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete this post?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Your post is deleted.")).to_be_visible()
    expect(page.locator("article", has_text="A post to delete")).to_have_count(0)


def test_settings_api_key_rotation(chirp, sign_in, page):
    """A new api key is shown once; it works over the API and the old one no longer does."""
    sign_in("kim")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Make a new api key").click()
    # The confirmation page, like Delete's: the same button makes the key.
    page.get_by_role("button", name="Make a new api key").click()
    key = page.locator("#new-api-key").inner_text()
    expect(page.get_by_text("scripts using the old key stop working")).to_be_visible()
    assert api(chirp, "/api/users/me", key)[0] == 200
    assert api(chirp, "/api/users/me", "key-kim")[0] == 401
    page.reload()
    expect(page.locator("#new-api-key")).to_have_count(0)
    assert api(chirp, "/api/users/me", key)[0] == 200


def test_phone_sized_viewport_has_no_sideways_scrolling(sign_in, page):
    """At 360 px wide every page fits: no horizontal scrolling."""
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in("demo", DEMO_PASSWORD)
    for path in ["/", "/compose/", "/people/", "/people/1/", "/settings/"]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide"


def test_keyboard_reaches_the_feed_with_visible_focus(sign_in, page):
    """Tab moves through the page's controls, and the focused one is outlined."""
    sign_in("demo", DEMO_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_api_docs_work_without_another_host(page):
    """Swagger UI at /api/docs/ (linked from every page) loads its files from Chirp only."""
    page.goto("/api/docs/")
    expect(page.get_by_text("Chirp API").first).to_be_visible()


CONTRAST_JS = """
() => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.offsetParent) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(`${el.tagName}.${el.className}: ${ratio.toFixed(2)}`);
  }
  return worst;
}
"""


def test_text_contrast_meets_wcag_aa(sign_in, page):
    """Every visible text on the main pages has a contrast of at least 4.5:1 with its background."""
    sign_in("demo", DEMO_PASSWORD)
    for path in ["/", "/people/", "/people/2/", "/settings/", "/compose/"]:
        page.goto(path)
        assert page.evaluate(CONTRAST_JS) == [], path
