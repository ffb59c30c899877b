"""Likes are the users' own acts: the admin can remove them (spam) but never forge or edit them."""

import pytest

from tweets.models import Like, Tweet

LIKES = "/admin/tweets/like/"


def counters() -> dict[int, tuple[int, int]]:
    """Each tweet's likes_count beside its number of Like rows."""
    return {
        tweet.id: (tweet.likes_count, Like.objects.filter(tweet=tweet).count())
        for tweet in Tweet.objects.all()
    }


def test_likes_cannot_be_added_or_edited_in_the_admin(superuser_client, author, follower, make_tweet):
    """No add form and no editable change form: a hand-made row would bypass likes_count."""
    make_tweet(author, likers=[follower])
    like = Like.objects.get()

    assert superuser_client.get(f"{LIKES}add/").status_code == 403
    superuser_client.post(f"{LIKES}{like.id}/change/", {"user": author.id, "tweet": like.tweet_id})

    assert Like.objects.get().user_id == follower.id


def test_deleting_a_like_in_the_admin_decrements_the_counter(superuser_client, author, follower, make_tweet):
    """The delete view removes the row and moves likes_count with it."""
    tweet = make_tweet(author, likers=[follower])

    response = superuser_client.post(f"{LIKES}{Like.objects.get().id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert counters() == {tweet.id: (0, 0)}


@pytest.mark.parametrize("selected", ["some", "all"])
def test_bulk_deleting_likes_keeps_every_counter_exact(
    superuser_client, make_user, author, make_tweet, selected
):
    """Deleting several likes of several tweets at once leaves each counter equal to its rows."""
    fans = [make_user(f"Fan {n}") for n in range(3)]
    make_tweet(author, "three likes", likers=fans)
    make_tweet(author, "one like", likers=fans[:1])
    likes = Like.objects.order_by("id")
    chosen = list(likes.values_list("id", flat=True))[: 3 if selected == "some" else None]

    superuser_client.post(
        LIKES, {"action": "delete_selected", "_selected_action": [str(pk) for pk in chosen], "post": "yes"}
    )

    assert Like.objects.filter(pk__in=chosen).count() == 0
    assert all(count == rows for count, rows in counters().values())
