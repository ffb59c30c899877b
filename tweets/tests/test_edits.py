"""Editing a tweet through the API: own only, re-parsed, with its history; likes stay."""

import pytest

from moderation.services import tweet_hide
from tweets.models import Mention, Tweet, TweetEdit, TweetTag


def edit(person, tweet_id, text):
    return person.client().patch(f"/api/tweets/{tweet_id}", {"tweet_data": text}, format="json")


def test_the_author_edits_and_the_history_keeps_the_earlier_texts(author, follower, make_tweet):
    tweet = make_tweet(author, "Lanch at noon #lunch", likers=[follower])

    first = edit(author, tweet.id, "Lunch at noon #lunch")
    second = edit(author, tweet.id, "Lunch at one, @follower #lunch #food")

    assert first.status_code == 200 and second.status_code == 200
    edited = second.json()["tweet"]
    assert edited["content"] == "Lunch at one, @follower #lunch #food"
    assert edited["edited_at"] is not None and edited["likes_count"] == 1
    assert edited["mentions"] == [{"id": follower.id, "name": "Fred Follower", "username": "follower"}]
    assert edited["tags"] == ["lunch", "food"]
    history = follower.client().get(f"/api/tweets/{tweet.id}/history").json()
    assert history["result"] is True
    assert [entry["content"] for entry in history["history"]] == [
        "Lunch at noon #lunch",
        "Lanch at noon #lunch",
    ]
    assert set(TweetTag.objects.filter(tweet=tweet).values_list("tag", flat=True)) == {"lunch", "food"}
    assert list(Mention.objects.filter(tweet=tweet).values_list("user_id", flat=True)) == [follower.id]


def test_editing_away_a_mention_removes_it(author, follower, make_tweet):
    tweet = make_tweet(author, "Hi @follower #hello")

    edit(author, tweet.id, "Hi all")

    assert (
        not Mention.objects.filter(tweet=tweet).exists() and not TweetTag.objects.filter(tweet=tweet).exists()
    )
    assert author.client().get(f"/api/tweets/{tweet.id}").json()["tweet"]["mentions"] == []


def test_someone_elses_tweet_cannot_be_edited_not_even_by_staff(author, follower, moderator, make_tweet):
    tweet = make_tweet(author, "mine")

    for person in (follower, moderator):
        response = edit(person, tweet.id, "theirs")
        assert response.status_code == 403 and response.json()["error_type"] == "permission_denied"
    tweet.refresh_from_db()
    assert tweet.content == "mine" and tweet.edited_at is None and not TweetEdit.objects.exists()


@pytest.mark.parametrize("text", ["", "   \n", "x" * 281, "nul\x00", "a\u200bb"])
def test_an_edit_to_empty_too_long_or_disguised_text_is_refused(author, make_tweet, text):
    tweet = make_tweet(author, "original")

    response = edit(author, tweet.id, text)

    assert response.status_code == 400 and response.json()["error_type"] == "validation_error"
    tweet.refresh_from_db()
    assert tweet.content == "original" and not TweetEdit.objects.exists()


def test_an_edit_of_a_deleted_or_hidden_tweet_is_refused(author, moderator, make_tweet):
    gone = make_tweet(author)
    gone_id = gone.id
    author.client().delete(f"/api/tweets/{gone_id}")
    hidden = make_tweet(author, "hidden")
    tweet_hide(moderator=moderator.user, tweet=hidden, reason="spam")

    assert edit(author, gone_id, "x").status_code == 404
    response = edit(author, hidden.id, "sneaky")
    assert response.status_code == 403 and "hidden" in response.json()["error_message"]
    assert Tweet.objects.get(pk=hidden.id).content == "hidden"


@pytest.mark.parametrize(
    "body", [{"tweet_data": 5}, {"tweet_data": None}, {}, {"tweet_data": "x", "author": 1}]
)
def test_a_malformed_edit_is_a_400(author, make_tweet, body):
    tweet = make_tweet(author)

    response = author.client().patch(f"/api/tweets/{tweet.id}", body, format="json")

    assert response.status_code == 400 and response.json()["result"] is False


def test_editing_costs_fixed_queries(author, follower, make_tweet, django_assert_num_queries):
    tweet = make_tweet(author, "#a @follower")

    # 1. api key + user, 2. savepoint, 3. the tweet locked, 4. the earlier text kept, 5. old mentions,
    # 6. old tags deleted, 7. the mentioned users, 8. the row updated, 9. new mentions, 10. new tags,
    # 11. the mentioned people's notifications, 12. release; then the answer: 13. the tweet,
    # 14. mentioned users, 15. likers, 16. attachments.
    with django_assert_num_queries(16):
        assert edit(author, tweet.id, "#b @follower").status_code == 200
    edit(author, tweet.id, "#c @follower")
    # 1. api key + user, 2. the tweet is one the reader may see, 3. its earlier texts.
    with django_assert_num_queries(3):
        assert len(follower.client().get(f"/api/tweets/{tweet.id}/history").json()["history"]) == 2
