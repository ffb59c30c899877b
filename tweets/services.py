import json
from collections import Counter
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.sql.subqueries import UpdateQuery
from django.utils import timezone

from accounts.models import User, visible_user_q
from common.errors import Invalid, NotAllowed, NotFound
from common.queries import Compiled, compiled_once, stand_ins_replaced, toggle_run, toggle_statement
from common.text import bidi_controls_balance, text_check
from media.models import Media
from media.services import alt_text_clean, media_claim, media_delete_many
from notifications.services import (
    actor_may_notify,
    like_notified_cte,
    like_notify,
    like_unnotify,
    post_notified_cte,
    post_notify,
    unlike_unnotified_cte,
)
from ops import metrics
from tweets.entities import MENTIONS_MAX, Entities, entities_parse, invisible_check
from tweets.models import Attachment, Like, Mention, Tweet, TweetEdit, TweetTag, likes_counted
from tweets.selectors import TWEET_NOT_FOUND, tweet_get_visible, visible_tweets
from tweets.trending import trending_changed_on_commit


def tweet_text_check(content: str) -> tuple[str, Entities]:
    """The text as it is stored, and what it mentions and tags; Invalid if it cannot be a tweet's.

    Every door that writes a tweet's text calls it (the services, import_csv).
    """
    if len(content) > settings.TWEET_MAX_LENGTH:
        raise Invalid.on_field(
            "tweet_data",
            f"Ensure this field has no more than {settings.TWEET_MAX_LENGTH} characters.",
            code="tweet_too_long",
        )
    text_check(field="tweet_data", text=content)
    invisible_check(content)
    # An override left open would reverse what pages show after the tweet.
    content = bidi_controls_balance(content)
    return content, entities_parse(content)


# Stand for the time and the names in the mention lookup compiled once per process.
_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_NAME = "\x00name{}"


@compiled_once
def _mentions_sql(count: int) -> Compiled:
    """The lookup of the active users `count` lower-case usernames name, (username, id) by id
    (user_username_lower_idx serves it), with _NOW and _NAME where the time and the names go."""
    names = [_NAME.format(n) for n in range(count)]
    rows = (
        User.objects.alias(username_lower=Lower("username"))
        .filter(visible_user_q(now=_NOW), username_lower__in=names)
        .order_by("id")
        .values_list("username", "id")
    )
    return Compiled(rows, (_NOW, *names))


def _mentions_values(names: list[str]) -> dict:
    """_mentions_sql's stand-ins' values for these names, now."""
    return {_NOW: timezone.now(), **{_NAME.format(n): name for n, name in enumerate(names)}}


def users_named(usernames: list[str]) -> dict[str, int]:
    """The active users these lower-case usernames name, {username: id}: of names that differ only
    in letter case, the first account. A query per MENTIONS_MAX names, on user_username_lower_idx."""
    found: dict[str, int] = {}
    for start in range(0, len(usernames), MENTIONS_MAX):
        names = usernames[start : start + MENTIONS_MAX]
        for username, user_id in _mentions_sql(len(names)).rows(_mentions_values(names)):
            found.setdefault(username.lower(), user_id)
    return found


def _mentioned_ids(usernames: list[str]) -> list[int]:
    """Ids of the active users these lower-case usernames name, in the text's order; others stay text.

    One query (a posting with mentions costs it on each request).
    """
    if not usernames:
        return []
    found = users_named(usernames)
    return [found[name] for name in usernames if name in found]


def _entity_rows_create(tweet: Tweet) -> None:
    """The Mention and TweetTag rows of the tweet's mentioned_ids and tags, an INSERT each (none:
    no query). Plain statements: for a row or two, bulk_create's per-object work is more than the
    database's."""
    created_at = connection.ops.adapt_datetimefield_value(tweet.created_at)
    tables = (
        (Mention, ("tweet", "user"), [(tweet.pk, user_id) for user_id in tweet.mentioned_ids]),
        (TweetTag, ("tweet", "tag", "created_at"), [(tweet.pk, tag, created_at) for tag in tweet.tags]),
    )
    with connection.cursor() as cursor:
        for model, fields, rows in tables:
            if rows:
                cursor.execute(*_insert_statement(model, fields, rows))


def _column_list(model, fields: tuple[str, ...]) -> str:
    """The quoted columns of these fields of the model, for an INSERT."""
    return ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)


