from media.services import media_create
from moderation.models import AuditEntry
from moderation.services import report_create
from moderation.tests.conftest import messages_of, run_action
from tweets.models import Tweet
from tweets.services import like_add, tweet_create

TWEETS = "/admin/tweets/tweet/"


def test_hidden_tweet_leaves_the_feed_and_returns_unchanged_on_unhide(moderator_client, tweet, follower):
    """Hide then unhide through the tweet admin: gone from the feed, then back with its likes."""
    like_add(user=follower.user, tweet_id=tweet.id)
    feed_before = follower.client().get("/api/tweets").json()["tweets"]

    hidden = run_action(moderator_client, TWEETS, "hide_tweets", [tweet.id], reason="Checking with legal.")
    assert "Hid 1 tweet." in messages_of(hidden)
    assert follower.client().get("/api/tweets").json()["tweets"] == []
    assert Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=False).exists()

    shown = run_action(moderator_client, TWEETS, "unhide_tweets", [tweet.id], reason="Legal says fine.")
    assert "Unhid 1 tweet; they are back in feeds." in messages_of(shown)
    assert follower.client().get("/api/tweets").json()["tweets"] == feed_before
    assert list(AuditEntry.objects.order_by("id").values_list("action", "reason")) == [
        ("hide", "Checking with legal."),
        ("unhide", "Legal says fine."),
    ]


def test_a_hidden_tweet_cannot_be_liked_or_deleted_by_its_author(moderator_client, tweet, author, follower):
    """Hidden tweets are 404 to the api: no likes, and the author cannot remove the evidence."""
    run_action(moderator_client, TWEETS, "hide_tweets", [tweet.id], reason="Evidence.")

    assert follower.client().post(f"/api/tweets/{tweet.id}/likes").status_code == 404
    assert author.client().delete(f"/api/tweets/{tweet.id}").status_code == 404
    assert author.client().get("/api/tweets").json()["tweets"] == []
    assert Tweet.objects.filter(pk=tweet.pk).exists()


def test_hidden_filter_lists_only_hidden_tweets(moderator_client, tweet, author):
    """The "hidden" filter of the tweet admin shows exactly the hidden tweets."""
    run_action(moderator_client, TWEETS, "hide_tweets", [tweet.id], reason="x")
    Tweet.objects.create(author=author.user, content="fine")

    response = moderator_client.get(TWEETS, {"hidden": "yes"})

    assert [row.pk for row in response.context["cl"].result_list] == [tweet.pk]


def test_author_link_lists_the_authors_other_tweets(moderator_client, tweet, author, outsider):
    """The "all their tweets" link filters the tweet admin by author."""
    Tweet.objects.create(author=outsider.user, content="someone else")
    second = Tweet.objects.create(author=author.user, content="another one")

    response = moderator_client.get(TWEETS, {"author__id__exact": author.id})

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [second.pk, tweet.pk]


def test_moderators_cannot_delete_tweets_but_deletion_by_a_superuser_is_audited(
    moderator_client, superuser_client, superuser, tweet
):
    """Moderators hide, they do not delete; a superuser's deletion keeps the text in the audit log."""
    assert moderator_client.post(f"{TWEETS}{tweet.id}/delete/", {"post": "yes"}).status_code == 403

    response = superuser_client.post(f"{TWEETS}{tweet.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Tweet.objects.filter(pk=tweet.pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.moderator_id, entry.target_tweet_id) == ("deletion", superuser.id, tweet.id)
    assert "the customer list is attached" in entry.target_repr


def test_moderator_sees_a_tweet_read_only_with_its_images(moderator_client, author, png_upload):
    """The tweet page shows text and image previews but offers no field to rewrite them."""
    media = media_create(uploader=author.user, upload=png_upload())
    tweet = tweet_create(author=author.user, content="with a picture", media_ids=[media.id])

    page = moderator_client.get(f"{TWEETS}{tweet.id}/change/").content.decode()

    assert "with a picture" in page
    assert f'src="{media.thumbnail.url}"' in page
    assert 'name="content"' not in page


def test_queue_entry_page_is_read_only(moderator_client, tweet, outsider):
    """A queue entry's page has no editable fields (no tweet picker over a million rows)."""
    report_create(reporter=outsider.user, tweet_id=tweet.id, reason="spam")

    page = moderator_client.get(f"/admin/moderation/reportedtweet/{tweet.id}/change/")

    assert page.status_code == 200
    assert "<select" not in page.content.decode().split('id="content-main"')[1].split("</form>")[0]


def test_the_admin_shows_what_a_reply_answers_and_the_earlier_texts(
    moderator_client, tweet, author, follower
):
    """A reply's row names the tweet it answers; after that tweet is deleted, that it was deleted."""
    from tweets.services import tweet_edit

    reply = tweet_create(author=follower.user, content="a reply", media_ids=[], in_reply_to=tweet.id)
    tweet_edit(user=follower.user, tweet_id=reply.pk, content="a better reply")

    listing = moderator_client.get(TWEETS).content.decode()
    page = moderator_client.get(f"{TWEETS}{reply.pk}/change/").content.decode()
    assert f'<a href="{TWEETS}{tweet.pk}/change/">#{tweet.pk}</a>: {tweet.content}' in listing
    assert ": a reply</div>" in page and "Earlier texts (newest first)" in page

    answered = tweet.pk
    tweet.delete()
    assert f"#{answered} (deleted)" in moderator_client.get(TWEETS).content.decode()


def test_a_hidden_reply_leaves_threads_tags_and_mentions_for_others(
    moderator_client, tweet, author, follower
):
    reply = tweet_create(
        author=follower.user, content="@author #topic rude", media_ids=[], in_reply_to=tweet.id
    )

    run_action(moderator_client, TWEETS, "hide_tweets", [reply.pk], reason="Rude.")

    client = author.client()
    assert client.get(f"/api/tweets/{tweet.id}/replies").json()["tweets"] == []
    assert client.get(f"/api/tweets/{tweet.id}").json()["tweet"]["replies_count"] == 0
    assert client.get("/api/tags/topic/tweets").json()["tweets"] == []
    assert client.get(f"/api/tweets/{reply.pk}").status_code == 404
    assert AuditEntry.objects.filter(action="hide").count() == 1
