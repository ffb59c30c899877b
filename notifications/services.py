"""Notification writes. Each event's service (tweets, accounts, moderation) calls one of these in
its own transaction, so a notification exists exactly when its event committed.

This app sits below the apps whose events it records (pyproject.toml's layers): it knows users and
tweets only as foreign keys, so every one of them can call it.
"""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from common.errors import Invalid
from notifications.models import MUTABLE_KINDS, Digest, Kind, Mute, Notification

_TABLE = Notification._meta.db_table
_COLUMNS = "recipient_id, kind, actor_id, tweet_id, group_key, reason, created_at"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Row(NamedTuple):
    recipient_id: int
    kind: str
    actor_id: int | None
    tweet_id: int | None
    group_key: int | None
    reason: str = ""


def _insert_sql(rows_sql: str) -> str:
    """The one INSERT of notifications, from `rows_sql`'s rows (the columns of _COLUMNS): never for
    one's own action, never of a kind the recipient muted; a repeat of a unique one is skipped."""
    return (
        f"INSERT INTO {_TABLE} ({_COLUMNS}, read) "
        f"SELECT {', '.join(f'r.{column}' for column in _COLUMNS.split(', '))}, FALSE FROM ({rows_sql}) r "
        "WHERE (r.actor_id IS NULL OR r.actor_id <> r.recipient_id) "
        f"AND NOT EXISTS (SELECT 1 FROM {Mute._meta.db_table} m "
        "WHERE m.user_id = r.recipient_id AND m.kind = r.kind) "
        "ON CONFLICT DO NOTHING"
    )


def actor_may_notify(actor) -> bool:
    """Suspended and deactivated people notify nobody."""
    return actor.is_active and not actor.is_suspended()


def _stored_now() -> object:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _rows_insert(rows: list[Row]) -> None:
    if not rows:
        return
    # Typed, so PostgreSQL reads a NULL or a number as the column's type in the union.
    one = (
        "SELECT CAST(%s AS bigint) AS recipient_id, CAST(%s AS varchar(16)) AS kind, "
        "CAST(%s AS bigint) AS actor_id, CAST(%s AS bigint) AS tweet_id, "
        "CAST(%s AS bigint) AS group_key, CAST(%s AS text) AS reason, %s AS created_at"
    )
    now = _stored_now()
    params: list = []
    for row in rows:
        params += [*row, now]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(" UNION ALL ".join([one] * len(rows))), params)


def follow_day(now: datetime) -> int:
    """Follows group by this: days since 1970-01-01, UTC."""
    return (now - _EPOCH).days


# --- Likes ------------------------------------------------------------------------------
# On PostgreSQL a like is one statement (tweets.services): these CTEs join it, reading its CTEs
# `target` (the visible tweet: id, author_id) and `changed` (the like row it inserted or deleted).


def like_notified_cte(*, actor_id: int, now: datetime) -> tuple[str, list]:
    """`, notified AS (...)`: the like's notification for the tweet's author, if the like is new.
    Only for an actor who may notify (actor_may_notify, which the caller checks)."""
    rows_sql = (
        f"SELECT target.author_id AS recipient_id, '{Kind.LIKE.value}' AS kind, "
        "CAST(%s AS bigint) AS actor_id, target.id AS tweet_id, target.id AS group_key, "
        "'' AS reason, CAST(%s AS timestamptz) AS created_at FROM target WHERE EXISTS (SELECT 1 FROM changed)"
    )
    return f",\nnotified AS ({_insert_sql(rows_sql)})", [actor_id, now]


def unlike_unnotified_cte(*, actor_id: int) -> tuple[str, list]:
    """`, unnotified AS (...)`: an unlike takes the liker out of a notification not read yet."""
    return (
        f",\nunnotified AS (DELETE FROM {_TABLE} WHERE kind = '{Kind.LIKE.value}' AND actor_id = %s "
        "AND NOT read AND tweet_id IN (SELECT tweet_id FROM changed))",
        [actor_id],
    )


def like_notify(*, actor, tweet) -> None:
    """The like's notification for the tweet's author (other databases than PostgreSQL)."""
    if actor_may_notify(actor):
        _rows_insert([Row(tweet.author_id, Kind.LIKE, actor.pk, tweet.pk, tweet.pk)])


def like_unnotify(*, actor_id: int, tweet_id: int) -> None:
    Notification.objects.filter(kind=Kind.LIKE, actor_id=actor_id, tweet_id=tweet_id, read=False).delete()


# --- Follows ----------------------------------------------------------------------------
# On PostgreSQL a follow is one statement too (accounts.services): these CTEs join it, reading its
# CTE `changed` (the follow row it inserted or deleted: followee_id).


def follow_notified_cte(*, actor_id: int, now: datetime, day: int) -> tuple[str, list]:
    """`, notified AS (...)`: the follow's notification for the followee, if the follow is new,
    grouped by `day` (follow_day(now)). Only for an actor who may notify (actor_may_notify, which
    the caller checks)."""
    rows_sql = (
        f"SELECT changed.followee_id AS recipient_id, '{Kind.FOLLOW.value}' AS kind, "
        "CAST(%s AS bigint) AS actor_id, CAST(NULL AS bigint) AS tweet_id, CAST(%s AS bigint) AS group_key, "
        "'' AS reason, CAST(%s AS timestamptz) AS created_at FROM changed"
    )
    return f",\nnotified AS ({_insert_sql(rows_sql)})", [actor_id, day, now]


