from moderation.models import Report, ReportedTweet
from moderation.services import report_dismiss
from tweets.services import tweet_hidden_store


def test_user_reports_a_tweet(outsider, tweet):
    """A report is filed with its reason and comment and answered with 201 and its id."""
    response = outsider.client().post(
        f"/api/tweets/{tweet.id}/report",
        {"reason": "confidential", "comment": "customer data"},
        format="json",
    )

    assert response.status_code == 201
    report = Report.objects.get()
    assert response.json() == {"result": True, "report_id": report.id}
    assert (report.tweet_id, report.reporter_id) == (tweet.id, outsider.id)
    assert (report.reason, report.comment, report.status) == ("confidential", "customer data", "open")


def test_reporting_again_while_open_is_idempotent(outsider, tweet):
    """A repeat report returns the same open report with 200 and creates nothing."""
    client = outsider.client()
    first = client.post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")
    again = client.post(f"/api/tweets/{tweet.id}/report", {"reason": "harassment"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["report_id"] == first.json()["report_id"]
    assert Report.objects.count() == 1
    assert Report.objects.get().reason == "spam"


def test_a_resolved_report_does_not_block_a_new_one(outsider, tweet):
    """Once the first report is dismissed, the same user can report the tweet again."""
    client = outsider.client()
    client.post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")
    Report.objects.update(status=Report.Status.DISMISSED)

    response = client.post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")

    assert response.status_code == 201
    assert Report.objects.count() == 2


def test_each_reporter_gets_their_own_report(outsider, follower, tweet):
    """Two colleagues reporting the same tweet make two open reports."""
    for person in (outsider, follower):
        response = person.client().post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")
        assert response.status_code == 201
    assert Report.objects.filter(tweet=tweet, status="open").count() == 2


def test_reporting_an_unknown_tweet_is_404(outsider):
    """Unknown tweet: enveloped 404, nothing stored."""
    response = outsider.client().post("/api/tweets/999999/report", {"reason": "spam"}, format="json")

    assert response.status_code == 404
    assert response.json()["error_type"] == "not_found"
    assert not Report.objects.exists()


def test_reporting_a_hidden_tweet_is_404(outsider, tweet):
    """A hidden tweet does not exist for users, so it cannot be reported either."""
    tweet_hidden_store(tweet=tweet)

    response = outsider.client().post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")

    assert response.status_code == 404


def test_a_reason_outside_the_list_is_400(outsider, tweet):
    """Reasons come from a fixed list; anything else is a validation error."""
    response = outsider.client().post(f"/api/tweets/{tweet.id}/report", {"reason": "boring"}, format="json")

    assert response.status_code == 400
    assert response.json()["error_type"] == "validation_error"
    assert not Report.objects.exists()


def test_reporting_needs_an_api_key(anonymous, tweet):
    """No key: 401 like every other endpoint."""
    response = anonymous.post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")

    assert response.status_code == 401


def test_report_endpoint_is_in_the_openapi_schema(outsider):
    """The report endpoint is documented with its reasons and both success codes."""
    response = outsider.client().get("/api/schema/", HTTP_ACCEPT="application/json")

    operation = response.json()["paths"]["/api/tweets/{tweet_id}/report"]["post"]
    assert {"200", "201", "400", "404"} <= set(operation["responses"])


def test_queue_counters_follow_reports_and_their_resolution(outsider, follower, moderator, tweet):
    """The queue's stored count of open reports moves with every report and every dismissal."""
    for person in (outsider, follower):
        person.client().post(f"/api/tweets/{tweet.id}/report", {"reason": "spam"}, format="json")
    assert ReportedTweet.objects.get(tweet=tweet).open_reports == 2

    report_dismiss(moderator=moderator.user, tweet=tweet, reason="Fine.")
    assert ReportedTweet.objects.get(tweet=tweet).open_reports == 0

    outsider.client().post(f"/api/tweets/{tweet.id}/report", {"reason": "other"}, format="json")
    entry = ReportedTweet.objects.get(tweet=tweet)
    assert entry.open_reports == Report.objects.filter(tweet=tweet, status="open").count() == 1
    assert entry.last_reported_at == Report.objects.latest("created_at").created_at
