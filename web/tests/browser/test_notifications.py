"""Notifications in headless Chromium: the badge, the grouped page, muting, by keyboard only."""

from playwright.sync_api import expect

from web.tests.browser.test_web_client import api


def _tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's accessible name starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || ''; }"
        )
        if label.strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_like_raises_the_badge_the_page_groups_and_opening_clears_it(chirp, sign_in, page):
    """Nia's badge counts Lee's like without a reload; Max's like joins the same notification;
    opening the page by keyboard shows them grouped and clears the count."""
    status, body = api(chirp, "/api/tweets", "key-nia", {"tweet_data": "Lunch at noon?"})
    assert status == 201
    tweet_id = body["tweet_id"]
    sign_in("nia")
    link = page.get_by_role("link", name="Notifications", exact=True)
    expect(link).to_be_visible()

    assert api(chirp, f"/api/tweets/{tweet_id}/likes", "key-lee", {})[0] == 200
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    assert api(chirp, f"/api/tweets/{tweet_id}/likes", "key-max", {})[0] == 200
    assert api(chirp, "/api/users/me", "key-nia")[0] == 200

    _tab_to(page, "Notifications, 1 unread")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    entries = page.locator("li.notification")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Max Mutetester and Lee Liker liked your post")
    expect(entries.first.get_by_role("link", name="liked your post")).to_have_attribute(
        "href", f"/tweets/{tweet_id}/"
    )
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    # Read now: a reload shows it as read, and no badge.
    page.reload()
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.locator("[data-badge]")).to_be_hidden()


def test_muting_likes_in_settings_by_keyboard(chirp, sign_in, page):
    """Max mutes likes in Settings with the keyboard: Lee's like does not count, Lee's follow does."""
    status, body = api(chirp, "/api/tweets", "key-max", {"tweet_data": "Muted likes, please"})
    assert status == 201
    sign_in("max")
    page.goto("/settings/")
    _tab_to(page, "likes my post")
    page.keyboard.press("Space")
    expect(page.get_by_label("likes my post")).to_be_checked()
    _tab_to(page, "Save notification settings")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.get_by_label("likes my post")).to_be_checked()

    assert api(chirp, f"/api/tweets/{body['tweet_id']}/likes", "key-lee", {})[0] == 200
    status, me = api(chirp, "/api/users/me", "key-max")
    assert api(chirp, f"/api/users/{me['user']['id']}/follow", "key-lee", {})[0] == 200
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    page.get_by_role("link", name="Notifications, 1 unread").click()
    entries = page.locator("li.notification")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Lee Liker")
    expect(entries.first).to_contain_text("followed you")
