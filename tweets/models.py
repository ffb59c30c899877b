import math

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator

from common.indexes import AppendOrderIndex
from media.models import ALT_MAX_LENGTH

# The feed's order: most liked first, newest first among equals; id breaks ties between tweets of
# the same instant. The ORM's order_by, the feed's raw SQL and tweet_feed_idx are built from it.
FEED_ORDER = ("-likes_count", "-created_at", "-id")
# The Latest tab's order: newest first, id breaking ties; its queries and tweet_latest_idx likewise.
LATEST_ORDER = ("-created_at", "-id")
# The web's Top tab's order: likes weighted by age (Tweet.top_score), id breaking ties; its queries
# and tweet_top_idx likewise.
TOP_ORDER = ("-top_score", "-id")
# Top's weighting: a post this many hours newer ranks as one with twice the likes (plus one).
TOP_HALF_LIFE_HOURS = 12


def _ordered(name: str) -> models.OrderBy:
    return models.F(name.lstrip("-")).desc() if name.startswith("-") else models.F(name).asc()


def order_sql(alias: str, order: tuple[str, ...] = FEED_ORDER) -> str:
    """An order (FEED_ORDER, LATEST_ORDER) as a raw ORDER BY list on the columns of the table (or
    subquery) `alias`."""
    return ", ".join(
        f"{alias}.{name.lstrip('-')} {'DESC' if name.startswith('-') else 'ASC'}" for name in order
    )


def likes_counted(delta: int) -> dict[str, models.Expression]:
    """The one rule for a change of a tweet's likers: likes_count moves by `delta` (0 for a rename
    of a liker) and likers_version by one, in the same UPDATE, so a cached likers list is never
    served under a version whose count it does not match."""
    moved: dict[str, models.Expression] = {"likers_version": models.F("likers_version") + 1}
    if delta:
        moved["likes_count"] = models.F("likes_count") + delta
    return moved


class TopScore(models.Func):
    """Tweet.top_score: ln(likes + 1) + the seconds since 1970 x ln 2 / TOP_HALF_LIFE_HOURS hours.

    That is likes weighted by age, (likes + 1) x 2 ** (hours since 1970 / TOP_HALF_LIFE_HOURS), in
    logarithms: a tweet's score never changes with time, only with its likes, so the database keeps
    it as a generated column and an index serves Top as it serves Latest (each followee's first few
    entries, merged), where a score computed at read time ranked hundreds of candidates per page.
    Written out per database: only immutable expressions may generate a column (hence UTC spelled
    out on PostgreSQL, julianday on SQLite, whose unixepoch() drops the fraction of a second). A
    negative count (which likes_count_not_negative refuses) is taken as none, so that the check
    constraint, not the logarithm, says why such a write fails.
    """

    output_field = models.FloatField()
    _RATE = math.log(2) / (TOP_HALF_LIFE_HOURS * 3600)

    def __init__(self) -> None:
        super().__init__(models.F("likes_count"), models.F("created_at"))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        template = (
            "(ln(GREATEST(%(likes)s, 0) + 1) + CAST(EXTRACT(EPOCH FROM (%(created)s AT TIME ZONE 'UTC'))"
            f" AS double precision) * {self._RATE!r})"
        )
        return self._as_score(compiler, connection, template)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = (
            f"(ln(max(%(likes)s, 0) + 1) + (julianday(%(created)s) - 2440587.5) * 86400.0 * {self._RATE!r})"
        )
        return self._as_score(compiler, connection, template)

    def _as_score(self, compiler, connection, template: str):
        likes, likes_params = compiler.compile(self.source_expressions[0])
        created, created_params = compiler.compile(self.source_expressions[1])
        return template % {"likes": likes, "created": created}, (*likes_params, *created_params)


