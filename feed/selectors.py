from accounts.selectors import active_followee_ids
from tweets.models import Tweet
from tweets.selectors import TWEET_ROW_FIELDS, tweets_payload

# Most liked first, newest first among equals; id breaks ties between same-instant tweets.
FEED_ORDER = ("-likes_count", "-created_at", "-id")


def feed_for(*, user, start: int, count: int) -> list[dict]:
    """Rows start..start+count of the user's feed: followed users' tweets and their own.

    Four queries whatever the page size, likes or attachments: the visible followees, the page
    of tweets, the likers, the attachments. Listing the authors first (instead of a subquery
    OR'ed with the user's own id) lets PostgreSQL walk tweet_feed_idx once per author.
    """
    author_ids = [*active_followee_ids(user=user), user.pk]
    rows = list(
        Tweet.objects.filter(author_id__in=author_ids, hidden_at__isnull=True)
        .order_by(*FEED_ORDER)
        .values(*TWEET_ROW_FIELDS)[start : start + count]
    )
    return tweets_payload(rows)
