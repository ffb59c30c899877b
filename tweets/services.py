from collections import Counter

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from media.selectors import files_of_tweet
from media.services import media_attach, media_files_delete_on_commit
from ops import metrics
from tweets import likers_cache
from tweets.models import Like, Tweet
from tweets.selectors import tweet_get_visible


@transaction.atomic
def tweet_create(*, author, content: str, media_ids: list[int]) -> Tweet:
    """Create a tweet and attach media the author uploaded; nothing is created on any error."""
    if len(content) > settings.TWEET_MAX_LENGTH:
        raise ValidationError(
            {"tweet_data": [f"Ensure this field has no more than {settings.TWEET_MAX_LENGTH} characters."]}
        )
    if len(media_ids) > settings.TWEET_MAX_MEDIA:
        raise ValidationError(
            {"tweet_media_ids": [f"A tweet can have at most {settings.TWEET_MAX_MEDIA} media."]}
        )
    if len(set(media_ids)) != len(media_ids):
        raise ValidationError({"tweet_media_ids": ["The same media is listed twice."]})
    if not content.strip() and not media_ids:
        raise ValidationError({"tweet_data": ["A tweet needs text or at least one image."]})
    tweet = Tweet.objects.create(author=author, content=content)
    media_attach(tweet=tweet, uploader=author, media_ids=media_ids)
    metrics.inc_on_commit(metrics.TWEETS_CREATED)
    return tweet


@transaction.atomic
def tweet_delete(*, user, tweet_id: int) -> None:
    """Delete the user's own tweet with its likes, and its files once the deletion has committed."""
    tweet = tweet_get_visible(tweet_id=tweet_id)
    if tweet.author_id != user.pk:
        raise PermissionDenied("Only the author can delete a tweet.")
    tweet_purge(tweet=tweet)


# One statement each on PostgreSQL: the like row and the counter change together, and the
# counter moves only if the row did. Under concurrent duplicates the loser's INSERT/DELETE
# affects no row (the UPDATE re-reads likes_count after the winner's commit), so nothing is
# counted twice; and the request is 3 queries whatever the outcome.
_LIKE_SQL = f"""
WITH changed AS (
    INSERT INTO {Like._meta.db_table} (user_id, tweet_id, created_at) VALUES (%(user)s, %(tweet)s, %(now)s)
    ON CONFLICT DO NOTHING RETURNING tweet_id
)
UPDATE {Tweet._meta.db_table} SET likes_count = likes_count + 1 WHERE id IN (SELECT tweet_id FROM changed)
"""
_UNLIKE_SQL = f"""
WITH changed AS (
    DELETE FROM {Like._meta.db_table} WHERE user_id = %(user)s AND tweet_id = %(tweet)s RETURNING tweet_id
)
UPDATE {Tweet._meta.db_table} SET likes_count = likes_count - 1 WHERE id IN (SELECT tweet_id FROM changed)
"""


def _likes_change_postgresql(sql: str, *, user, tweet: Tweet) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "tweet": tweet.pk, "now": timezone.now()})
        return cursor.rowcount == 1


def _like_insert(*, user, tweet: Tweet) -> bool:
    try:
        # A savepoint, so a concurrent duplicate rolls back only the insert, not the request.
        with transaction.atomic():
            Like.objects.create(user=user, tweet=tweet)
    except IntegrityError:
        return False
    Tweet.objects.filter(pk=tweet.pk).update(likes_count=F("likes_count") + 1)
    return True


def _like_delete(*, user, tweet: Tweet) -> bool:
    deleted, _ = Like.objects.filter(user=user, tweet=tweet).delete()
    if deleted:
        Tweet.objects.filter(pk=tweet.pk).update(likes_count=F("likes_count") - 1)
    return bool(deleted)


@transaction.atomic
def like_add(*, user, tweet_id: int) -> bool:
    """Like a tweet; idempotent. The counter moves in the same transaction as the row."""
    tweet = tweet_get_visible(tweet_id=tweet_id)
    if connection.vendor == "postgresql":
        added = _likes_change_postgresql(_LIKE_SQL, user=user, tweet=tweet)
    else:
        added = _like_insert(user=user, tweet=tweet)
    if added:
        transaction.on_commit(lambda: likers_cache.forget_likers([tweet.pk]))
        metrics.inc_on_commit(metrics.LIKES_ADDED)
    return added


@transaction.atomic
def like_remove(*, user, tweet_id: int) -> bool:
    """Remove a like; idempotent. Only the request that deleted the row decrements the counter."""
    tweet = tweet_get_visible(tweet_id=tweet_id)
    if connection.vendor == "postgresql":
        removed = _likes_change_postgresql(_UNLIKE_SQL, user=user, tweet=tweet)
    else:
        removed = _like_delete(user=user, tweet=tweet)
    if removed:
        transaction.on_commit(lambda: likers_cache.forget_likers([tweet.pk]))
    return removed


def likers_forget_user(*, user_id: int) -> None:
    """Call when a user's name (or visibility as a liker) changes: their likes show it.

    Invalidates the cached likers lists of every tweet they like, once the change commits. The
    likes are listed after the commit, so a like racing the change is covered by one or the other.
    """

    def forget() -> None:
        likers_cache.forget_likers(
            list(Like.objects.filter(user_id=user_id).values_list("tweet_id", flat=True))
        )

    transaction.on_commit(forget)


def tweet_hide(*, tweet: Tweet) -> bool:
    """Hide a tweet from everyone but the admin; the row stays. Returns whether it was visible."""
    hidden_at = timezone.now()
    changed = Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=True).update(hidden_at=hidden_at)
    if changed:
        tweet.hidden_at = hidden_at
    return bool(changed)


def tweet_unhide(*, tweet: Tweet) -> bool:
    """Bring a hidden tweet back unchanged. Returns whether it was hidden."""
    changed = Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=False).update(hidden_at=None)
    tweet.hidden_at = None
    return bool(changed)


@transaction.atomic
def tweet_purge(*, tweet: Tweet) -> None:
    """Delete any tweet with its likes and reports, and its files once the deletion has committed."""
    names = files_of_tweet(tweet_id=tweet.pk)
    tweet.delete()
    media_files_delete_on_commit(names=names)


@transaction.atomic
def likes_delete(*, likes: QuerySet) -> int:
    """Delete these Like rows (an admin's choice, an account's deletion) with their counters.

    Deleting the rows alone, e.g. by cascade, would leave likes_count too high. The rows are
    locked first so that a concurrent unlike of one of them cannot decrement a second time.
    """
    rows = list(likes.select_for_update().values_list("id", "tweet_id"))
    Like.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    per_tweet = Counter(tweet_id for _, tweet_id in rows)
    # One UPDATE per distinct number of removed likes, not one per tweet.
    for removed in set(per_tweet.values()):
        tweet_ids = [tweet_id for tweet_id, n in per_tweet.items() if n == removed]
        Tweet.objects.filter(pk__in=tweet_ids).update(likes_count=F("likes_count") - removed)
    transaction.on_commit(lambda: likers_cache.forget_likers(list(per_tweet)))
    return len(rows)