def unfollow_unnotified_cte(*, actor_id: int) -> tuple[str, list]:
    """`, unnotified AS (...)`: an unfollow takes back a follow notification not read yet."""
    return (
        f",\nunnotified AS (DELETE FROM {_TABLE} WHERE kind = '{Kind.FOLLOW.value}' AND actor_id = %s "
        "AND NOT read AND recipient_id IN (SELECT followee_id FROM changed))",
        [actor_id],
    )


def follow_notify(*, actor, recipient_id: int) -> None:
    """The follow's notification for the followee (other databases than PostgreSQL)."""
    if actor_may_notify(actor):
        _rows_insert([Row(recipient_id, Kind.FOLLOW, actor.pk, None, follow_day(timezone.now()))])


def follow_unnotify(*, actor_id: int, recipient_id: int) -> None:
    """An unfollow before the follow was read takes it back."""
    Notification.objects.filter(
        kind=Kind.FOLLOW, actor_id=actor_id, recipient_id=recipient_id, read=False
    ).delete()


# --- Posts, moderation ----------------------------------------------------------------------


def post_notified_cte(*, actor, now: object, replied_to_author_id: int | None) -> tuple[str, list]:
    """`, notified AS (...)`: post_notify's rows for a new tweet in PostgreSQL's one posting
    statement (tweets.services), reading its CTE `posted` (the tweet: id, mentioned_ids)."""
    if not actor_may_notify(actor):
        return "", []
    one = (
        "SELECT {recipient} AS recipient_id, '{kind}' AS kind, CAST(%s AS bigint) AS actor_id, "
        "posted.id AS tweet_id, CAST(NULL AS bigint) AS group_key, '' AS reason, "
        "CAST(%s AS timestamptz) AS created_at FROM posted{source}"
    )
    mentions_sql = one.format(
        recipient="CAST(m.value AS bigint)",
        kind=Kind.MENTION.value,
        source=", jsonb_array_elements_text(posted.mentioned_ids) m",
    )
    if replied_to_author_id is None:
        return f",\nnotified AS ({_insert_sql(mentions_sql)})", [actor.pk, now]
    # The reply first, as post_notify: answering someone and naming them is one reply (the
    # mention after it is the repeat ON CONFLICT skips).
    reply_sql = one.format(recipient="CAST(%s AS bigint)", kind=Kind.REPLY.value, source="")
    rows_sql = f"{reply_sql} UNION ALL {mentions_sql}"
    return f",\nnotified AS ({_insert_sql(rows_sql)})", [replied_to_author_id, actor.pk, now, actor.pk, now]


def post_notify(*, tweet, author, replied_to_author_id: int | None = None) -> None:
    """A new or edited tweet's reply notification and mentions: each person once per tweet."""
    if not actor_may_notify(author):
        return
    rows = []
    if replied_to_author_id is not None:
        rows.append(Row(replied_to_author_id, Kind.REPLY, author.pk, tweet.pk, None))
    rows += [Row(user_id, Kind.MENTION, author.pk, tweet.pk, None) for user_id in tweet.mentioned_ids]
    _rows_insert(rows)


def report_resolved_notify(*, reporter_ids: list[int]) -> None:
    """A moderator handled these people's reports; the notice says neither what nor against whom."""
    _rows_insert([Row(reporter_id, Kind.REPORT_RESOLVED, None, None, None) for reporter_id in reporter_ids])


def tweet_hidden_notify(*, tweet, reason: str) -> None:
    """Tell the author a moderator hid their tweet, and why. The replies and mentions it sent are
    withdrawn: nobody else may see it any more."""
    Notification.objects.filter(tweet_id=tweet.pk, kind__in=[Kind.REPLY, Kind.MENTION]).delete()
    _rows_insert([Row(tweet.author_id, Kind.TWEET_HIDDEN, None, tweet.pk, None, reason)])


# --- The recipient's side ------------------------------------------------------------------


def notifications_read(*, user, up_to: int | None = None) -> None:
    """Mark the user's notifications read: all, or those up to an id (a page's newest)."""
    unread = Notification.objects.filter(recipient=user, read=False)
    if up_to is not None:
        unread = unread.filter(id__lte=up_to)
    unread.update(read=True)


@transaction.atomic
def mutes_set(*, user, kinds: list[str]) -> None:
    """The kinds of notification the user does not want from now on (MUTABLE_KINDS only)."""
    unknown = set(kinds) - set(MUTABLE_KINDS)
    if unknown:
        raise Invalid.on_field("muted", f"Cannot mute: {', '.join(sorted(unknown))}.")
    Mute.objects.filter(user=user).exclude(kind__in=kinds).delete()
    Mute.objects.bulk_create([Mute(user=user, kind=kind) for kind in kinds], ignore_conflicts=True)


def digest_set(*, user, enabled: bool) -> None:
    """Opt in to the daily email of unread notifications, or out."""
    if enabled:
        Digest.objects.get_or_create(user=user)
    else:
        Digest.objects.filter(user=user).delete()


def notifications_prune(*, older_than: timedelta) -> int:
    """Delete notifications older than `older_than`; returns how many."""
    deleted, _ = Notification.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
