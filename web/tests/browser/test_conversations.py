"""Replies, threads, mentions, tags and edits in headless Chromium (see conftest.py)."""

import re

from playwright.sync_api import expect

from web.tests.browser.conftest import TRENDING_CACHE_SECONDS
from web.tests.browser.test_web_client import api


def test_reply_in_place_then_read_the_thread(chirp, sign_in, page):
    """Paul opens the reply form under his own post by its Reply button and answers; the thread shows both."""
    status, body = api(chirp, "/api/tweets", "key-paul", {"tweet_data": "Who has the #retro notes?"})
    assert status == 201
    root_id = body["tweet_id"]
    sign_in("paul")
    post = page.locator(f"#tweet-{root_id}")
    reply_button = post.get_by_role("button", name="Reply", exact=True)
    expect(reply_button).to_have_attribute("aria-expanded", "false")
    reply_button.click()
    expect(reply_button).to_have_attribute("aria-expanded", "true")
    box = post.get_by_label("Your reply to Paul Poster")
    expect(box).to_be_focused()
    box.fill("I do, see https://wiki.example.com/retro")
    post.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(f"{chirp.base}/tweets/{root_id}/")
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    replies = page.get_by_role("region", name="Replies")
    expect(replies.get_by_role("article")).to_have_count(1)
    link = replies.get_by_role("link", name="https://wiki.example.com/retro")
    expect(link).to_have_attribute("rel", "nofollow noopener ugc")
    expect(replies.get_by_text("Replying to")).to_be_visible()
    # The reply's own thread page shows the chain up to the post it answers.
    replies.locator("a.permalink").click()
    expect(
        page.get_by_role("region", name="Earlier in the conversation").get_by_role("article")
    ).to_have_count(1)


def test_a_mention_links_to_the_profile_and_a_tag_to_its_page(chirp, sign_in, page):
    sign_in("tam")  # Home counts the Trending list and keeps it
    status, _ = api(chirp, "/api/tweets", "key-tam", {"tweet_data": "Thanks @kim for the #Release"})
    assert status == 201
    page.reload()
    post = page.locator("article", has_text="Thanks @kim")
    post.get_by_role("link", name="@kim").click()
    expect(page.get_by_role("heading", name="Kim Keymaker")).to_be_visible()
    page.go_back()
    page.locator("article", has_text="Thanks @kim").get_by_role("link", name="#Release").click()
    expect(page.get_by_role("heading", name="#release")).to_be_visible()
    expect(page.get_by_role("article").first).to_contain_text("Thanks @kim")
    # A new post's tag shows in Trending once the list kept before it runs out (docs/conversations.md).
    page.wait_for_timeout(TRENDING_CACHE_SECONDS * 1000)
    page.reload()
    expect(page.get_by_role("complementary", name="Trending")).to_contain_text("#release")


def test_edit_a_post_and_see_its_history(chirp, sign_in, page):
    # Hal's own key: another test replaces Kim's (test_web_client.py's api key rotation).
    status, body = api(chirp, "/api/tweets", "key-hal", {"tweet_data": "Standup at 9:30 tomorow"})
    assert status == 201
    sign_in("hal")
    post = page.locator(f"#tweet-{body['tweet_id']}")
    post.get_by_role("button", name="Edit").click()
    page.get_by_label("Text").fill("Standup at 9:30 tomorrow")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your post is edited.")).to_be_visible()
    post = page.locator(f"#tweet-{body['tweet_id']}")
    expect(post).to_contain_text("Standup at 9:30 tomorrow")
    post.get_by_role("link", name="edited").click()
    expect(page.get_by_role("heading", name="Edit history")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("Standup at 9:30 tomorow")


def test_the_latest_tab_shows_the_newest_post_first(chirp, sign_in, page):
    status, body = api(chirp, "/api/tweets", "key-nora", {"tweet_data": "Fresh from the oven"})
    assert status == 201
    sign_in("nora")
    page.get_by_role("navigation", name="Order of the feed").get_by_role("link", name="Latest").click()
    expect(page).to_have_url(f"{chirp.base}/latest/")
    expect(page.get_by_role("link", name="Latest")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("article").first).to_have_id(f"tweet-{body['tweet_id']}")


def test_mention_suggestions_by_keyboard(chirp, sign_in, page):
    """Typing @ and letters opens the suggestions; arrows move, Enter inserts, Escape closes."""
    sign_in("nora")
    box = page.get_by_role("textbox", name="What's happening?")
    box.press_sequentially("Hello @k")
    options = page.get_by_role("listbox", name="People to mention").get_by_role("option")
    expect(options.first).to_contain_text("Kim Keymaker (@kim)")
    announced = page.get_by_role("status").filter(has_text=re.compile(r"^People suggested: [1-9]"))
    expect(announced).to_have_count(1)
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Enter")
    expect(box).to_have_value("Hello @kim ")
    expect(page.get_by_role("listbox", name="People to mention")).to_be_hidden()
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    box.press_sequentially("and @p")
    expect(options.first).to_contain_text("Paul Poster")
    box.press("Escape")
    expect(page.get_by_role("listbox", name="People to mention")).to_be_hidden()
    expect(box).to_have_value("Hello @kim and @p")
    box.press_sequentially("aul #demo")
    page.get_by_role("button", name="Post", exact=True).click()
    post = page.locator("article", has_text="Hello @kim and @paul").first
    expect(post.get_by_role("link", name="@kim")).to_be_visible()
    expect(post.get_by_role("link", name="@paul")).to_be_visible()
