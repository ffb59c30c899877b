"""Moderation workflows. Each one changes state through the owning app's services and writes
its audit entry in the same transaction, so the log never misses or invents an action."""

from datetime import datetime

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import services as account_services
from accounts.models import SUSPENDED_INDEFINITELY, User
from media.selectors import files_of_uploader
from media.services import media_files_delete_on_commit
from moderation.models import AuditEntry, Report, ReportedTweet
from ops import metrics
from tweets import services as tweet_services
from tweets.models import Tweet
from tweets.selectors import tweet_get_visible

Action = AuditEntry.Action


def audit_record(
    *, moderator: User, action: str, reason: str, user: User | None = None, tweet: Tweet | None = None
) -> AuditEntry:
    if tweet is not None:
        target = f"tweet #{tweet.pk} by user #{tweet.author_id}: {tweet.content[:200]}"
        target_user_id = user.pk if user is not None else tweet.author_id
    elif user is not None:
        target = f"user #{user.pk} {user}"
        target_user_id = user.pk
    else:
        raise ValueError("Give a user or a tweet.")
    return AuditEntry.objects.create(
        moderator=moderator,
        action=action,
        reason=reason,
        target_user_id=target_user_id,
        target_tweet_id=tweet.pk if tweet is not None else None,
        target_repr=target[:300],
    )


@transaction.atomic
def report_create(*, reporter: User, tweet_id: int, reason: str, comment: str = "") -> tuple[Report, bool]:
    """Report a visible tweet; repeats while the report is open return it. Returns (report, created)."""
    tweet = tweet_get_visible(tweet_id=tweet_id)
    existing = Report.objects.filter(tweet=tweet, reporter=reporter, status=Report.Status.OPEN).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint of its own, so a concurrent duplicate leaves the caller's transaction usable.
        with transaction.atomic():
            report = Report.objects.create(tweet=tweet, reporter=reporter, reason=reason, comment=comment)
    except IntegrityError:
        return Report.objects.get(tweet=tweet, reporter=reporter, status=Report.Status.OPEN), False
    ReportedTweet.objects.get_or_create(tweet=tweet, defaults={"last_reported_at": report.created_at})
    ReportedTweet.objects.filter(pk=tweet.pk).update(
        open_reports=F("open_reports") + 1, last_reported_at=report.created_at
    )
    metrics.inc_on_commit(metrics.REPORTS_CREATED)
    return report, True


def _reports_resolve(*, tweet: Tweet, moderator: User, status: str) -> int:
    resolved = Report.objects.filter(tweet=tweet, status=Report.Status.OPEN).update(
        status=status, resolved_at=timezone.now(), resolved_by=moderator
    )
    if resolved:
        ReportedTweet.objects.filter(pk=tweet.pk).update(open_reports=F("open_reports") - resolved)
    return resolved


@transaction.atomic
def report_dismiss(*, moderator: User, tweet: Tweet, reason: str) -> int:
    """Close a tweet's open reports without acting on it. Returns how many were open."""
    dismissed = _reports_resolve(tweet=tweet, moderator=moderator, status=Report.Status.DISMISSED)
    if dismissed:
        audit_record(moderator=moderator, action=Action.DISMISS, reason=reason, tweet=tweet)
    return dismissed


@transaction.atomic
def tweet_hide(*, moderator: User, tweet: Tweet, reason: str) -> bool:
    """Hide a tweet and close its open reports as actioned. Returns whether it was visible."""
    hidden = tweet_services.tweet_hide(tweet=tweet)
    _reports_resolve(tweet=tweet, moderator=moderator, status=Report.Status.ACTIONED)
    if hidden:
        audit_record(moderator=moderator, action=Action.HIDE, reason=reason, tweet=tweet)
    return hidden


@transaction.atomic
def tweet_unhide(*, moderator: User, tweet: Tweet, reason: str) -> bool:
    unhidden = tweet_services.tweet_unhide(tweet=tweet)
    if unhidden:
        audit_record(moderator=moderator, action=Action.UNHIDE, reason=reason, tweet=tweet)
    return unhidden


@transaction.atomic
def tweet_delete(*, moderator: User, tweet: Tweet, reason: str) -> None:
    """Delete a tweet for good; the audit entry keeps its text."""
    audit_record(moderator=moderator, action=Action.DELETION, reason=reason, tweet=tweet)
    tweet_services.tweet_purge(tweet=tweet)


@transaction.atomic
def user_suspend(
    *, moderator: User, user: User, reason: str, until: datetime | None = None, indefinitely: bool = False
) -> None:
    """Suspend until a time (the suspension ends by itself) or indefinitely."""
    if indefinitely == (until is not None):
        raise ValueError("Give either `until` or `indefinitely=True`.")
    account_services.user_suspend(user=user, until=until if until is not None else SUSPENDED_INDEFINITELY)
    audit_record(moderator=moderator, action=Action.SUSPEND, reason=reason, user=user)


@transaction.atomic
def user_unsuspend(*, moderator: User, user: User, reason: str) -> None:
    account_services.user_unsuspend(user=user)
    audit_record(moderator=moderator, action=Action.UNSUSPEND, reason=reason, user=user)


@transaction.atomic
def user_deactivate(*, moderator: User, user: User, reason: str) -> None:
    account_services.user_deactivate(user=user)
    audit_record(moderator=moderator, action=Action.DEACTIVATE, reason=reason, user=user)


@transaction.atomic
def user_reactivate(*, moderator: User, user: User, reason: str) -> None:
    """Active again and any suspension lifted: the account works as before."""
    account_services.user_reactivate(user=user)
    account_services.user_unsuspend(user=user)
    audit_record(moderator=moderator, action=Action.REACTIVATE, reason=reason, user=user)


@transaction.atomic
def user_delete(*, moderator: User, user: User, reason: str) -> None:
    """Delete an account with everything it owns; the cascade alone would leave the likes and
    open-report counters of the tweets they liked or reported too high, and their files stored."""
    audit_record(moderator=moderator, action=Action.DELETION, reason=reason, user=user)
    files = files_of_uploader(user=user)
    tweet_services.likes_delete(likes=user.likes.all())
    # Their open reports go with them (cascade); the queue's counters must drop with them.
    reported = list(
        Report.objects.select_for_update()
        .filter(reporter=user, status=Report.Status.OPEN)
        .values_list("tweet_id", flat=True)
    )
    ReportedTweet.objects.filter(pk__in=reported).update(open_reports=F("open_reports") - 1)
    user.delete()
    media_files_delete_on_commit(names=files)


@transaction.atomic
def api_key_replace(*, moderator: User, user: User, reason: str) -> str:
    """Revoke the user's api key and issue a new one; returns it (shown once, never stored)."""
    key = account_services.api_key_set(user=user)
    audit_record(moderator=moderator, action=Action.KEY_REPLACEMENT, reason=reason, user=user)
    return key


MODERATORS_GROUP = "Moderators"


@transaction.atomic
def moderator_add(*, user: User) -> None:
    """Give a user the admin site and the Moderators group (created by a data migration)."""
    account_services.user_update(user=user, is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))


@transaction.atomic
def moderator_remove(*, user: User) -> None:
    user.groups.remove(Group.objects.get(name=MODERATORS_GROUP))
    if not user.is_superuser and not user.groups.exists():
        account_services.user_update(user=user, is_staff=False)
