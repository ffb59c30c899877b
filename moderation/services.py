"""Moderation workflows. Each one changes state through the owning app's services and writes
its audit entry in the same transaction, so the log never misses or invents an action."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import services as account_services
from accounts.models import SUSPENDED_INDEFINITELY, User
from accounts.services import account_action_check
from common.errors import Invalid, NotAllowed
from common.text import text_check
from media.selectors import files_of_uploader
from media.services import media_files_delete_on_commit
from moderation.models import AuditEntry, Report, ReportedTweet
from notifications.services import report_resolved_notify, tweet_hidden_notify
from ops import metrics
from tweets import services as tweet_services
from tweets.models import Tweet
from tweets.selectors import tweet_get_visible

Action = AuditEntry.Action


def audit_record(
    *,
    moderator: User,
    action: str,
    reason: str,
    user: User | None = None,
    tweet: Tweet | None = None,
    details: dict | None = None,
) -> AuditEntry:
    if tweet is not None:
        target = f"tweet #{tweet.pk} by user #{tweet.author_id}: {tweet.content[:200]}"
        target_user_id = user.pk if user is not None else tweet.author_id
    elif user is not None:
        target, target_user_id = f"user #{user.pk} {user}", user.pk
    else:
        raise ValueError("An audit entry is about a user or a tweet.")
    return AuditEntry.objects.create(
        moderator=moderator,
        action=action,
        reason=reason,
        target_user_id=target_user_id,
        target_tweet_id=tweet.pk if tweet is not None else None,
        target_repr=target[:300],
        details=details or {},
    )


def report_check(*, reporter: User, tweet_id: int) -> Tweet:
    """The tweet `reporter` may report: a visible one (NotFound) by someone else (Invalid). Every door
    asks this before it files a report, or offers to (the web client's report page)."""
    tweet = tweet_get_visible(tweet_id=tweet_id)
    if tweet.author_id == reporter.pk:
        raise Invalid("You cannot report your own post.")
    return tweet


@transaction.atomic
def report_create(*, reporter: User, tweet_id: int, reason: str, comment: str = "") -> tuple[Report, bool]:
    """Report a visible tweet; repeats while the report is open return it. Returns (report, created)."""
    tweet = report_check(reporter=reporter, tweet_id=tweet_id)
    text_check(field="comment", text=comment)
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
    """Close the tweet's open reports; each reporter is told theirs was handled."""
    reports = list(
        Report.objects.select_for_update()
        .filter(tweet=tweet, status=Report.Status.OPEN)
        .values_list("pk", "reporter_id")
    )
    if not reports:
        return 0
    resolved = Report.objects.filter(pk__in=[pk for pk, _ in reports]).update(
        status=status, resolved_at=timezone.now(), resolved_by=moderator
    )
    ReportedTweet.objects.filter(pk=tweet.pk).update(open_reports=F("open_reports") - resolved)
    report_resolved_notify(reporter_ids=sorted({reporter_id for _, reporter_id in reports}))
    return resolved


@transaction.atomic
def report_dismiss(*, moderator: User, tweet: Tweet, reason: str) -> int:
    """Close a tweet's open reports without acting on it. Returns how many were open."""
    dismissed = _reports_resolve(tweet=tweet, moderator=moderator, status=Report.Status.DISMISSED)
    if dismissed:
        audit_record(moderator=moderator, action=Action.DISMISS, reason=reason, tweet=tweet)
    return dismissed


def _tweet_action_check(*, moderator: User, tweet: Tweet) -> None:
    # A staff author's tweets are a superuser's call, like their account; one's own tweets are fine.
    account_action_check(actor=moderator, target=tweet.author, own_account_allowed=True)


@transaction.atomic
def tweet_hide(*, moderator: User, tweet: Tweet, reason: str) -> bool:
    """Hide a tweet and close its open reports as actioned. Returns whether it was visible."""
    _tweet_action_check(moderator=moderator, tweet=tweet)
    hidden = tweet_services.tweet_hidden_store(tweet=tweet)
    _reports_resolve(tweet=tweet, moderator=moderator, status=Report.Status.ACTIONED)
    if hidden:
        audit_record(moderator=moderator, action=Action.HIDE, reason=reason, tweet=tweet)
        tweet_hidden_notify(tweet=tweet, reason=reason)
    return hidden


@transaction.atomic
def tweet_unhide(*, moderator: User, tweet: Tweet, reason: str) -> bool:
    _tweet_action_check(moderator=moderator, tweet=tweet)
    unhidden = tweet_services.tweet_hidden_clear(tweet=tweet)
    if unhidden:
        audit_record(moderator=moderator, action=Action.UNHIDE, reason=reason, tweet=tweet)
    return unhidden


@transaction.atomic
def tweet_delete(*, moderator: User, tweet: Tweet, reason: str) -> None:
    """Delete a tweet for good; the audit entry keeps its text."""
    _tweet_action_check(moderator=moderator, tweet=tweet)
    audit_record(moderator=moderator, action=Action.DELETION, reason=reason, tweet=tweet)
    # Its reports go with it; their reporters learn they were handled.
    _reports_resolve(tweet=tweet, moderator=moderator, status=Report.Status.ACTIONED)
    tweet_services.tweet_purge(tweet=tweet)


def _when(until: datetime) -> str:
    return "indefinitely" if until >= SUSPENDED_INDEFINITELY else until.isoformat()


@transaction.atomic
def user_suspend(
    *, moderator: User, user: User, reason: str, until: datetime | None = None, indefinitely: bool = False
) -> None:
    """Suspend until a time (the suspension ends by itself) or indefinitely; the log records which."""
    if indefinitely == (until is not None):
        raise ValueError("Give either `until` or `indefinitely=True`.")
    account_action_check(actor=moderator, target=user)
    until = SUSPENDED_INDEFINITELY if indefinitely or until is None else until
    previous = user.suspended_until if user.is_suspended() else None
    account_services.suspension_store(user=user, until=until)
    details = {"until": _when(until), "previously_until": previous and _when(previous)}
    audit_record(moderator=moderator, action=Action.SUSPEND, reason=reason, user=user, details=details)


@transaction.atomic
def user_unsuspend(*, moderator: User, user: User, reason: str) -> None:
    account_action_check(actor=moderator, target=user)
    previous = user.suspended_until if user.is_suspended() else None
    account_services.suspension_clear(user=user)
    details = {"previously_until": previous and _when(previous)}
    audit_record(moderator=moderator, action=Action.UNSUSPEND, reason=reason, user=user, details=details)


@transaction.atomic
def user_deactivate(*, moderator: User, user: User, reason: str) -> None:
    account_action_check(actor=moderator, target=user)
    account_services.deactivation_store(user=user)
    audit_record(moderator=moderator, action=Action.DEACTIVATE, reason=reason, user=user)


@transaction.atomic
def user_reactivate(*, moderator: User, user: User, reason: str) -> None:
    """Active again and any suspension lifted: the account works as before."""
    account_action_check(actor=moderator, target=user)
    account_services.reactivation_store(user=user)
    account_services.suspension_clear(user=user)
    audit_record(moderator=moderator, action=Action.REACTIVATE, reason=reason, user=user)


# Fields whose change is about who may do what: never on one's own account, and only by a superuser.
# The admin shows them read-only to everyone else.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _names(objects: Iterable[Group | Permission]) -> list[str]:
    """Groups and permissions as the audit log records them."""
    return sorted(
        obj.name if isinstance(obj, Group) else f"{obj.content_type.app_label}.{obj.codename}"
        for obj in objects
    )


@transaction.atomic
def user_account_update(
    *,
    moderator: User,
    user: User,
    reason: str,
    name: str | None = None,
    email: str | None = None,
    username: str | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    groups: Iterable[Group] | None = None,
    user_permissions: Iterable[Permission] | None = None,
) -> None:
    """Staff changing someone's account; None leaves a field as it is. Every change is audited with
    its old and new value (activation as its own deactivate/reactivate entry), in this transaction.

    Status (activation, PRIVILEGE_FIELDS, password) never on one's own account; privileges and
    passwords need a superuser, and so does any change to a staff account.
    """
    if name is not None:
        name = account_services.name_clean(name=name, user=user)
    profile = {"name": name, "email": email, "username": username}
    privileges = dict(zip(PRIVILEGE_FIELDS, (is_staff, is_superuser, groups, user_permissions), strict=True))
    asked = {field for field, value in privileges.items() if value is not None}
    status_change = bool(asked) or is_active is not None or password is not None
    if password is not None:
        _own_password_refuse(moderator=moderator, user=user)
    account_action_check(actor=moderator, target=user, own_account_allowed=not status_change)
    if asked and not moderator.is_superuser:
        raise NotAllowed("Only a superuser can grant or revoke staff status, groups or permissions.")
    if password is not None:
        user_password_set(moderator=moderator, user=user, reason=reason, password=password)
    scalars = {**profile, "is_staff": is_staff, "is_superuser": is_superuser}
    changes: dict[str, Any] = {
        field: value
        for field, value in scalars.items()
        if value is not None and value != getattr(user, field)
    }
    details = {field: [getattr(user, field), value] for field, value in changes.items()}
    if changes:
        account_services.user_update(user=user, **changes)
    related_fields: dict[str, Iterable[Group | Permission] | None] = {
        "groups": groups,
        "user_permissions": user_permissions,
    }
    for field, values in related_fields.items():
        if values is None:
            continue
        related, chosen = getattr(user, field), list(values)
        old, new = _names(related.all()), _names(chosen)
        if old != new:
            related.set(chosen)
            details[field] = [old, new]
    if details:
        audit_record(
            moderator=moderator, action=Action.ACCOUNT_CHANGE, reason=reason, user=user, details=details
        )
    if is_active is False and user.is_active:
        user_deactivate(moderator=moderator, user=user, reason=reason)
    elif is_active is True and not user.is_active:
        user_reactivate(moderator=moderator, user=user, reason=reason)


def _own_password_refuse(*, moderator: User, user: User) -> None:
    if user.pk == moderator.pk:
        raise Invalid.on_field(
            "password", "Change your own password from your profile, with your current password."
        )


@transaction.atomic
def user_password_set(*, moderator: User, user: User, reason: str, password: str | None) -> None:
    """A superuser setting someone else's password (None: no password login); the user's JWTs end.

    Setting a password is impersonation, so moderators may not; one's own password is changed with
    the current one (accounts.services.password_change), never through here.
    """
    _own_password_refuse(moderator=moderator, user=user)
    account_action_check(actor=moderator, target=user)
    if not moderator.is_superuser:
        raise NotAllowed("Only a superuser can set another user's password.")
    account_services.password_set(user=user, password=password)
    details = {"password": "set" if password is not None else "disabled"}
    audit_record(moderator=moderator, action=Action.ACCOUNT_CHANGE, reason=reason, user=user, details=details)


@transaction.atomic
def user_delete(*, moderator: User, user: User, reason: str) -> None:
    """Delete an account with everything it owns; the cascade alone would leave the likes and
    open-report counters of the tweets they liked or reported too high, and their files stored."""
    account_action_check(actor=moderator, target=user)
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
    account_action_check(actor=moderator, target=user)
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
