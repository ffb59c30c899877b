"""Signing in through the OpenID provider: the Chirp account its claims name, made or linked once."""

import contextlib
import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import PROFILE_TEXT_LIMITS, name_clean, user_create, user_update, username_unique
from common.errors import Invalid, InvalidCredentials
from moderation.services import MODERATORS_GROUP, moderator_add, moderator_remove
from sso.models import LdapIdentity, OidcIdentity

NAME_MAX_LENGTH = User._meta.get_field("name").max_length or 150
_NOT_IN_USERNAME = re.compile(r"[^\w.+-]")


@transaction.atomic
def oidc_account_sign_in(*, issuer: str, claims: dict) -> User:
    """The account these verified ID token claims sign in to, made on the first sign-in.

    A subject seen before signs in to the account it is linked to. Otherwise an account with the
    same email is linked, but only when the provider says it verified that email (else anyone who
    can set an email at the provider could take over the account); with no such account, one is
    made through accounts.services.user_create, the door every account goes through. Deactivated
    and suspended accounts are refused, as at every other door. The profile follows the claims at
    each sign-in (oidc_profile_sync); the moderator role follows OIDC_MODERATOR_GROUPS when set.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        raise InvalidCredentials(_("The provider's ID token names no subject."))
    identity = OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is not None:
        user = identity.user
        _sign_in_check(user)
    else:
        user = _account_for_new_identity(claims)
        oidc_identity_link(user=user, issuer=issuer, subject=subject)
    oidc_profile_sync(user=user, claims=claims)
    if settings.OIDC_MODERATOR_GROUPS:
        groups = claims.get("groups")
        in_group = isinstance(groups, list) and bool(
            set(settings.OIDC_MODERATOR_GROUPS) & {str(group) for group in groups}
        )
        moderator_role_sync(user=user, member=in_group)
    return user


@transaction.atomic
def ldap_account_sign_in(*, username: str, name: str, email: str, moderator: bool | None) -> User | None:
    """The account of the directory user `username`, whose password the directory just accepted;
    made on the first sign-in. None for a deactivated account (as a wrong password); a suspended one
    is returned for each door to refuse with its message, as after a password check.

    A directory username seen before signs in to the account it is linked to. Otherwise the account
    with the directory's email is linked (the company's directory assigns and vouches for it), or
    one is made through accounts.services.user_create. `moderator` (None: not configured) is the
    LDAP_MODERATOR_GROUP membership, which gives or takes the role.
    """
    key = username.lower()
    identity = LdapIdentity.objects.select_related("user").filter(username=key).first()
    if identity is not None:
        user = identity.user
    else:
        email = _clean(email)[: User._meta.get_field("email").max_length]
        user = User.objects.with_email(email).first()
        if user is None:
            name = (_clean(name) or username)[:NAME_MAX_LENGTH]
            user, _key = user_create(
                name=name, username=username_unique(base=_username_base({}, "", username)), email=email
            )
        LdapIdentity.objects.create(user=user, username=key)
    if not user.is_active:
        return None
    if moderator is not None:
        moderator_role_sync(user=user, member=moderator)
    return user


# Where providers put a job title: OpenID Connect defines no such claim. Okta and Keycloak send
# what a mapper names (`title` is the usual choice), Entra ID's optional claim is `jobTitle`.
TITLE_CLAIMS = ("title", "job_title", "jobTitle")


def oidc_profile_sync(*, user: User, claims: dict) -> None:
    """Make the profile say what the ID token says, where it says anything: the name (`name`, or
    `given_name` and `family_name`), the job title (TITLE_CLAIMS) and `department`. `picture` is
    not fetched (see docs/identity.md: a URL of the provider's choosing, fetched by the server)."""
    title = next((_clean(claims[key]) for key in TITLE_CLAIMS if _clean(claims.get(key))), "")
    profile_sync(
        user=user, name=_claims_name(claims), title=title, department=_clean(claims.get("department"))
    )


def profile_sync(*, user: User, name: str, title: str, department: str) -> None:
    """Make the profile say what the company's identity system says (OpenID claims, the LDAP
    directory's attributes), at each sign-in. An empty value leaves the field as it is; a name the
    display-name rule refuses (one that looks like a staff member's) keeps the current one rather
    than refusing the sign-in."""
    changes: dict[str, str] = {}
    name = _clean(name)[:NAME_MAX_LENGTH]
    if name and name != user.name:
        with contextlib.suppress(Invalid):
            changes["name"] = name_clean(name=name, user=user)
    for field, value in (("title", _clean(title)), ("department", _clean(department))):
        value = value[: PROFILE_TEXT_LIMITS[field]]
        if value and value != getattr(user, field):
            changes[field] = value
    if changes:
        user_update(user=user, **changes)


@transaction.atomic
def oidc_identity_link(*, user: User, issuer: str, subject: str) -> OidcIdentity:
    """Link the provider's `subject` to `user`: their sign-ins through it reach that account."""
    return OidcIdentity.objects.create(user=user, issuer=issuer.rstrip("/"), subject=subject)


def _sign_in_check(user: User) -> None:
    if not user.is_active:
        raise InvalidCredentials(_("This account is deactivated."))
    user.suspension_check()


def _account_for_new_identity(claims: dict) -> User:
    email = _clean(claims.get("email"))[: User._meta.get_field("email").max_length]
    if email:
        existing = User.objects.with_email(email).first()
        if existing is not None:
            if claims.get("email_verified") is not True:
                raise InvalidCredentials(
                    _(
                        "An account with this email exists, and the provider has not verified the "
                        "email: ask an administrator to link your account."
                    )
                )
            _sign_in_check(existing)
            return existing
    name = _display_name(claims, email)
    user, _key = user_create(
        name=name, username=username_unique(base=_username_base(claims, email, name)), email=email
    )
    return user


def _clean(value) -> str:
    # Claims are the provider's JSON: anything but a string is ignored; NUL never reaches the database.
    return value.replace("\x00", "").strip() if isinstance(value, str) else ""


def _claims_name(claims: dict) -> str:
    given = " ".join(
        part for part in (_clean(claims.get("given_name")), _clean(claims.get("family_name"))) if part
    )
    return _clean(claims.get("name")) or given


def _display_name(claims: dict, email: str) -> str:
    name = _claims_name(claims) or _clean(claims.get("preferred_username")) or email.split("@")[0]
    return name[:NAME_MAX_LENGTH]


def _username_base(claims: dict, email: str, name: str) -> str:
    """The provider's username (without a domain: Entra ID and Okta send user@company), else the
    email's local part, else the name; only the characters Django's username validator allows."""
    for candidate in (_clean(claims.get("preferred_username")).split("@")[0], email.split("@")[0], name):
        cleaned = _NOT_IN_USERNAME.sub("", candidate.replace(" ", "-")).strip(".-")
        if cleaned:
            return cleaned
    return "user"


def moderator_role_sync(*, user: User, member: bool) -> None:
    """Moderator while in the provider's or directory's moderators' group (`member`), not after
    leaving it; superusers keep whatever they have."""
    if user.is_superuser:
        return
    is_moderator = user.is_staff and user.groups.filter(name=MODERATORS_GROUP).exists()
    if member and not is_moderator:
        moderator_add(user=user)
    elif not member and user.is_staff:
        moderator_remove(user=user)
