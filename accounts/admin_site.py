"""The admin site: only active, unsuspended staff get in, and its login is throttled like the API's."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate

from accounts.throttling import client_address, login_attempt
from common.errors import RateLimited


class AdminLoginForm(AdminAuthenticationForm):
    """Django's admin login, through accounts.throttling, and closed to suspended accounts."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            self.user_cache = login_attempt(
                login=username,
                address=client_address(self.request),
                check=lambda: authenticate(self.request, username=username, password=password),
            )
        except RateLimited as exc:
            raise forms.ValidationError(
                f"Too many login attempts; try again in {exc.retry_after} seconds.", code="throttled"
            ) from None
        if self.user_cache is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_suspended():
            raise forms.ValidationError(
                f"{user.suspension_notice()} The admin is closed to it.", code="suspended"
            )


class ChirpAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        # A suspended moderator keeps a session cookie: it must stop working with the suspension.
        user = request.user
        return super().has_permission(request) and not user.is_suspended()
