"""The admin site: only active, unsuspended staff get in, and its login is throttled like the API's."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from accounts.selectors import login_fields, user_sign_in
from common.errors import InvalidCredentials, RateLimited, Suspended


class AdminLoginForm(AdminAuthenticationForm):
    """Django's admin login through the API's and the web's sign-in (accounts.selectors.user_sign_in):
    username or email, the same throttle, closed to suspended accounts."""

    def clean(self):
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is None or not password:
            return self.cleaned_data
        try:
            self.user_cache = user_sign_in(request=self.request, password=password, **login_fields(login))
        except RateLimited as exc:
            raise forms.ValidationError(
                f"Too many login attempts; try again in {exc.retry_after} seconds.", code="throttled"
            ) from None
        except InvalidCredentials:
            raise self.get_invalid_login_error() from None
        except Suspended as exc:
            raise forms.ValidationError(
                f"{exc.message} The admin is closed to it.", code="suspended"
            ) from None
        # Django's own: active staff only.
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ChirpAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        # A suspended moderator keeps a session cookie: it must stop working with the suspension.
        if not super().has_permission(request):
            return False
        try:
            request.user.suspension_check()
        except Suspended:
            return False
        return True