def _insert_statement(model, fields: tuple[str, ...], rows: list[tuple]) -> tuple[str, list]:
    """An INSERT of these rows (values for these fields, in the database's form) into the model's table."""
    quote = connection.ops.quote_name
    columns = _column_list(model, fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * len(rows))}"
    return sql, [value for values in rows for value in values]


@transaction.atomic
def tweet_create(
    *,
    author,
    content: str,
    media_ids: list[int],
    in_reply_to: int | None = None,
    media_alts: list[str] | None = None,
) -> Tweet:
    """Create a tweet (a reply to a visible tweet when `in_reply_to` is given), store its mentions
    and tags, and attach media the author uploaded, each with its alt text (`media_alts`, in the
    same order; fewer, or empty ones: none); nothing is created on any error."""
    content, entities = tweet_text_check(content)
    alts = _alts_check(media_alts or [], media_count=len(media_ids))
    if len(media_ids) > settings.TWEET_MAX_MEDIA:
        raise Invalid.on_field(
            "tweet_media_ids",
            f"A tweet can have at most {settings.TWEET_MAX_MEDIA} media.",
            code="tweet_too_many_images",
        )
    if len(set(media_ids)) != len(media_ids):
        raise Invalid.on_field("tweet_media_ids", "The same media is listed twice.", code="tweet_same_image")
    if not content.strip() and not media_ids:
        raise Invalid.on_field("tweet_data", "A tweet needs text or at least one image.", code="tweet_empty")
    replied_to_author_id = None
    if in_reply_to is not None:
        replied_to_author_id = tweet_get_visible(tweet_id=in_reply_to).author_id
    if connection.vendor == "postgresql":
        tweet = _tweet_post_postgresql(
            author=author,
            content=content,
            in_reply_to=in_reply_to,
            entities=entities,
            replied_to_author_id=replied_to_author_id,
        )
    else:
        tweet = Tweet.objects.create(
            author=author,
            content=content,
            in_reply_to_id=in_reply_to,
            mentioned_ids=_mentioned_ids(entities.usernames),
            tags=entities.tags,
        )
        _entity_rows_create(tweet)
        post_notify(tweet=tweet, author=author, replied_to_author_id=replied_to_author_id)
    # No trending_changed_on_commit: a new post's tags show when the cached list runs out (tweets.trending).
    _attachments_add(tweet=tweet, uploader=author, media_ids=media_ids, alts=alts)
    metrics.inc_on_commit(metrics.TWEETS_CREATED)
    return tweet


def _post_sql(mention_count: int, notified_sql: str) -> str:
    """The PostgreSQL statement of a new tweet with `mention_count` mentioned names: the mentioned
    users' lookup (_mentions_sql), the tweet's INSERT, its Mention and TweetTag rows and its reply
    and mention notifications (`notified_sql`: notifications.services.post_notified_cte), as
    data-modifying CTEs; the same rows as the other databases' statements write one by one. Its
    parameters: _mentions_sql's, then the names, the tweet's columns, the tags, and notified_sql's."""
    quote = connection.ops.quote_name
    tweet_table, mention_table, tag_table = (quote(m._meta.db_table) for m in (Tweet, Mention, TweetTag))
    if mention_count:
        named_sql = _mentions_sql(mention_count).sql
        # Of names that differ only in letter case, the first account (users_named's rule), in the
        # text's order. `named` is looked up once (MATERIALIZED): inlined into the LATERAL, its
        # index scan counted once per name, and a generic plan, which cannot know the names' number,
        # costed it for ten; so PostgreSQL planned the prepared statement afresh on every post.
        picked = (
            f"named(username, id) AS MATERIALIZED ({named_sql}),\n"
            "picked AS (SELECT COALESCE(jsonb_agg(found.id ORDER BY n.pos), '[]'::jsonb) AS ids "
            "FROM unnest(CAST(%s AS text[])) WITH ORDINALITY AS n(name, pos) CROSS JOIN LATERAL "
            "(SELECT named.id FROM named WHERE lower(named.username) = n.name "
            "ORDER BY named.id LIMIT 1) found)"
        )
    else:
        picked = "picked AS (SELECT CAST(%s AS text[]) AS names, '[]'::jsonb AS ids)"
    column_names = _column_list(
        Tweet, ("author", "content", "created_at", "likes_count", "in_reply_to", "mentioned_ids", "tags")
    )
    sql = (
        f"WITH {picked},\n"
        f"posted AS (INSERT INTO {tweet_table} ({column_names}) "
        "SELECT CAST(%s AS bigint), CAST(%s AS text), CAST(%s AS timestamptz), 0, CAST(%s AS bigint), "
        "picked.ids, CAST(%s AS jsonb) FROM picked RETURNING id, mentioned_ids),\n"
        f"mentioned AS (INSERT INTO {mention_table} (tweet_id, user_id) "
        "SELECT posted.id, CAST(m.value AS bigint) "
        "FROM posted, jsonb_array_elements_text(posted.mentioned_ids) m),\n"
        f"tagged AS (INSERT INTO {tag_table} (tweet_id, tag, created_at) "
        "SELECT posted.id, t.tag, CAST(%s AS timestamptz) FROM posted, unnest(CAST(%s AS text[])) t(tag))"
        f"{notified_sql}\n"
        "SELECT id, mentioned_ids FROM posted"
    )
    return sql


