"""Notification reads: a user's notifications grouped as people see them, and the unread count.

A group is the rows of one kind with the same group_key and read state (all likes of one tweet not
read yet; one day's follows); a row without a group_key is a group of its own. A group's id is its
newest row's, so a page is ordered by the latest activity and `up_to` covers what was shown.

Every read goes through notifications_shown: nothing a suspended or deactivated person did shows,
and no group is counted or listed for them alone.
"""

from datetime import UTC, datetime
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from api.fields import cursor_id
from common.queries import Compiled, Ids, InArray, compiled_once
from notifications.models import GROUPED_KINDS, Digest, Mute, Notification

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


def _shown(*, now: datetime | None) -> QuerySet[Notification]:
    """Notification rows as every door shows them (the API, the pages, the unread count, the daily
    email): none whose actor is deactivated or suspended at `now`. Nothing is deleted, so they show
    again once the suspension ends or the account is reactivated. A moderator's notices name
    nobody and always show."""
    # Through get_user_model(): this app sits below accounts, which states who is hidden.
    hidden = get_user_model().objects.hidden(now=now).values("pk")
    return Notification.objects.exclude(actor__in=hidden)


def notifications_shown(*, user, now: datetime | None = None) -> QuerySet[Notification]:
    """The user's notification rows as every door shows them (_shown)."""
    return _shown(now=now).filter(recipient=user)


# Stand for the user's id, the current time and the page's lists in the reads compiled once per
# process (common.queries.Compiled); replaced on each call.
_USER = -987_654_321
_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_BEFORE = -987_654_322
_SINGLES = -987_654_323
# The n-th (kind, read) list of group keys in _payloads: _GROUPS - n.
_GROUPS = -987_654_400


def _unread_groups(*, user, now: datetime) -> QuerySet:
    """The user's unread groups, one row each: unread_count counts them."""
    return (
        notifications_shown(user=user, now=now)
        .filter(read=False)
        .annotate(group=_group())
        .values("kind", "group")
        .distinct()
    )


@compiled_once
def _unread_sql() -> tuple[Compiled, str]:
    """unread_count's query compiled once per process: every open page polls it."""
    compiled = Compiled(_unread_groups(user=_USER, now=_NOW), (_USER, _NOW))
    return compiled, f"SELECT count(*) FROM ({compiled.sql}) AS unread"


def unread_count(*, user) -> int:
    """How many notifications (groups) the user has not read: one query, on notification_unread_idx."""
    compiled, sql = _unread_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, compiled.bind({_USER: user.pk, _NOW: timezone.now()}))
        return cursor.fetchone()[0]


@compiled_once
def _newest_rows() -> Compiled:
    """The newest PAGE_WINDOW rows' (kind, group_key, read, id), compiled once per process."""
    # The recipient as a range of one, and first in the order: only notification_recipient_idx
    # gives that order. With `recipient_id =` PostgreSQL drops the constant from the order and may
    # walk the primary key backwards through everyone's newer notifications looking for this
    # user's, as it did in the benchmark, where one user holds half the table (it read thirty
    # times the rows it returned; the index reads only this user's).
    rows = (
        _shown(now=_NOW)
        .filter(recipient_id__gte=_USER, recipient_id__lte=_USER)
        .order_by("recipient_id", "-id")
        .values_list("kind", "group_key", "read", "id")
    )
    return Compiled(rows[:PAGE_WINDOW], (_USER, _NOW))


def _newest_groups(*, user_id: int, now: datetime, count: int) -> list[GroupKey] | None:
    """The newest `count` groups' keys, newest first, from the newest PAGE_WINDOW rows (a group's
    newest row comes first in them); None when those rows hold fewer and there are more rows."""
    rows = _newest_rows().rows({_USER: user_id, _NOW: now})
    keys: list[GroupKey] = []
    seen: set[GroupKey] = set()
    for kind, group_key, read, pk in rows:
        key = (kind, group_key if group_key is not None else -pk, read)
        if key not in seen:
            seen.add(key)
            keys.append(key)
            if len(keys) == count:
                return keys
    return keys if len(rows) < PAGE_WINDOW else None


@compiled_once
def _groups_before_rows(count: int, after_cursor: bool) -> Compiled:
    """_groups_before's query compiled once per process for each page size, with and without a cursor."""
    groups = (
        notifications_shown(user=_USER, now=_NOW)
        .annotate(group=_group())
        .values("kind", "group", "read")
        .annotate(top=Max("id"))
        .order_by("-top")
    )
    stand_ins: tuple = (_USER, _NOW)
    if after_cursor:
        groups = groups.filter(top__lt=_BEFORE)
        stand_ins += (_BEFORE,)
    return Compiled(groups.values_list("kind", "group", "read")[:count], stand_ins)


def _groups_before(*, user_id: int, now: datetime, before: int | None, count: int) -> list[GroupKey]:
    """The keys of `count` groups whose newest row is older than `before`, newest first: every row
    of the user grouped."""
    compiled = _groups_before_rows(count, before is not None)
    return [
        (kind, group, read)
        for kind, group, read in compiled.rows({_USER: user_id, _NOW: now, _BEFORE: before})
    ]


