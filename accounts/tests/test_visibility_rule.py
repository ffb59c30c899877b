"""The author-visibility rule ("active and not suspended"), whose one statement is visible_user_q,
and its complement hidden_user_q (User.objects.hidden)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import SUSPENDED_INDEFINITELY, User, visible_user_q


def test_only_active_users_without_a_suspension_in_force_are_visible(make_user):
    """Every combination of active and suspension state, at one instant."""
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
    for name, fields in cases.items():
        user = make_user(name).user
        User.objects.filter(pk=user.pk).update(**fields)

    visible = set(User.objects.filter(visible_user_q(now=now)).values_list("name", flat=True))
    hidden = set(User.objects.hidden(now=now).values_list("name", flat=True))

    assert visible == {"plain", "suspension over", "suspension ends now"}
    assert hidden == set(cases) - visible
