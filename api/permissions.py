from rest_framework.permissions import BasePermission


class IsActiveUser(BasePermission):
    """Authenticated, and not suspended by a moderator (checked for every kind of credential)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        # Suspended (the account_suspended envelope) while a moderator's suspension lasts.
        user.suspension_check()
        return True


class IsStaff(BasePermission):
    """Administrators only (after IsActiveUser, so anonymous requests still get 401)."""

    message = "Only staff can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_staff)
