"""Chirp's LDAP_* settings as django-auth-ldap's AUTH_LDAP_* ones (imported only when LDAP is on)."""

from urllib.parse import urlsplit

import ldap
from django.core.exceptions import ImproperlyConfigured
from django_auth_ldap.config import (
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

_GROUP_TYPES = {
    "groupOfNames": GroupOfNamesType,
    "activeDirectory": NestedActiveDirectoryGroupType,
    "groupOfUniqueNames": GroupOfUniqueNamesType,
    "posixGroup": PosixGroupType,
}
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def django_auth_ldap_settings(chirp: dict) -> dict:
    """The AUTH_LDAP_* settings for the LDAP_* ones in `chirp` (a settings namespace)."""
    uri = chirp["LDAP_SERVER_URI"]
    for server in uri.split():
        parts = urlsplit(server)
        # Passwords travel to the server: TLS unless it is on this machine.
        if parts.scheme != "ldaps" and not chirp["LDAP_START_TLS"] and parts.hostname not in _LOOPBACK:
            raise ImproperlyConfigured(
                f"LDAP_SERVER_URI={server!r}: use ldaps:// or LDAP_START_TLS=1 "
                "(plain ldap:// only on localhost)"
            )
    if not chirp["LDAP_USER_SEARCH_BASE"]:
        raise ImproperlyConfigured("LDAP_SERVER_URI is set: LDAP_USER_SEARCH_BASE must be set too")
    values = {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_START_TLS": chirp["LDAP_START_TLS"],
        "AUTH_LDAP_BIND_DN": chirp["LDAP_BIND_DN"],
        "AUTH_LDAP_BIND_PASSWORD": chirp["LDAP_BIND_PASSWORD"],
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            chirp["LDAP_USER_SEARCH_BASE"], ldap.SCOPE_SUBTREE, chirp["LDAP_USER_FILTER"]
        ),
        # sso.ldap.LdapBackend makes and links accounts through the accounts service itself.
        "AUTH_LDAP_USER_ATTR_MAP": {},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: chirp["LDAP_TIMEOUT"],
            ldap.OPT_TIMEOUT: chirp["LDAP_TIMEOUT"],
            ldap.OPT_REFERRALS: 0,
        },
    }
    if chirp["LDAP_GROUP_SEARCH_BASE"]:
        values["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(chirp["LDAP_GROUP_SEARCH_BASE"], ldap.SCOPE_SUBTREE)
        values["AUTH_LDAP_GROUP_TYPE"] = _GROUP_TYPES[chirp["LDAP_GROUP_TYPE"]]()
    elif chirp["LDAP_MODERATOR_GROUP"]:
        raise ImproperlyConfigured("LDAP_MODERATOR_GROUP needs LDAP_GROUP_SEARCH_BASE")
    return values
