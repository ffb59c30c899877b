from django.utils import timezone
from rest_framework.permissions import BasePermission

from api.exceptions import AccountSuspended


class IsActiveUser(BasePermission):
    """Authenticated, and not suspended by a moderator (checked for every kind of credential)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if user.is_suspended():
            until = user.suspended_until
            if user.is_suspended_indefinitely():
                raise AccountSuspended("This account is suspended indefinitely.")
            raise AccountSuspended(
                f"This account is suspended until {timezone.localtime(until).isoformat()}.",
            )
        return True


class IsStaff(BasePermission):
    """Administrators only (after IsActiveUser, so anonymous requests still get 401)."""

    message = "Only staff can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_staff)
