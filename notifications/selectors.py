"""Notification reads: a user's notifications grouped as people see them, and the unread count.

A group is the rows of one kind with the same group_key and read state (all likes of one tweet not
read yet; one day's follows); a row without a group_key is a group of its own. A group's id is its
newest row's, so a page is ordered by the latest activity and `up_to` covers what was shown.

Every read goes through notifications_shown: nothing a suspended or deactivated person did shows,
and no group is counted or listed for them alone.
"""

from datetime import datetime
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from api.fields import cursor_id
from notifications.models import Digest, Mute, Notification

# Actors named per notification ("Ada, Grace and 198 others"); actors_count has them all.
ACTORS_SHOWN = 3


class ActorRef(TypedDict):
    id: int
    name: str


class NotificationPayload(TypedDict):
    id: int
    type: str
    actors: list[ActorRef]
    actors_count: int
    tweet_id: int | None
    created_at: str
    read: bool
    reason: str | None


def _group():
    return Coalesce("group_key", -F("id"))


# A group's key: kind, group (group_key, or minus the row's id), read.
GroupKey = tuple[str, int, bool]
# Page 1 looks for its groups among the newest rows only, so its cost does not grow with the
# number a user has; when those rows hold fewer groups than a page, all rows are grouped instead.
PAGE_WINDOW = 400


def notifications_shown(*, user, now: datetime | None = None) -> QuerySet[Notification]:
    """The user's notification rows as every door shows them (the API, the pages, the unread
    count, the daily email): none whose actor is deactivated or suspended at `now`. Nothing is
    deleted, so they show again once the suspension ends or the account is reactivated. A
    moderator's notices name nobody and always show."""
    # Through get_user_model(): this app sits below accounts, which states who is hidden.
    hidden = get_user_model().objects.hidden(now=now).values("pk")
    return Notification.objects.filter(recipient=user).exclude(actor__in=hidden)


def unread_count(*, user) -> int:
    """How many notifications (groups) the user has not read: one query."""
    return (
        notifications_shown(user=user)
        .filter(read=False)
        .annotate(group=_group())
        .values("kind", "group")
        .distinct()
        .count()
    )


def _newest_groups(*, shown: QuerySet[Notification], count: int) -> list[GroupKey] | None:
    """The newest `count` groups' keys, newest first, from the newest PAGE_WINDOW rows (a group's
    newest row comes first in them); None when those rows hold fewer and there are more rows."""
    rows = shown.order_by("-id").values_list("kind", "group_key", "read", "id")[:PAGE_WINDOW]
    keys: list[GroupKey] = []
    seen: set[GroupKey] = set()
    scanned = 0
    for kind, group_key, read, pk in rows:
        scanned += 1
        key = (kind, group_key if group_key is not None else -pk, read)
        if key not in seen:
            seen.add(key)
            keys.append(key)
            if len(keys) == count:
                return keys
    return keys if scanned < PAGE_WINDOW else None


def _groups_before(*, shown: QuerySet[Notification], before: int | None, count: int) -> list[GroupKey]:
    """The keys of `count` groups whose newest row is older than `before`, newest first: every row
    of the user grouped."""
    groups = (
        shown.annotate(group=_group())
        .values("kind", "group", "read")
        .annotate(top=Max("id"))
        .order_by("-top")
    )
    if before is not None:
        groups = groups.filter(top__lt=before)
    return [(row["kind"], row["group"], row["read"]) for row in groups[:count]]


def _payloads(*, shown: QuerySet[Notification], keys: list[GroupKey]) -> list[NotificationPayload]:
    """These groups as Notifications, newest first: one query over their rows, the latest
    ACTORS_SHOWN of each with the group's totals beside them."""
    if not keys:
        return []
    # A few IN lists rather than one condition per group: the ORM compiles this on every page.
    singles = [-group for _, group, _ in keys if group < 0]
    grouped: dict[tuple[str, bool], list[int]] = {}
    for kind, group, read in keys:
        if group > 0:
            grouped.setdefault((kind, read), []).append(group)
    wanted = Q(pk__in=singles) if singles else Q()
    for (kind, read), groups in grouped.items():
        wanted |= Q(kind=kind, read=read, group_key__in=groups)
    partition = [F("kind"), _group(), F("read")]
    rows = (
        shown.filter(wanted)
        .annotate(
            group=_group(),
            rank=Window(RowNumber(), partition_by=partition, order_by=F("id").desc()),
            people=Window(Count("actor_id"), partition_by=partition),
            top=Window(Max("id"), partition_by=partition),
        )
        .filter(rank__lte=ACTORS_SHOWN)
        .values_list(
            "kind",
            "group",
            "read",
            "top",
            "people",
            "created_at",
            "tweet_id",
            "reason",
            "actor_id",
            "actor__name",
        )
        .order_by("-id")
    )
    found: dict[GroupKey, NotificationPayload] = {}
    for kind, group, read, top, people, created_at, tweet_id, reason, actor_id, name in rows:
        payload = found.get((kind, group, read))
        if payload is None:
            # The group's newest row comes first: its time, post and reason are the group's.
            payload = found[(kind, group, read)] = {
                "id": top,
                "type": kind,
                "actors": [],
                "actors_count": people,
                "tweet_id": tweet_id,
                "created_at": created_at.isoformat(),
                "read": read,
                "reason": reason or None,
            }
        if actor_id is not None:
            payload["actors"].append({"id": actor_id, "name": name})
    return sorted(found.values(), key=lambda payload: payload["id"], reverse=True)


def notification_page(*, user, cursor: str, limit: int) -> tuple[list[NotificationPayload], str | None]:
    """A page of the user's notifications, newest activity first, and the next page's cursor (None
    at the end). Queries: the groups' keys (page 1: the newest rows), then their rows."""
    before = cursor_id(cursor)
    # One instant for both queries: a suspension ending between them cannot split a group.
    shown = notifications_shown(user=user)
    keys = _newest_groups(shown=shown, count=limit + 1) if before is None else None
    if keys is None:
        keys = _groups_before(shown=shown, before=before, count=limit + 1)
    payloads = _payloads(shown=shown, keys=keys)
    next_cursor = str(payloads[limit - 1]["id"]) if len(payloads) > limit else None
    return payloads[:limit], next_cursor


def muted_kinds(*, user) -> list[str]:
    """The kinds the user muted (Settings)."""
    return list(Mute.objects.filter(user=user).order_by("kind").values_list("kind", flat=True))


def digest_wanted(*, user) -> bool:
    """Whether the user asked for the daily email."""
    return Digest.objects.filter(user=user).exists()