# The kinds and read states of _payloads' lists of group keys, in the order they are bound.
_GROUP_LISTS = [(kind.value, read) for kind in GROUPED_KINDS for read in (False, True)]


@compiled_once
def _payload_rows() -> Compiled:
    """The rows of the page's groups, the latest ACTORS_SHOWN of each with the group's totals and
    the user's unread count (unread_count's, a subquery run once) beside them, compiled once per
    process: a group of its own by its id (_SINGLES), the others by their kind, read state and key
    (a list per kind and read state, _GROUPS - n; an empty list matches nothing)."""
    wanted = Q(InArray(F("id"), [_SINGLES]))
    for n, (kind, read) in enumerate(_GROUP_LISTS):
        wanted |= Q(kind=kind, read=read) & Q(InArray(F("group_key"), [_GROUPS - n]))
    partition = [F("kind"), _group(), F("read")]
    unread_sql, unread_params = _unread_groups(user=_USER, now=_NOW).query.sql_with_params()
    rows = (
        notifications_shown(user=_USER, now=_NOW)
        .filter(wanted)
        .annotate(
            group=_group(),
            rank=Window(RowNumber(), partition_by=partition, order_by=F("id").desc()),
            people=Window(Count("actor_id"), partition_by=partition),
            top=Window(Max("id"), partition_by=partition),
            unread=RawSQL(f"SELECT count(*) FROM ({unread_sql}) AS unread", unread_params),
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
            "unread",
        )
        .order_by("-id")
    )
    stand_ins = (_USER, _NOW, _SINGLES, *(_GROUPS - n for n in range(len(_GROUP_LISTS))))
    return Compiled(rows, stand_ins)


def _payloads(
    *, user_id: int, now: datetime, keys: list[GroupKey]
) -> tuple[list[NotificationPayload], int | None]:
    """These groups as Notifications, newest first, and the unread count: one query over their
    rows (no query, and no count, without groups)."""
    if not keys:
        return [], None
    singles = Ids(-group for _, group, _ in keys if group < 0)
    grouped: dict[tuple[str, bool], Ids] = {kinds: Ids() for kinds in _GROUP_LISTS}
    for kind, group, read in keys:
        if group > 0:
            grouped[(kind, read)].append(group)
    values: dict = {_USER: user_id, _NOW: now, _SINGLES: singles}
    values.update((_GROUPS - n, grouped[kinds]) for n, kinds in enumerate(_GROUP_LISTS))
    found: dict[GroupKey, NotificationPayload] = {}
    rows = _payload_rows().rows(values)
    for kind, group, read, top, people, created_at, tweet_id, reason, actor_id, name, _ in rows:
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
    # The count is the same on every row; a page of groups has at least one.
    unread = rows[0][-1] if rows else None
    return sorted(found.values(), key=lambda payload: payload["id"], reverse=True), unread


def _page(*, user, cursor: str, limit: int) -> tuple[list[NotificationPayload], str | None, int | None]:
    """A page, the next page's cursor and the unread count (None for a page without groups).
    Queries: the groups' keys (page 1: the newest rows), then their rows with the count; each
    compiled once per process."""
    before = cursor_id(cursor)
    # One instant for both queries: a suspension ending between them cannot split a group.
    now = timezone.now()
    keys = _newest_groups(user_id=user.pk, now=now, count=limit + 1) if before is None else None
    if keys is None:
        keys = _groups_before(user_id=user.pk, now=now, before=before, count=limit + 1)
    payloads, unread = _payloads(user_id=user.pk, now=now, keys=keys)
    next_cursor = str(payloads[limit - 1]["id"]) if len(payloads) > limit else None
    return payloads[:limit], next_cursor, unread


def notification_page_and_unread(
    *, user, cursor: str, limit: int
) -> tuple[list[NotificationPayload], str | None, int]:
    """A page of the user's notifications, newest activity first, the next page's cursor (None at
    the end) and the unread count: the count rides on the page's rows query, or is one query of
    its own when the page is empty."""
    payloads, next_cursor, unread = _page(user=user, cursor=cursor, limit=limit)
    return payloads, next_cursor, unread_count(user=user) if unread is None else unread


def notification_page(*, user, cursor: str, limit: int) -> tuple[list[NotificationPayload], str | None]:
    """A page of the user's notifications, newest activity first, and the next page's cursor (None
    at the end)."""
    payloads, next_cursor, _ = _page(user=user, cursor=cursor, limit=limit)
    return payloads, next_cursor


def muted_kinds(*, user) -> list[str]:
    """The kinds the user muted (Settings)."""
    return list(Mute.objects.filter(user=user).order_by("kind").values_list("kind", flat=True))


def digest_wanted(*, user) -> bool:
    """Whether the user asked for the daily email."""
    return Digest.objects.filter(user=user).exists()
