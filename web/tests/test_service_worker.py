"""The service worker (/sw.js) and the offline page it keeps: it never keeps a page of posts."""

from django.test import Client


def test_the_service_worker_is_served_from_the_root_and_never_cached(client, db):
    """At /sw.js its scope is every page; no-cache, so a new version reaches browsers at once. What
    it does is tested in Chromium (browser/test_design.py)."""
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert 'const OFFLINE = "/offline/";' in response.content.decode()


def test_the_offline_page_names_nobody_and_speaks_the_readers_language(signed_in, author):
    """Kept for whoever opens Chirp on this browser: it shows no name, no post, no count."""
    browser = signed_in(author)

    english = browser.get("/offline/").content.decode()
    russian = browser.get("/offline/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "<h1>You are offline</h1>" in english and "<h1>Нет подключения к сети</h1>" in russian
    assert "Ada" not in english and "<article" not in english and "csrfmiddlewaretoken" not in english
    assert Client().get("/offline/").status_code == 200


def test_every_page_names_the_service_worker(signed_in, author):
    html = signed_in(author).get("/").content.decode()

    assert 'data-service-worker="/sw.js"' in html
