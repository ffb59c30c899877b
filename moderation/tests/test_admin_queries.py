"""The admin pages moderators live in run a fixed number of queries, however many rows exist.

Every page starts with the same four: session, user, the user's permissions, the group's
permissions."""

import pytest

from accounts.services import follow_add
from media.services import media_create
from moderation.services import report_create, tweet_hide
from tweets.services import like_add, tweet_create

# url -> the queries after the common four
PAGES = {
    # open-report count
    "/admin/": 1 + 1,  # + recent actions
    # count, page of tweets with author and open-report subquery, their media
    "/admin/tweets/tweet/": 3,
    # count, page of reported tweets with author and subqueries, their media, their open reports
    "/admin/moderation/reportedtweet/": 4,
    # count, page of users with the tweet-count subquery
    "/admin/accounts/user/": 2,
    # moderators for the filter, count, page with moderators
    "/admin/moderation/auditentry/": 3,
    # count, page with reporters and resolvers
    "/admin/moderation/report/": 2,
    # count, page with uploaders
    "/admin/media/media/": 2,
    # count, page with users
    "/admin/tweets/like/": 2,
    # count, page with both users
    "/admin/accounts/follow/": 2,
}


def add_rows(*, author, reporters, make_user, png_upload, n: int) -> None:
    """n reported tweets with an image each, likes, new followers, some tweets hidden (audited)."""
    for i in range(n):
        follow_add(follower=make_user(f"Fan {n}-{i}").user, followee_id=author.id)
        media = media_create(uploader=author.user, upload=png_upload())
        tweet = tweet_create(author=author.user, content=f"tweet {i}", media_ids=[media.id])
        for reporter in reporters:
            like_add(user=reporter.user, tweet_id=tweet.id)
            report_create(reporter=reporter.user, tweet_id=tweet.id, reason="spam", comment="again")
        if i % 2:
            tweet_hide(moderator=reporters[0].user, tweet=tweet, reason="test")


@pytest.mark.parametrize("url", list(PAGES))
def test_admin_page_query_count_does_not_grow_with_rows(
    url, moderator_client, author, outsider, follower, make_user, png_upload, django_assert_num_queries
):
    """Same number of queries with 2 rows as with 6 (no query per row)."""
    moderator_client.get(url)  # warm caches that live beyond one request (content types)
    for n in (2, 4):
        add_rows(
            author=author, reporters=[outsider, follower], make_user=make_user, png_upload=png_upload, n=n
        )
        with django_assert_num_queries(4 + PAGES[url]):
            response = moderator_client.get(url)
        assert response.status_code == 200
        if url != "/admin/":
            assert len(response.context["cl"].result_list) > 0