def _tweet_post_postgresql(
    *, author, content: str, in_reply_to: int | None, entities: Entities, replied_to_author_id: int | None
) -> Tweet:
    """tweet_create's writes as one statement (_post_sql): a post with mentions and tags costs the
    round trips of a plain one."""
    created_at = timezone.now()
    stored_at = connection.ops.adapt_datetimefield_value(created_at)
    notified_sql, notified_params = post_notified_cte(
        actor=author, now=stored_at, replied_to_author_id=replied_to_author_id
    )
    names = entities.usernames
    sql = _post_sql(len(names), notified_sql)
    params = _mentions_sql(len(names)).bind(_mentions_values(names)) if names else []
    params += [names, author.pk, content, stored_at, in_reply_to, json.dumps(entities.tags)]
    params += [stored_at, entities.tags, *notified_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        tweet_id, mentioned_ids = cursor.fetchone()
    if isinstance(mentioned_ids, str):
        mentioned_ids = json.loads(mentioned_ids)
    tweet = Tweet(
        id=tweet_id,
        author=author,
        content=content,
        created_at=created_at,
        in_reply_to_id=in_reply_to,
        mentioned_ids=mentioned_ids,
        tags=entities.tags,
    )
    tweet._state.adding = False
    tweet._state.db = connection.alias
    return tweet


def _alts_check(alts: list[str], *, media_count: int) -> list[str]:
    """The images' alt texts as stored (media.services.alt_text_clean), one per image at most."""
    if len(alts) > media_count:
        raise Invalid.on_field(
            "tweet_media_alts", "There are more alt texts than images.", code="tweet_alts_too_many"
        )
    return [alt_text_clean(alt, field="tweet_media_alts") for alt in alts]


def _attachments_add(*, tweet: Tweet, uploader, media_ids: list[int], alts: list[str]) -> None:
    """Attach the uploader's unclaimed media to a tweet in the given order, or fail whole."""
    if media_ids and media_claim(uploader=uploader, media_ids=media_ids) != len(media_ids):
        raise Invalid.on_field(
            "tweet_media_ids", "Unknown media, media of another user, or media already attached."
        )
    Attachment.objects.bulk_create(
        Attachment(
            tweet=tweet,
            media_id=media_id,
            position=position,
            # The post's alt text overrides the one given on upload; without one, the upload's is
            # copied in the same INSERT (a subquery: no query more).
            alt=(alts[position] if position < len(alts) else "")
            or Subquery(Media.objects.filter(pk=media_id).values("alt")),
        )
        for position, media_id in enumerate(media_ids)
    )


def tweet_delete_check(*, user, tweet_id: int) -> Tweet:
    """The tweet `user` may delete: their own and visible (NotFound, NotAllowed otherwise). Every
    door asks this before it deletes, or offers to (the web client's confirmation page)."""
    tweet = tweet_get_visible(tweet_id=tweet_id)
    if tweet.author_id != user.pk:
        raise NotAllowed("Only the author can delete a tweet.")
    return tweet


@transaction.atomic
def tweet_delete(*, user, tweet_id: int) -> None:
    """Delete the user's own tweet with its likes, and its files once the deletion has committed."""
    tweet_purge(tweet=tweet_delete_check(user=user, tweet_id=tweet_id))


@transaction.atomic
def tweet_edit(*, user, tweet_id: int, content: str) -> Tweet:
    """Replace the text of the user's own visible tweet, keeping the earlier one as a TweetEdit.

    Mentions and tags are parsed again; likes, replies and images stay. Someone else's tweet is
    NotAllowed, staff's included; a tweet hidden by a moderator cannot be edited.
    """
    content, entities = tweet_text_check(content)
    if not content.strip():
        raise Invalid.on_field("tweet_data", "An edited post needs text.")
    tweet = Tweet.objects.select_for_update().filter(pk=tweet_id).first()
    if tweet is None:
        raise NotFound(TWEET_NOT_FOUND)
    if tweet.author_id != user.pk:
        if tweet.hidden_at is not None:
            raise NotFound(TWEET_NOT_FOUND)
        raise NotAllowed("Only the author can edit a tweet.")
    if tweet.hidden_at is not None:
        raise NotAllowed("A post hidden by a moderator cannot be edited.")
    if content == tweet.content:
        return tweet
    now = timezone.now()
    TweetEdit.objects.create(tweet=tweet, content=tweet.content, edited_at=now)
    if tweet.mentioned_ids:
        Mention.objects.filter(tweet=tweet).delete()
    if tweet.tags:
        TweetTag.objects.filter(tweet=tweet).delete()
    trending_changed_on_commit(tags_before=tweet.tags, tags_after=entities.tags, created_at=tweet.created_at)
    tweet.content, tweet.edited_at = content, now
    tweet.mentioned_ids, tweet.tags = _mentioned_ids(entities.usernames), entities.tags
    tweet.save(update_fields=["content", "edited_at", "mentioned_ids", "tags"])
    _entity_rows_create(tweet)
    post_notify(tweet=tweet, author=user)
    return tweet


# One statement each on PostgreSQL, in autocommit (common.queries.toggle_statement): the visibility check
# (visible_tweets' own SQL), the like row and the counter change together (likes_counted, compiled
# by the ORM), and the counter moves only if the row did; so does the author's notification
# (notifications.services). Nothing is counted twice under concurrent duplicates (the UPDATE
# re-reads likes_count after the winner's commit). The request is the api key plus this one round
# trip, whatever the outcome.
def _counted_sql(delta: int) -> tuple[str, list]:
    """likes_counted(delta) applied to the tweets in the `changed` rows, as an UPDATE ... RETURNING."""
    query = UpdateQuery(Tweet)
    query.add_update_values(likes_counted(delta))
    query.add_q(Q(pk__in=RawSQL("SELECT tweet_id FROM changed", ())))
    sql, params = query.get_compiler(connection=connection).as_sql()
    return f"{sql} RETURNING {connection.ops.quote_name(Tweet._meta.pk.attname)}", list(params)


def _likes_change_statement(
    *, like: bool, notify: bool, user_id: int, tweet_id: int, now: datetime
) -> tuple[str, list]:
    """The one PostgreSQL statement (SQL, parameters) that likes or unlikes a tweet; `notify`: the
    like notifies the tweet's author (the liker may notify)."""
    query = visible_tweets(now=now).filter(pk=tweet_id).values("id", "author_id").query
    if like:
        notified = like_notified_cte(actor_id=user_id, now=now) if notify else ("", [])
    else:
        notified = unlike_unnotified_cte(actor_id=user_id)
    return toggle_statement(
        table=Like._meta.db_table,
        actor="user_id",
        target_column="tweet_id",
        actor_id=user_id,
        now=now if like else None,
        target=query.sql_with_params(),
        counted=_counted_sql(1 if like else -1),
        notified=notified,
    )


# Stand for the liker, the tweet and the time in the like statement compiled once per process;
# replaced on each call.
_LIKER = -987_654_331
_LIKED = -987_654_332
_LIKED_AT = datetime(2000, 1, 2, tzinfo=UTC)


@compiled_once
def _likes_change_template(like: bool, notify: bool) -> tuple[str, tuple]:
    """_likes_change_statement compiled once per process: building it from the ORM cost about as
    much CPU as the rest of the request. Its parameters hold _LIKER, _LIKED and _LIKED_AT where
    each call's values go."""
    sql, params = _likes_change_statement(
        like=like, notify=notify, user_id=_LIKER, tweet_id=_LIKED, now=_LIKED_AT
    )
    if any(stand_in not in params for stand_in in (_LIKER, _LIKED, _LIKED_AT)):
        raise AssertionError("the like statement does not bind the liker, the tweet and the time")
    return sql, tuple(params)


def _likes_change_postgresql(*, like: bool, user, tweet_id: int) -> bool:
    sql, template = _likes_change_template(like, like and actor_may_notify(user))
    values = {_LIKER: user.pk, _LIKED: tweet_id, _LIKED_AT: timezone.now()}
    return toggle_run(sql, stand_ins_replaced(template, values), gone=NotFound(TWEET_NOT_FOUND))


def _like_insert(*, user, tweet_id: int) -> bool:
    tweet = tweet_get_visible(tweet_id=tweet_id)
    try:
        # A savepoint, so a concurrent duplicate rolls back only the insert, not the request.
        with transaction.atomic():
            Like.objects.create(user=user, tweet=tweet)
    except IntegrityError:
        return False
    Tweet.objects.filter(pk=tweet.pk).update(**likes_counted(1))
    like_notify(actor=user, tweet=tweet)
    return True


def _like_delete(*, user, tweet_id: int) -> bool:
    tweet = tweet_get_visible(tweet_id=tweet_id)
    deleted, _ = Like.objects.filter(user=user, tweet=tweet).delete()
    if deleted:
        Tweet.objects.filter(pk=tweet.pk).update(**likes_counted(-1))
        like_unnotify(actor_id=user.pk, tweet_id=tweet.pk)
    return bool(deleted)


def _like_change(*, like: bool, user, tweet_id: int) -> bool:
    """Add (like) or delete (unlike) the user's like of a visible tweet, else NotFound; whether the
    row changed. The counter and likers_version move with the row (likes_counted), and so does the
    author's notification.

    PostgreSQL runs _LIKE_SQL/_UNLIKE_SQL, one autocommit statement: the measured need is the api
    key plus one round trip per like whatever the outcome, exact under concurrent duplicates
    (docs/performance.md, "Like/unlike"; the bench's write ceiling runs that statement). SQLite
    cannot modify data inside WITH, so it runs the same rules, visible_tweets(), likes_counted() and
    notifications.services, as ORM statements in one transaction. tweets/tests/test_likes.py runs
    on both databases.
    """
    if connection.vendor == "postgresql":
        return _likes_change_postgresql(like=like, user=user, tweet_id=tweet_id)
    with transaction.atomic():
        return (_like_insert if like else _like_delete)(user=user, tweet_id=tweet_id)


def like_add(*, user, tweet_id: int) -> bool:
    """Like a visible tweet (else 404); idempotent. The counter moves in the same transaction as the row."""
    added = _like_change(like=True, user=user, tweet_id=tweet_id)
    if added:
        metrics.inc_on_commit(metrics.LIKES_ADDED)
    return added


def like_remove(*, user, tweet_id: int) -> bool:
    """Remove a like of a visible tweet (else 404); idempotent. Only the request that deleted the
    row decrements the counter."""
    return _like_change(like=False, user=user, tweet_id=tweet_id)


def likers_forget_user(*, user_id: int) -> None:
    """Call in the transaction that renames a user: bumps likers_version of every tweet they like.

    Cached likers lists show names, so those lists are then read afresh. A like racing the rename
    either commits first (and is bumped here) or reads the new name itself.
    """
    Tweet.objects.filter(pk__in=Like.objects.filter(user_id=user_id).values("tweet_id")).update(
        **likes_counted(0)
    )


def tweet_hidden_store(*, tweet: Tweet) -> bool:
    """Store a tweet as hidden from everyone but the admin; the row stays. Returns whether it was visible.

    Unaudited: moderators hide through moderation.services.tweet_hide.
    """
    hidden_at = timezone.now()
    changed = Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=True).update(hidden_at=hidden_at)
    if changed:
        tweet.hidden_at = hidden_at
        trending_changed_on_commit(tags_before=tweet.tags, tags_after=[], created_at=tweet.created_at)
    return bool(changed)


def tweet_hidden_clear(*, tweet: Tweet) -> bool:
    """Bring a hidden tweet back unchanged (unaudited). Returns whether it was hidden."""
    changed = Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=False).update(hidden_at=None)
    tweet.hidden_at = None
    if changed:
        trending_changed_on_commit(tags_before=[], tags_after=tweet.tags, created_at=tweet.created_at)
    return bool(changed)


@transaction.atomic
def tweet_purge(*, tweet: Tweet) -> None:
    """Delete any tweet with its likes and reports, and its files once the deletion has committed.

    Unaudited: moderators delete through moderation.services.tweet_delete.
    """
    media_ids = list(tweet.attachments.values_list("media_id", flat=True))
    trending_changed_on_commit(tags_before=tweet.tags, tags_after=[], created_at=tweet.created_at)
    tweet.delete()
    media_delete_many(media_ids=media_ids)


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
        Tweet.objects.filter(pk__in=tweet_ids).update(**likes_counted(-removed))
    return len(rows)
