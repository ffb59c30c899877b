from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.selectors import user_by_id


class SessionUserBackend(ModelBackend):
    """ModelBackend whose get_user, which loads a session's user on every page request, reads the
    user with accounts.selectors.user_by_id (one written-out statement, not an ORM query built each
    time); deactivated accounts are refused as ModelBackend refuses them."""

    def get_user(self, user_id):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PasswordBackend(SessionUserBackend):
    """Django's username and password check, for superusers only when LOCAL_LOGIN is off.

    Every password door (the web sign-in, the admin, POST /api/auth/token) goes through
    django.contrib.auth.authenticate, so this one rule covers them all. A refused superuser-only
    sign-in looks like wrong credentials: it does not tell whether the password was right.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not (settings.LOCAL_LOGIN or user.is_superuser):
            return None
        return user