class Tweet(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tweets")
    content = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Denormalised number of Like rows, changed with F() in the same transaction as the row,
    # so the feed can sort by popularity without counting.
    likes_count = models.PositiveIntegerField(default=0, editable=False)
    # Bumped in the same transaction as every change of the likers (like, unlike, a liker's
    # rename): a cached likers list is served only under the version it was stored with.
    likers_version = models.BigIntegerField(default=0, db_default=0, editable=False)
    # Set by a moderator: the row stays for the record but the tweet is out of every feed.
    hidden_at = models.DateTimeField(null=True, blank=True)
    # The tweet this one answers. No foreign key constraint and nothing done on delete: a reply
    # keeps the id of a deleted tweet, so that it still says it answered one (a deleted post).
    in_reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="replies",
    )
    # Set by each edit of the text (tweets.services.tweet_edit); the earlier texts are TweetEdit rows.
    edited_at = models.DateTimeField(null=True, blank=True)
    # Parsed from the text on each write (tweets.entities): the mentioned users' ids and the tags,
    # in order of appearance. A copy of the Mention and TweetTag rows, read with the row itself so
    # that a page of tweets needs no query for them.
    mentioned_ids = models.JSONField(default=list, db_default=[], blank=True, editable=False)
    tags = models.JSONField(default=list, db_default=[], blank=True, editable=False)
    # The web's Top order (TopScore): kept by the database with likes_count and created_at.
    top_score = models.GeneratedField(
        expression=TopScore(), output_field=models.FloatField(), db_persist=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(likes_count__gte=0), name="likes_count_not_negative")
        ]
        indexes = [
            # A tweet's replies, oldest first, and their number.
            models.Index(
                "in_reply_to",
                "id",
                name="tweet_reply_idx",
                condition=Q(in_reply_to__isnull=False),
            ),
            # The Latest feed: one author's visible tweets, newest first.
            models.Index(
                "author",
                *map(_ordered, LATEST_ORDER),
                name="tweet_latest_idx",
                condition=Q(hidden_at__isnull=True),
            ),
            # The feed: one author's visible tweets, most liked first, newest first among equals.
            # Partial on hidden_at IS NULL so the feed's per-author top-N is an index-only scan.
            models.Index(
                "author",
                *map(_ordered, FEED_ORDER),
                name="tweet_feed_idx",
                condition=Q(hidden_at__isnull=True),
            ),
            # The web's Top tab: one author's visible tweets by score, as tweet_latest_idx by time.
            models.Index(
                "author",
                *map(_ordered, TOP_ORDER),
                name="tweet_top_idx",
                condition=Q(hidden_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        # The admin's confirmation pages list tweets by this (with their authors selected): a name
        # and whole words for the moderator who decides.
        return f"#{self.pk} by {self.author.name}: {Truncator(self.content).words(8)}"


class Like(models.Model):
    # No single-column indexes of their own: like_user_idx and like_once (tweet first) serve both
    # foreign keys, and every index is one more write, in the WAL too, on each like.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes", db_index=False
    )
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="likes", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tweet", "user"], name="like_once")]
        indexes = [
            models.Index(fields=["user"], name="like_user_idx"),
            # A tweet's likers in like order as an index-only scan: popular tweets have 10k likes.
            # `user` is a key column rather than INCLUDE, which SQLite lacks (warning models.W040):
            # the same index-only scan on PostgreSQL, and a covering index on SQLite too.
            models.Index(fields=["tweet", "id", "user"], name="like_tweet_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.tweet_id}"


class Attachment(models.Model):
    """An image of a tweet, in the order its author listed it: the image itself (its files, sizes,
    processing) is media's; which tweet shows it, and where, is this app's."""

    # Indexed by attachment_position_unique (tweet first).
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="attachments", db_index=False)
    # One-to-one: an image belongs to one tweet at most.
    media = models.OneToOneField("media.Media", on_delete=models.CASCADE, related_name="attachment")
    position = models.PositiveSmallIntegerField()
    # What the image shows, in the author's words, for people who cannot see it (img alt). Empty:
    # the pages say which image of whose post it is.
    alt = models.CharField(max_length=ALT_MAX_LENGTH, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tweet", "position"], name="attachment_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tweet_id}[{self.position}] = media {self.media_id}"


class TweetEdit(models.Model):
    """An earlier text of an edited tweet: `content` was replaced by an edit at `edited_at`."""

    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="edits", db_index=False)
    content = models.TextField(blank=True)
    edited_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["tweet", "-id"], name="tweet_edit_idx")]

    def __str__(self) -> str:
        return f"edit of {self.tweet_id} at {self.edited_at}"


class Mention(models.Model):
    """A user named as @username in a tweet's text (stored when the text is written or edited)."""

    # The pair is the key (a user is mentioned once per tweet): no surrogate id, whose index was one
    # more entry written, and logged, for every mention of every post (issue 20).
    pk = models.CompositePrimaryKey("tweet", "user")
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )

    class Meta:
        # A user's mentions, newest first (notifications, issue 21).
        indexes = [models.Index(fields=["user", "-tweet"], name="mention_user_idx")]

    def __str__(self) -> str:
        return f"{self.tweet_id} @ {self.user_id}"


class TweetTag(models.Model):
    """A #tag in a tweet's text, lower-case; `created_at` is the tweet's, for the Trending box."""

    # The pair is the key (a tag once per tweet), as Mention's: no surrogate id.
    pk = models.CompositePrimaryKey("tweet", "tag")
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="tag_rows", db_index=False)
    tag = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # A tag's tweets, newest first.
            models.Index(fields=["tag", "-tweet"], name="tweet_tag_idx"),
            # The Trending box's rows of the last hours (tweets.selectors.trending_tags): rows are
            # written in created_at's order, so BRIN on PostgreSQL.
            AppendOrderIndex(fields=["created_at"], name="tweet_tag_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tweet_id} #{self.tag}"
