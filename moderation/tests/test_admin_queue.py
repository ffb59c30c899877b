from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY
from accounts.services import suspension_store
from media.services import media_create
from moderation.models import AuditEntry, Report
from moderation.services import report_create, report_dismiss
from moderation.tests.conftest import messages_of, run_action
from tweets.services import tweet_create

QUEUE = "/admin/moderation/reportedtweet/"


@pytest.fixture
def reported(tweet, outsider, follower):
    """The tweet, reported by two colleagues."""
    report_create(reporter=outsider.user, tweet_id=tweet.id, reason="confidential", comment="client names")
    report_create(reporter=follower.user, tweet_id=tweet.id, reason="other")
    return tweet


def test_queue_lists_reported_tweets_open_first_with_reporter_count(
    moderator_client, moderator, reported, author, make_user
):
    """The queue shows each reported tweet once, open ones first, with reasons, comments and count."""
    old = tweet_create(author=author.user, content="an old complaint", media_ids=[])
    report_create(reporter=make_user("Rita").user, tweet_id=old.id, reason="spam")
    report_dismiss(moderator=moderator.user, tweet=old, reason="Fine.")

    response = moderator_client.get(QUEUE)

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [(row.pk, row.open_reports) for row in rows] == [(reported.pk, 2), (old.pk, 0)]
    page = response.content.decode()
    assert "the customer list is attached" in page
    assert "Confidential information (Olga Outsider): client names" in page
    assert f"/admin/tweets/tweet/?author__id__exact={reported.author_id}" in page


def test_queue_shows_image_thumbnails_inline(moderator_client, author, outsider, png_upload):
    """A reported tweet's images are previewed in the queue."""
    media = media_create(uploader=author.user, upload=png_upload())
    tweet = tweet_create(author=author.user, content="look", media_ids=[media.id])
    report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam")

    response = moderator_client.get(QUEUE)

    page = response.content.decode()
    assert f'src="{media.thumbnail.url}"' in page
    assert f'href="{media.file.url}"' in page


def test_dismissing_closes_the_reports_and_keeps_the_tweet(moderator_client, moderator, reported):
    """Dismiss: reports closed as dismissed, tweet untouched, audit entry and message."""
    response = run_action(
        moderator_client, QUEUE, "dismiss_reports", [reported.id], reason="Not confidential."
    )

    assert "Dismissed 2 open reports." in messages_of(response)
    assert set(Report.objects.values_list("status", "resolved_by_id")) == {("dismissed", moderator.id)}
    reported.refresh_from_db()
    assert reported.hidden_at is None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.target_tweet_id, entry.reason) == (
        "dismiss",
        moderator.id,
        reported.id,
        "Not confidential.",
    )


def test_hiding_from_the_queue_hides_and_closes_reports(moderator_client, moderator, reported, follower):
    """Hide: the tweet leaves the feed, its reports are actioned, the log says who and why."""
    response = run_action(
        moderator_client, QUEUE, "hide_tweets", [reported.id], reason="Leaks customer data."
    )

    assert "Hid 1 tweet; their reports are closed." in messages_of(response)
    assert follower.client().get("/api/tweets").json()["tweets"] == []
    assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.reason) == ("hide", moderator.id, "Leaks customer data.")
    assert "the customer list is attached" in entry.target_repr


def test_hide_and_suspend_for_24_hours_in_one_action(moderator_client, moderator, reported, author, follower):
    """The issue's scenario: hide the tweet and suspend its author for 24 hours with one reason."""
    before = timezone.now()
    response = run_action(
        moderator_client,
        QUEUE,
        "hide_tweets_and_suspend_authors",
        [reported.id],
        reason="Second leak this month.",
        duration="24h",
    )

    assert messages_of(response) == ["Hid 1 tweet and suspended Ada Author (@author) (24 hours)."]
    author.user.refresh_from_db()
    assert before + timedelta(hours=24) - timedelta(seconds=1) <= author.user.suspended_until
    assert author.user.suspended_until <= timezone.now() + timedelta(hours=24)
    assert author.user.suspended_until.microsecond == 0
    assert follower.client().get("/api/tweets").json()["tweets"] == []
    blocked = author.client().get("/api/tweets")
    assert blocked.status_code == 403
    assert blocked.json()["error_type"] == "account_suspended"
    assert list(AuditEntry.objects.order_by("id").values_list("action", "reason")) == [
        ("hide", "Second leak this month."),
        ("suspend", "Second leak this month."),
    ]


def test_hide_and_suspend_never_shortens_a_longer_suspension(moderator_client, reported, author):
    """An author already suspended indefinitely stays suspended indefinitely after a 1h suspension."""
    suspension_store(user=author.user, until=SUSPENDED_INDEFINITELY)

    run_action(
        moderator_client,
        QUEUE,
        "hide_tweets_and_suspend_authors",
        [reported.id],
        reason="Again.",
        duration="1h",
    )

    author.user.refresh_from_db()
    assert author.user.suspended_until == SUSPENDED_INDEFINITELY


def test_actions_apply_to_many_selected_tweets(moderator_client, author, outsider):
    """One action on several selected tweets handles each of them."""
    tweets = [tweet_create(author=author.user, content=f"spam {n}", media_ids=[]) for n in range(3)]
    for tweet in tweets:
        report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam")

    response = run_action(moderator_client, QUEUE, "hide_tweets", [t.id for t in tweets], reason="Spam run.")

    assert "Hid 3 tweets; their reports are closed." in messages_of(response)
    assert AuditEntry.objects.filter(action="hide").count() == 3


def test_an_action_without_a_reason_is_not_applied(moderator_client, reported):
    """The confirmation page insists on a reason; without one nothing changes."""
    response = moderator_client.post(
        QUEUE, {"action": "hide_tweets", "_selected_action": [reported.id], "reason": "", "confirm": "yes"}
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    reported.refresh_from_db()
    assert reported.hidden_at is None
    assert not AuditEntry.objects.exists()


def test_admin_index_shows_the_open_report_count_first(moderator_client, reported):
    """The first thing on the admin index is the number of open reports, linking to the queue."""
    page = moderator_client.get("/admin/").content.decode()

    assert "2 open reports" in page
    assert page.index("2 open reports") < page.index("Moderation queue")


def test_the_confirmation_page_names_the_author_and_cuts_text_at_a_word(moderator_client, author, outsider):
    """Before hiding, the moderator reads whose post it is (a name, not an id) and whole words."""
    long = tweet_create(author=author.user, content="word " * 30 + "tail", media_ids=[])
    report_create(reporter=outsider.user, tweet_id=long.id, reason="spam")

    response = moderator_client.post(QUEUE, {"action": "hide_tweets", "_selected_action": [long.id]})

    page = response.content.decode()
    assert f"#{long.id} by {author.user.name}: " in page
    assert f"by {author.user.pk}:" not in page
    assert "word word…" in page and "wor…" not in page


def test_the_queue_shows_an_images_alt_text(moderator_client, author, outsider, make_media):
    """Alt text is the author's words too: the moderators see it under the thumbnail."""
    from moderation.services import report_create
    from tweets.services import tweet_create

    media = make_media(author)
    tweet = tweet_create(author=author.user, content="look", media_ids=[media.id], media_alts=["rude words"])
    report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam", comment="")
    page = moderator_client.get("/admin/moderation/reportedtweet/").content.decode()
    assert 'alt="rude words"' in page and "alt: <bdi>rude words</bdi>" in page
