"""Issue 24's defects of the web client, each as a person meets it in the browser (see conftest.py)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from dataset.management.commands.seed_demo import DEMO_PASSWORD
from web.tests.browser.conftest import ADMIN_PASSWORD
from web.tests.browser.test_web_client import CONTRAST_JS, api, assert_not_reloaded, mark_page, png

# The number of lines a control's label takes: 1 unless it wraps.
LABEL_LINES_JS = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size;
}"""


def test_the_people_search_button_label_stays_on_one_line(sign_in, page):
    """1. "Search" never wraps to "Searc / h", on a desktop or a phone."""
    sign_in("nora")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/people/")
        assert page.get_by_role("button", name="Search").evaluate(LABEL_LINES_JS) == 1, width


def test_the_admins_open_reports_link_is_readable(chirp, page):
    """2. The moderators' "open reports" link on the admin index passes WCAG AA contrast."""
    status, _ = api(chirp, "/api/tweets/1/report", "key-nora", {"reason": "spam"})
    assert status in (200, 201)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    link = page.locator("#open-reports a")
    expect(link).to_contain_text("open report")
    assert page.evaluate(CONTRAST_JS.replace('"body *"', '"#open-reports *"')) == []


def test_follow_keeps_keyboard_focus_so_a_second_enter_unfollows(sign_in, page):
    """3. Follow by keyboard: focus stays on the button, and Enter again undoes it."""
    sign_in("nora")
    page.goto("/people/?q=Linus")
    row = page.locator("li.person", has_text="Linus Torvalds")
    row.get_by_role("button", name="Follow").focus()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Unfollow")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Follow")).to_be_focused()


