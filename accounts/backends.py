from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
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
