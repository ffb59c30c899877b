from rest_framework.permissions import BasePermission

from common.errors import Suspended


class IsActiveUser(BasePermission):
    """Authenticated, and not suspended by a moderator (checked for every kind of credential)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if user.is_suspended():
            until = None if user.is_suspended_indefinitely() else user.suspended_until
            raise Suspended(user.suspension_notice(), until=until)
        return True


class IsStaff(BasePermission):
    """Administrators only (after IsActiveUser, so anonymous requests still get 401)."""

    message = "Only staff can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_staff)
