import pytest
from prometheus_client import REGISTRY

from tweets.services import tweet_create


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_requests_are_counted_by_route_name_not_by_raw_path(author, client):
    """Ids in paths would explode the label set; the route's name is the label."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    before = sample("chirp_http_requests_total", method="POST", endpoint="tweet-likes", status="200")

    author.client().post(f"/api/tweets/{tweet.id}/likes")

    text = scrape(client)
    after = sample("chirp_http_requests_total", method="POST", endpoint="tweet-likes", status="200")
    assert after == before + 1
    assert f"/api/tweets/{tweet.id}" not in text
    assert (
        'chirp_http_request_duration_seconds_bucket{endpoint="tweet-likes",le="0.005",method="POST"}' in text
    )


def test_unknown_urls_share_one_label(author):
    """Random paths from scanners all land in one series instead of one series each."""
    before = sample("chirp_http_requests_total", method="GET", endpoint="unmatched", status="404")

    author.client().get("/no/such/page/12345")
    author.client().get("/another/random/path")

    assert sample("chirp_http_requests_total", method="GET", endpoint="unmatched", status="404") == before + 2


def test_invented_http_methods_share_one_label(author):
    """A client sending made-up methods cannot create a series per method."""
    before = sample("chirp_http_requests_total", method="OTHER", endpoint="tweets", status="405")

    author.client().generic("BREW", "/api/tweets")
    author.client().generic("XYZZY", "/api/tweets")

    assert sample("chirp_http_requests_total", method="OTHER", endpoint="tweets", status="405") == before + 2


def test_database_queries_per_request_are_recorded(follower):
    """The feed's query count lands in a histogram per route, to spot N+1 regressions in production."""
    labels = {"method": "GET", "endpoint": "tweets"}
    count_before = sample("chirp_http_request_db_queries_count", **labels)
    sum_before = sample("chirp_http_request_db_queries_sum", **labels)

    follower.client().get("/api/tweets")

    assert sample("chirp_http_request_db_queries_count", **labels) == count_before + 1
    assert sample("chirp_http_request_db_queries_sum", **labels) > sum_before


def test_refused_oversize_bodies_are_labelled_with_their_route(author, settings):
    """A 413 answered by middleware before URL resolution still gets the route's name."""
    settings.API_MAX_JSON_BYTES = 1024
    before = sample("chirp_http_requests_total", method="POST", endpoint="tweets", status="413")

    response = author.client().post(
        "/api/tweets", data='{"tweet_data": "' + "x" * 2000 + '"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert sample("chirp_http_requests_total", method="POST", endpoint="tweets", status="413") == before + 1


def test_domain_counters_count_committed_writes_once(
    author, follower, outsider, png_upload, django_capture_on_commit_callbacks
):
    """Tweets, likes, follows and uploads are counted when committed; repeats and failures are not."""
    names = [
        "chirp_tweets_created_total",
        "chirp_likes_added_total",
        "chirp_follows_added_total",
        "chirp_media_uploads_total",
    ]
    before = {name: sample(name) for name in names}
    api = outsider.client()

    with django_capture_on_commit_callbacks(execute=True):
        media_id = api.post("/api/medias", {"file": png_upload()}, format="multipart").json()["media_id"]
        created = api.post("/api/tweets", {"tweet_data": "hi", "tweet_media_ids": [media_id]}, format="json")
        tweet_id = created.json()["tweet_id"]
        failed = api.post("/api/tweets", {"tweet_data": "x" * 1000}, format="json")
        author.client().post(f"/api/tweets/{tweet_id}/likes")
        author.client().post(f"/api/tweets/{tweet_id}/likes")
        api.post(f"/api/users/{author.id}/follow")
        api.post(f"/api/users/{author.id}/follow")

    assert failed.status_code == 400
    assert {name: sample(name) - before[name] for name in names} == {
        "chirp_tweets_created_total": 1,
        "chirp_likes_added_total": 1,
        "chirp_follows_added_total": 1,
        "chirp_media_uploads_total": 1,
    }


def test_reports_are_counted_once_per_open_report(author, outsider, django_capture_on_commit_callbacks):
    """Reporting the same tweet again while the report is open is not a second report."""
    tweet = tweet_create(author=author.user, content="hi", media_ids=[])
    before = sample("chirp_reports_created_total")
    body = {"reason": "spam", "comment": ""}

    with django_capture_on_commit_callbacks(execute=True):
        first = outsider.client().post(f"/api/tweets/{tweet.id}/report", body, format="json")
        outsider.client().post(f"/api/tweets/{tweet.id}/report", body, format="json")

    assert first.status_code == 201
    assert sample("chirp_reports_created_total") == before + 1


def test_rolled_back_writes_are_not_counted(author, django_capture_on_commit_callbacks):
    """A tweet whose transaction fails (foreign media) leaves the counter untouched."""
    before = sample("chirp_tweets_created_total")

    with django_capture_on_commit_callbacks(execute=True):
        response = author.client().post(
            "/api/tweets", {"tweet_data": "hi", "tweet_media_ids": [999999]}, format="json"
        )

    assert response.status_code == 400
    assert sample("chirp_tweets_created_total") == before


@pytest.mark.django_db
def test_metrics_require_the_token_when_one_is_configured(client, settings):
    """With METRICS_TOKEN set, a scrape without `Authorization: Bearer <token>` is refused."""
    settings.METRICS_TOKEN = "s3cret-metrics-token"

    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
