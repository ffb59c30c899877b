"""The author-visibility rule ("active and not suspended") says the same in the ORM, SQL and Python."""

from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, VISIBLE_USER_SQL, User, visible_user_q


def test_the_orm_the_raw_sql_and_the_model_agree_on_who_is_visible(make_user):
    """Every combination of active and suspension state: one answer from all three definitions."""
    now = timezone.now()
    cases: dict[str, dict[str, Any]] = {
        "plain": {},
        "deactivated": {"is_active": False},
        "suspended": {"suspended_until": now + timedelta(hours=1)},
        "suspended for good": {"suspended_until": SUSPENDED_INDEFINITELY},
        "suspension over": {"suspended_until": now - timedelta(seconds=1)},
        "suspension ends now": {"suspended_until": now},
        "deactivated after a suspension": {"is_active": False, "suspended_until": now - timedelta(hours=1)},
    }
    users = {}
    for name, fields in cases.items():
        user = make_user(name).user
        User.objects.filter(pk=user.pk).update(**fields)
        users[name] = User.objects.get(pk=user.pk)

    by_orm = set(User.objects.filter(visible_user_q(now=now)).values_list("name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.name FROM {User._meta.db_table} AS u WHERE {VISIBLE_USER_SQL.format(alias='u')}",
            {"now": now},
        )
        by_sql = {name for (name,) in cursor.fetchall()}
    by_model = {name for name, user in users.items() if user.is_visible(now=now)}

    assert by_orm == by_sql == by_model == {"plain", "suspension over", "suspension ends now"}
