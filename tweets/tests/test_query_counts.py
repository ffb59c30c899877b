"""Write endpoints cost a fixed number of queries, whatever the media, likes or followers involved.

Inside a test the services' atomic blocks run as savepoints, which count as queries here
(in production they are the request's BEGIN/COMMIT).
"""

import pytest
from django.db import connection


@pytest.mark.parametrize("images", [1, 4])
def test_posting_a_tweet_costs_the_same_for_one_or_four_images(
    author, make_media, images, django_assert_num_queries
):
    """Attaching media is one UPDATE and one INSERT, not one per image."""
    payload = {"tweet_data": "pics", "tweet_media_ids": [make_media(author).id for _ in range(images)]}
    client = author.client()

    # 1. api key + user, 2. savepoint, 3. insert the tweet, 4. claim the media (media_claim),
    # 5. insert the attachments, 6. release.
    with django_assert_num_queries(6):
        assert client.post("/api/tweets", payload, format="json").status_code == 201


@pytest.mark.parametrize("crowd", [1, 6])
def test_deleting_a_tweet_costs_the_same_for_few_or_many_likes_and_images(
    make_user, author, make_media, make_tweet, crowd, django_assert_num_queries
):
    """Likes, media and reports go in one DELETE each."""
    fans = [make_user(f"Fan {n}") for n in range(crowd)]
    tweet = make_tweet(author, media=[make_media(author) for _ in range(min(crowd, 4))], likers=fans)
    client = author.client()

    # 1. api key + user, 2. savepoint (tweet_delete), 3. the visible tweet, 4. savepoint (tweet_purge),
    # 5. its attachments' media ids, 6. delete likes, 7. delete attachments, 8. delete its reports,
    # 9. delete its moderation queue entry, 10.-12. delete its mentions, tags and earlier texts,
    # 13. delete its notifications, 14. delete the tweet (its replies stay, untouched); then
    # media_delete_many: 15. the image and thumbnail names, 16. the media rows (Django's delete
    # collects them), 17. their attachments (none left), 18. delete the media; 19.-20. release both
    # savepoints.
    with django_assert_num_queries(20):
        assert client.delete(f"/api/tweets/{tweet.id}").status_code == 200


def test_liking_costs_a_fixed_number_of_queries(author, follower, make_tweet, django_assert_num_queries):
    """A like is a lookup, an insert and a counter update."""
    tweet = make_tweet(author)
    client = follower.client()

    # 1. api key + user, then on PostgreSQL 2. one statement finding the visible tweet, inserting
    # the like, adding 1 to likes_count and notifying the author; elsewhere 2. savepoint, 3. the
    # visible tweet, 4. savepoint, 5. insert the like, 6. release, 7. likes_count + 1, 8. the
    # author's notification, 9. release.
    with django_assert_num_queries({"postgresql": 2, "sqlite": 9}[connection.vendor]):
        assert client.post(f"/api/tweets/{tweet.id}/likes").status_code == 200
