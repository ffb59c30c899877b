"""Notifications: one row per event (a like, a follow, a reply, ...) for its recipient.

Rows are grouped when they are read (notifications.selectors): likes of one tweet, follows of one
day. Keeping one row per actor makes idempotency a unique constraint and an unlike a DELETE.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from common.indexes import AppendOrderIndex


class Kind(models.TextChoices):
    LIKE = "like", "like"
    FOLLOW = "follow", "follow"
    REPLY = "reply", "reply"
    MENTION = "mention", "mention"
    REPORT_RESOLVED = "report_resolved", "report resolved"
    TWEET_HIDDEN = "tweet_hidden", "tweet hidden"


# The kinds whose rows carry a group_key (notifications.services): likes by tweet, follows by day.
# Every other kind's rows are groups of one.
GROUPED_KINDS = (Kind.LIKE, Kind.FOLLOW)

# What people may mute under Settings; a moderator's notices always arrive.
MUTABLE_KINDS = (Kind.LIKE, Kind.FOLLOW, Kind.REPLY, Kind.MENTION)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Who did it; null for a moderator's notices, which do not say who.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The liked tweet, the reply, the mentioning tweet, the hidden tweet; null for a follow and a
    # resolved report (which does not say what was done to which post). No text is copied here:
    # pages show a tweet's text only through tweets' visibility rule.
    tweet = models.ForeignKey(
        "tweets.Tweet", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Rows with the same kind, group_key and read state show as one notification: a like's tweet id,
    # a follow's day (days since 1970-01-01 UTC); null: a notification of its own.
    group_key = models.BigIntegerField(null=True)
    # The moderator's reason for a hidden tweet.
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    read = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # like, unlike, like again: one notification (an unlike before it was read removes it).
            models.UniqueConstraint(
                fields=["tweet", "actor"], condition=Q(kind="like"), name="notification_like_once"
            ),
            models.UniqueConstraint(
                fields=["recipient", "actor"], condition=Q(kind="follow"), name="notification_follow_once"
            ),
            # A tweet notifies a person once, its edits included: a reply that mentions the
            # author it answers is one reply notification.
            models.UniqueConstraint(
                fields=["tweet", "recipient"],
                condition=Q(kind__in=["reply", "mention"]),
                name="notification_post_once",
            ),
            models.CheckConstraint(
                condition=Q(actor__isnull=True) | ~Q(actor=models.F("recipient")),
                name="notification_not_own",
            ),
        ]
        indexes = [
            # A user's notifications, newest first (pages, grouping, marking read).
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
            # The unread count, polled by every open page.
            models.Index(
                fields=["recipient", "kind", "group_key"],
                name="notification_unread_idx",
                condition=Q(read=False),
            ),
            # A tweet's deletion removes its notifications.
            models.Index(fields=["tweet"], name="notification_tweet_idx", condition=Q(tweet__isnull=False)),
            # Retention (notifications_prune: created before a time). Rows are written in
            # created_at's order, so BRIN on PostgreSQL: no entry per notification written.
            AppendOrderIndex(fields=["created_at"], name="notification_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} by {self.actor_id} on {self.tweet_id}"


class Mute(models.Model):
    """A kind of notification a user chose not to receive (Settings)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind}"


class Digest(models.Model):
    """A user who asked for the daily email of their unread notifications, and when it last went."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The newest notification the last email covered: the next one lists only newer ones.
    sent_up_to = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest for {self.user_id}"
