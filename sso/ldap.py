"""Signing in with a directory (LDAP / Active Directory) username and password: django-auth-ldap binds
as the person to check the password; Chirp makes or links the account through sso.services."""

from django.conf import settings
from django_auth_ldap.backend import LDAPBackend

from common.errors import ChirpError
from sso.services import ldap_account_sign_in, profile_sync


class LdapBackend(LDAPBackend):
    """django-auth-ldap's backend, through its documented hooks only: the account comes from
    sso.services.ldap_account_sign_in (never a bare User row), the moderator role follows
    LDAP_MODERATOR_GROUP, and deactivated accounts are refused at sign-in and on every request."""

    def get_or_build_user(self, username, ldap_user):
        attributes = ldap_user.attrs or {}
        moderator = None
        if settings.LDAP_MODERATOR_GROUP:
            moderator = settings.LDAP_MODERATOR_GROUP.lower() in {dn.lower() for dn in ldap_user.group_dns}
        user = ldap_account_sign_in(
            username=username,
            name=_first(attributes, settings.LDAP_NAME_ATTRIBUTE),
            email=_first(attributes, settings.LDAP_EMAIL_ATTRIBUTE),
            moderator=moderator,
        )
        if user is None:
            raise ldap_user.AuthenticationFailed("deactivated account")
        # The directory is the profile's source, as the ID token is for OpenID sign-ins.
        profile_sync(
            user=user,
            name=_first(attributes, settings.LDAP_NAME_ATTRIBUTE),
            title=_first(attributes, settings.LDAP_TITLE_ATTRIBUTE),
            department=_first(attributes, settings.LDAP_DEPARTMENT_ATTRIBUTE),
        )
        return user, False

    def authenticate_ldap_user(self, ldap_user, password):
        try:
            return super().authenticate_ldap_user(ldap_user, password)
        except ChirpError:
            # A directory entry the accounts service refuses (e.g. a name it does not accept):
            # as a failed sign-in, not an error page.
            return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _first(attributes: dict, name: str) -> str:
    values = attributes.get(name) or [""]
    return str(values[0])
