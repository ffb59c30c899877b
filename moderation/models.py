from django.conf import settings
from django.db import models
from django.db.models import Q

from tweets.models import Tweet


class Report(models.Model):
    """A user's complaint about a tweet, open until a moderator dismisses it or acts on it."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        HARASSMENT = "harassment", "Harassment"
        CONFIDENTIAL = "confidential", "Confidential information"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Actioned"

    # Indexed by report_tweet_status_idx (tweet first).
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="reports", db_index=False)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    comment = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            # Reporting the same tweet again while the first report is open changes nothing.
            # Its leading `tweet` column also serves "open reports of this tweet".
            models.UniqueConstraint(
                fields=["tweet", "reporter"],
                condition=Q(status="open"),
                name="one_open_report_per_reporter_and_tweet",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True) | ~Q(status="open"),
                name="open_report_not_resolved",
            ),
        ]
        indexes = [models.Index(fields=["tweet", "status"], name="report_tweet_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report on tweet #{self.tweet_id} ({self.status})"


class ReportedTweet(models.Model):
    """A tweet's entry in the moderation queue, with counters moved in the same transaction as
    the reports, so the queue is a small indexed table instead of counts over reports and tweets."""

    tweet = models.OneToOneField(Tweet, on_delete=models.CASCADE, primary_key=True, related_name="moderation")
    open_reports = models.PositiveIntegerField(default=0)
    last_reported_at = models.DateTimeField()

    class Meta:
        verbose_name = "reported tweet"
        verbose_name_plural = "moderation queue"
        indexes = [
            # The queue's order: open reports first (most reporters first), then the latest.
            models.Index(fields=["-open_reports", "-last_reported_at", "-tweet"], name="queue_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(open_reports__gte=0), name="open_reports_not_negative")
        ]

    def __str__(self) -> str:
        return str(self.tweet)


class AuditEntry(models.Model):
    """One moderation action: who did what to whom, why and when. Append-only.

    Targets are plain ids plus a text description, not foreign keys, so that the record
    survives the deletion of the user or tweet it is about.
    """

    class Action(models.TextChoices):
        HIDE = "hide", "Hide tweet"
        UNHIDE = "unhide", "Unhide tweet"
        SUSPEND = "suspend", "Suspend user"
        UNSUSPEND = "unsuspend", "Lift suspension"
        DISMISS = "dismiss", "Dismiss reports"
        KEY_REPLACEMENT = "key_replacement", "Replace api key"
        DELETION = "deletion", "Delete"
        REACTIVATE = "reactivate", "Reactivate user"
        DEACTIVATE = "deactivate", "Deactivate user"
        ACCOUNT_CHANGE = "account_change", "Change account"

    # PROTECT: who did it must stay on record; moderators are deactivated, not deleted.
    # Indexed by audit_moderator_idx (moderator first).
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    target_user_id = models.BigIntegerField(null=True, blank=True)
    target_tweet_id = models.BigIntegerField(null=True, blank=True)
    target_repr = models.CharField(max_length=300)
    reason = models.TextField()
    # What exactly changed: a suspension's end, a field's old and new value, "password": "set".
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        ordering = ("-created_at", "-id")
        indexes = [
            # The admin's default listing and its date filter.
            models.Index(fields=["-created_at", "-id"], name="audit_created_idx"),
            models.Index(fields=["moderator", "-created_at"], name="audit_moderator_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
            models.Index(fields=["target_user_id"], name="audit_target_user_idx"),
            models.Index(fields=["target_tweet_id"], name="audit_target_tweet_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_repr}"
