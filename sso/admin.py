from django.conf import settings
from django.contrib import admin

from sso.models import LdapIdentity, OidcIdentity
from sso.services import oidc_identity_link


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Superusers link a provider's subject to an existing account by hand: needed where the provider
    does not say that emails are verified (Entra ID), so the first sign-in cannot link by email.
    Moderators get no permission on it: a link is a way into the account."""

    list_display = ("subject", "issuer", "user", "created_at")
    list_select_related = ("user",)
    search_fields = ("subject", "user__username", "user__name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)
    ordering = ("-id",)
    show_full_result_count = False

    def get_changeform_initial_data(self, request) -> dict:
        return {"issuer": settings.OIDC_ISSUER, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            obj.pk = oidc_identity_link(user=obj.user, issuer=obj.issuer, subject=obj.subject).pk


@admin.register(LdapIdentity)
class LdapIdentityAdmin(admin.ModelAdmin):
    """Which directory username signs in to which account (made at the first LDAP sign-in)."""

    list_display = ("username", "user", "created_at")
    list_select_related = ("user",)
    search_fields = ("username", "user__username", "user__name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)
    ordering = ("-id",)
    show_full_result_count = False
