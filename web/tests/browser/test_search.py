"""The search box, its tabs, the marked words and paging, in headless Chromium (see conftest.py)."""

from playwright.sync_api import expect

from web.tests.browser.test_web_client import api


def test_search_by_keyboard_with_tabs_marks_and_paging(chirp, sign_in, page):
    """Sid finds the posts by keyboard from any page: the words are marked, more results page on,
    and the People and Tags tabs search the same words."""
    for n in range(23):
        status, _ = api(chirp, "/api/tweets", "key-sid", {"tweet_data": f"Zeppelin log {n} #zeppelins"})
        assert status == 201
    sign_in("sid")
    box = page.get_by_role("search", name="Search").get_by_label("Search")
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.type("zeppelin")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{chirp.base}/search/?q=zeppelin")
    expect(page.get_by_role("heading", name="Search")).to_be_visible()
    posts = page.get_by_role("region", name="Posts found").get_by_role("article")
    expect(posts).to_have_count(20)
    expect(posts.first.locator("mark")).to_have_text("Zeppelin")
    expect(box).to_have_value("zeppelin")
    page.get_by_role("link", name="More results").click()
    expect(page.get_by_role("region", name="Posts found").get_by_role("article")).to_have_count(3)
    expect(page.get_by_role("link", name="More results")).to_have_count(0)

    tabs = page.get_by_role("navigation", name="What to search")
    tabs.get_by_role("link", name="People").click()
    expect(tabs.get_by_role("link", name="People")).to_have_attribute("aria-current", "page")
    page.get_by_role("search", name="Search").get_by_label("Search").fill("searcher")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sid Searcher")).to_be_visible()
    tabs = page.get_by_role("navigation", name="What to search")
    tabs.get_by_role("link", name="Tags").click()
    expect(page.get_by_text("No tags match this search.")).to_be_visible()
    box = page.get_by_role("search", name="Search").get_by_label("Search")
    box.fill("#zep")
    box.press("Enter")
    expect(page.get_by_role("link", name="#zeppelins")).to_be_visible()
    expect(page.get_by_text("23 posts")).to_be_visible()