def test_reporting_a_post_twice_says_it_is_already_reported(sign_in, page):
    """4. A second Report of the same post says so instead of taking (and dropping) another reason."""
    sign_in("grace", DEMO_PASSWORD)
    article = page.locator("article", has_text="Hello Chirp! First post from the demo account.")
    article.get_by_role("button", name=re.compile("^Report")).click()
    page.get_by_label("Reason").select_option("spam")
    page.get_by_role("button", name="Report", exact=True).click()
    expect(page.get_by_text("Thank you: the moderators will look at this post.")).to_be_visible()
    article = page.locator("article", has_text="Hello Chirp! First post from the demo account.")
    expect(article.get_by_text("You reported this post")).to_be_visible()
    expect(article.get_by_role("button", name=re.compile("^Report"))).to_have_count(0)
    tweet_id = article.get_attribute("id").removeprefix("tweet-")
    page.goto(f"/tweets/{tweet_id}/report/")
    expect(page.get_by_text("You reported this post; the moderators will look at it.")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_count(0)


def test_a_new_api_key_is_made_only_after_confirming(chirp, sign_in, page):
    """5. "Make a new api key" asks first, like Delete: cancelling keeps the old key working."""
    sign_in("kim")
    page.goto("/settings/")
    page.get_by_role("button", name="Make a new api key").click()
    expect(page.get_by_role("heading", name="Replace your api key?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    assert api(chirp, "/api/users/me", "key-kim")[0] == 200


def test_errors_are_worded_for_people_not_for_the_api(page, expected_errors):
    """6. The sign-in refusal is plain words, without the API's jargon."""
    expected_errors.append("status of 400")
    page.goto("/")
    page.get_by_label("Username or email").fill("demo")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is wrong.")


def test_compose_refuses_what_the_server_would_and_keeps_the_chosen_images(sign_in, page):
    """7. Over the limit Post is disabled; a fifth image is refused at once; one image can be removed."""
    sign_in("paul")
    text = page.get_by_label("What's happening?")
    post = page.get_by_role("button", name="Post", exact=True)
    text.fill("x" * 281)
    expect(post).to_be_disabled()
    text.fill("Five boards, one too many")
    expect(post).to_be_enabled()
    page.get_by_label("Images").set_input_files(
        files=[
            {"name": f"board{n}.png", "mimeType": "image/png", "buffer": png((n * 40, 90, 120))}
            for n in range(5)
        ]
    )
    expect(page.locator("[data-previews] img")).to_have_count(4)
    expect(page.get_by_text("A post can have at most 4 images; left out: board4.png.")).to_be_visible()
    page.get_by_role("button", name="Remove board0.png").click()
    expect(page.locator("[data-previews] img")).to_have_count(3)
    post.click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    expect(
        page.locator("article", has_text="Five boards, one too many").locator(".images img")
    ).to_have_count(3)


def test_times_are_in_the_viewers_time_zone_and_relative_when_recent(browser, chirp):
    """8. A browser in New York sees New York time on hover, and "… ago" for recent posts."""
    context = browser.new_context(base_url=chirp.base, timezone_id="America/New_York", locale="de-DE")
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_label("Username or email").fill("demo")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        time = page.locator("article time").first
        expect(time).to_have_text(re.compile(r"ago|just now"))
        stamp = datetime.fromisoformat(time.get_attribute("datetime")).astimezone(
            ZoneInfo("America/New_York")
        )
        # The page's language (English) formats it: "Dec 6, 2026, 6:37 PM".
        expect(time).to_have_attribute("title", re.compile(rf"\b{stamp:%-I:%M}\s*{stamp:%p}"))
    finally:
        context.close()


def test_phone_navigation_is_one_row_of_big_targets_with_the_current_page_marked(sign_in, page):
    """9. At 360 px: one row of links 44 px or more, the current one marked, a post on the first screen."""
    sign_in("demo", DEMO_PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/people/")
    links = page.get_by_role("navigation", name="Main").locator("[data-nav] a")
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert len(boxes) >= 5
    assert all(box["height"] >= 44 and box["width"] >= 44 for box in boxes), boxes
    assert len({round(box["y"]) for box in boxes}) == 1, boxes
    expect(page.get_by_role("link", name="People", exact=True)).to_have_attribute("aria-current", "page")
    page.goto("/")
    first = page.locator("article").first.bounding_box()
    assert first["y"] + 60 < 740, first


def test_a_thumbnail_opens_in_an_image_viewer_on_the_page(chirp, sign_in, page):
    """10. A thumbnail opens a dialog with the image; Escape closes it and focus returns."""
    sign_in("vi")
    page.get_by_label("What's happening?").fill("Two photos from the offsite")
    page.get_by_label("Images").set_input_files(
        files=[
            {"name": f"p{n}.png", "mimeType": "image/png", "buffer": png((n * 90, 60, 60))} for n in range(2)
        ]
    )
    page.get_by_role("button", name="Post", exact=True).click()
    mark_page(page)
    article = page.locator("article", has_text="Two photos from the offsite")
    article.locator(".images a").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("img")).to_have_attribute("src", re.compile(r"/media/"))
    page.keyboard.press("ArrowRight")
    expect(dialog).to_contain_text("2 of 2")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(article.locator(".images a").first).to_be_focused()
    assert_not_reloaded(page)


def test_the_feed_is_quick_to_tab_through_and_buttons_name_their_post(sign_in, page):
    """11. Likers are names, not links; Like and Report say whose post they act on."""
    sign_in("grace", DEMO_PASSWORD)
    article = page.locator("article", has_text="Found the first actual bug today")
    expect(article.locator(".likers")).to_be_visible()
    expect(article.locator(".likers a")).to_have_count(0)
    other = page.locator("article", has_text="Talk is cheap")
    expect(
        other.get_by_role("button", name=re.compile(r"^(Like|Unlike) the post by Linus Torvalds"))
    ).to_be_visible()
    expect(
        other.get_by_role("button", name=re.compile(r"^Report the post by Linus Torvalds"))
    ).to_be_visible()


def test_a_field_error_is_tied_to_its_field(sign_in, page, expected_errors):
    """11. A refused field is described by its error (aria-describedby), as screen readers read it."""
    expected_errors.append("status of 400")
    sign_in("nora")
    page.goto("/settings/")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a new long passphrase 1")
    page.get_by_label("Repeat the new password").fill("a new long passphrase 1")
    page.get_by_role("button", name="Change password").click()
    field = page.get_by_label("Current password")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description("This is not your current password.")


def test_the_admin_has_a_favicon_and_a_named_queue(chirp, page):
    """12. /favicon.ico exists, and the moderation queue is titled for people."""
    response = page.request.get(chirp.base + "/favicon.ico")
    assert response.status == 200
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/moderation/reportedtweet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")


def test_settings_have_one_name_label_a_password_confirmation_and_a_username_for_managers(
    sign_in, page, expected_errors
):
    """13. Settings: "Display name" once, the new password twice, the username for password managers."""
    expected_errors.append("status of 400")
    sign_in("nora")
    page.goto("/settings/")
    expect(page.get_by_text("Display name", exact=True)).to_have_count(1)
    expect(page.locator("input[autocomplete=username]")).to_have_value("nora")
    page.get_by_label("Current password").fill("browser passphrase 42")
    page.get_by_label("New password", exact=True).fill("one new passphrase 11")
    page.get_by_label("Repeat the new password").fill("another passphrase 22")
    with page.expect_response(lambda r: r.url.endswith("/settings/password/")):
        page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The two new passwords differ.")).to_be_visible()


def test_people_leaves_out_admin_accounts_and_marks_you(sign_in, page):
    """13. People lists colleagues, not the site's admin account, and marks your own row."""
    sign_in("nora")
    page.goto("/people/")
    expect(page.locator("li.person", has_text="Site Admin")).to_have_count(0)
    expect(page.locator("li.person", has_text="Nora Newcomer")).to_contain_text("(you)")


def test_the_sign_in_page_does_not_offer_api_docs(page):
    """13. An anonymous visitor is not shown the developers' "API docs" link."""
    page.goto("/")
    expect(page.get_by_role("link", name="API docs")).to_have_count(0)


def test_without_javascript_liking_on_a_later_page_stays_on_that_page(browser, chirp):
    """13. With JavaScript off, Like on a "Load more" page comes back to that page, not Home's top."""
    for n in range(22):
        assert api(chirp, "/api/tweets", "key-jo", {"tweet_data": f"Plain page post {n:02d}"})[0] == 201
    context = browser.new_context(base_url=chirp.base, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_label("Username or email").fill("jo")
        page.get_by_label("Password").fill("browser passphrase 42")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Load more").click()
        later = page.url
        assert "after=" in later or "cursor=" in later
        article = page.locator("article").first
        article.get_by_role("button", name=re.compile("^Like")).click()
        assert page.url == later
        expect(
            page.locator("article").first.get_by_role("button", name=re.compile("^Unlike"))
        ).to_be_visible()
    finally:
        context.close()


def test_shortcut_list_is_announced_through_a_live_region(sign_in, page):
    """ "?" reads the list out through a polite live region (a screen reader hears every key), and
    "?" or Escape says it closed and gives focus back."""
    sign_in("sam")
    status = page.locator("#shortcuts-status")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    assert status.text_content() == ""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").focus()
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()
    said = status.text_content()
    assert said.startswith("Keyboard shortcuts: ")
    for words in ("j k: Next or previous post", "l: Like or unlike", "n: New post", "?: Show or hide"):
        assert words in said
    page.keyboard.press("Escape")
    assert page.locator("#shortcuts").is_hidden()
    assert status.text_content() == "Keyboard shortcuts hidden."
    assert page.evaluate("document.activeElement.textContent.trim()") == "People"


def test_each_image_gets_its_own_description_shown_as_alt(sign_in, page):
    """Compose: a description field beside each chosen image (following removals); the post's
    images carry those descriptions as alt text, the undescribed one the default."""
    sign_in("alma")
    page.get_by_label("What's happening?").fill("Three photos, two described")
    page.get_by_label("Images").set_input_files(
        files=[
            {"name": f"alt{n}.png", "mimeType": "image/png", "buffer": png((n * 70, 120, 90))}
            for n in range(3)
        ]
    )
    expect(page.locator("[data-alts-static]")).to_have_count(0)
    page.get_by_label("Description of alt0.png").fill("A whiteboard full of arrows")
    page.get_by_label("Description of alt1.png").fill("This one goes")
    page.get_by_label("Description of alt2.png").fill("The team on the stairs")
    page.get_by_role("button", name="Remove alt1.png").click()
    expect(page.get_by_label("Description of alt2.png")).to_have_value("The team on the stairs")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    images = page.locator("article", has_text="Three photos, two described").locator(".images img")
    expect(images).to_have_count(2)
    expect(images.nth(0)).to_have_attribute("alt", "A whiteboard full of arrows")
    expect(images.nth(1)).to_have_attribute("alt", "The team on the stairs")
