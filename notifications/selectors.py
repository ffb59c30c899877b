"""Notification reads: a user's notifications grouped as people see them, and the unread count.

A group is the rows of one kind with the same group_key and read state (all likes of one tweet not
read yet; one day's follows); a row without a group_key is a group of its own. A group's id is its
newest row's, so a page is ordered by the latest activity and `up_to` covers what was shown.
"""

from typing import TypedDict

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


def _groups(user) -> QuerySet:
    """The user's notification groups, newest activity first (values rows)."""
    return (
        Notification.objects.filter(recipient=user)
        .annotate(group=_group())
        .values("kind", "group", "read")
        .annotate(
            top=Max("id"),
            people=Count("actor_id"),
            latest=Max("created_at"),
            about=Max("tweet_id"),
            why=Max("reason"),
        )
        .order_by("-top")
    )


def unread_count(*, user) -> int:
    """How many notifications (groups) the user has not read: one query."""
    return (
        Notification.objects.filter(recipient=user, read=False)
        .annotate(group=_group())
        .values("kind", "group")
        .distinct()
        .count()
    )


def _actors(*, user, groups: list[dict]) -> dict[tuple, list[ActorRef]]:
    """The newest ACTORS_SHOWN actors of each group: one query (none without actors)."""
    wanted = Q()
    for group in groups:
        if group["people"]:
            wanted |= Q(kind=group["kind"], read=group["read"]) & (
                Q(group_key=group["group"]) if group["group"] > 0 else Q(pk=group["top"])
            )
    if not wanted:
        return {}
    rows = (
        Notification.objects.filter(wanted, recipient=user, actor__isnull=False)
        .annotate(
            group=_group(),
            rank=Window(RowNumber(), partition_by=[F("kind"), _group(), F("read")], order_by=F("id").desc()),
        )
        .filter(rank__lte=ACTORS_SHOWN)
        .values_list("kind", "group", "read", "actor_id", "actor__name")
        .order_by("-id")
    )
    actors: dict[tuple, list[ActorRef]] = {}
    for kind, group, read, actor_id, name in rows:
        actors.setdefault((kind, group, read), []).append({"id": actor_id, "name": name})
    return actors


def notification_page(*, user, cursor: str, limit: int) -> tuple[list[NotificationPayload], str | None]:
    """A page of the user's notifications, newest first, and the next page's cursor (None at the
    end). Queries: the groups, their actors."""
    groups = _groups(user)
    before = cursor_id(cursor)
    if before is not None:
        groups = groups.filter(top__lt=before)
    rows = list(groups[: limit + 1])
    next_cursor = str(rows[limit - 1]["top"]) if len(rows) > limit else None
    rows = rows[:limit]
    actors = _actors(user=user, groups=rows)
    return [
        {
            "id": row["top"],
            "type": row["kind"],
            "actors": actors.get((row["kind"], row["group"], row["read"]), []),
            "actors_count": row["people"],
            "tweet_id": row["about"],
            "created_at": row["latest"].isoformat(),
            "read": row["read"],
            "reason": row["why"] or None,
        }
        for row in rows
    ], next_cursor


def muted_kinds(*, user) -> list[str]:
    """The kinds the user muted (Settings)."""
    return list(Mute.objects.filter(user=user).order_by("kind").values_list("kind", flat=True))


def digest_wanted(*, user) -> bool:
    """Whether the user asked for the daily email."""
    return Digest.objects.filter(user=user).exists()
