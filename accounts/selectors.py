import hmac
from functools import cache
from typing import cast
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import ApiKey, Follow, User, api_key_digest
from accounts.throttling import client_address, login_attempt
from common.errors import InvalidCredentials, NotAllowed, NotFound
from common.queries import count_subquery
from common.replicas import read_connection

# The JWT claim holding the User.credentials_version a token was minted under.
CREDENTIALS_VERSION_CLAIM = "cv"


# Every api request runs this lookup: written out once, it costs far less CPU than building the
# same join with the ORM on each call. The columns
# are named, not `u.*`: the statement is prepared on each connection, and a prepared `*` fails
# ("cached plan must not change result type") once a migration adds a column to the table.
# Every column of a user, in concrete field order (what _user_from_row reads), from the table `u`.
_USER_COLUMNS = ", ".join(
    # A concrete field always has a column, which django-stubs types as optional.
    f"u.{connection.ops.quote_name(cast(str, field.column))}"
    for field in User._meta.concrete_fields
)
_KEY_OWNER_SQL = (
    f"SELECT {_USER_COLUMNS}, k.digest AS api_key_digest FROM {User._meta.db_table} AS u "
    f"JOIN {ApiKey._meta.db_table} AS k ON k.user_id = u.id "
    "WHERE k.digest = %s AND k.revoked_at IS NULL"
)


def _user_from_row(alias: str, values: tuple) -> User:
    """A User from _KEY_OWNER_SQL's columns, converted as the ORM would (SQLite's datetimes, booleans)."""
    conn = connections[alias]
    converters = _USER_CONVERTERS.get(conn.vendor)
    if converters is None:
        converters = []
        for index, field in enumerate(_USER_FIELDS):
            column = field.get_col(User._meta.db_table)
            # As the ORM's compiler does: the backend's converters, then the field's own.
            functions = conn.ops.get_db_converters(column) + column.get_db_converters(conn)
            if functions:
                converters.append((index, column, functions))
        _USER_CONVERTERS[conn.vendor] = converters
    if converters:
        row = list(values)
        for index, column, functions in converters:
            for convert in functions:
                row[index] = convert(row[index], column, conn)
        values = tuple(row)
    return User.from_db(alias, _USER_ATTNAMES, values)


_USER_FIELDS = User._meta.concrete_fields
_USER_ATTNAMES = [field.attname for field in _USER_FIELDS]
_USER_CONVERTERS: dict[str, list] = {}


def user_for_api_key(key: str) -> User | None:
    """The owner of an active key, in one indexed query; None when unknown or revoked.

    A plain cursor and Model.from_db, not User.objects.raw(): every API request runs this, and the
    raw queryset's per-call column mapping cost more CPU than the query's round trip.
    """
    if not key:
        return None
    digest = api_key_digest(key)
    alias = router.db_for_read(User)
    with connections[alias].cursor() as cursor:
        cursor.execute(_KEY_OWNER_SQL, [digest])
        row = cursor.fetchone()
    # The lookup already matched on the digest; compare again in constant time anyway so that
    # no code path ever compares secrets with `==`.
    if row is None or not hmac.compare_digest(row[-1], digest):
        return None
    return _user_from_row(alias, row[:-1])


# The signed-in user of a web session, which every page request loads: written out once, as the
# api key lookup is, where the ORM would build and compile the same query each time.
_USER_BY_ID_SQL = f"SELECT {_USER_COLUMNS} FROM {User._meta.db_table} AS u WHERE u.id = %s"


def user_by_id(user_id) -> User | None:
    """The user with this id (an int, or its text as a session keeps it), active or not; None when
    there is none or the id is not a number."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    alias = router.db_for_read(User)
    with connections[alias].cursor() as cursor:
        cursor.execute(_USER_BY_ID_SQL, [pk])
        row = cursor.fetchone()
    return None if row is None else _user_from_row(alias, row)


USER_NOT_FOUND = "No such user."


def active_user(*, user_id: int) -> QuerySet[User]:
    """The active user with this id, if any: the rule of user_get and of the follow statement."""
    return User.objects.filter(is_active=True, pk=user_id)


def user_get(*, user_id: int) -> User:
    """An active user by id; NotFound otherwise."""
    user = active_user(user_id=user_id).first()
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    return user


# Both lists of a profile in one round trip, written out once: GET /api/users/me is among the
# most frequent requests, and building the two ORM queries it replaces cost more than running them.
_PROFILE_SQL = (
    f"SELECT 0 AS side, u.id, u.name FROM {Follow._meta.db_table} AS f "
    f"JOIN {User._meta.db_table} AS u ON u.id = f.follower_id WHERE f.followee_id = %s AND u.is_active "
    "UNION ALL "
    f"SELECT 1 AS side, u.id, u.name FROM {Follow._meta.db_table} AS f "
    f"JOIN {User._meta.db_table} AS u ON u.id = f.followee_id WHERE f.follower_id = %s AND u.is_active "
    "ORDER BY 1, 2"
)


def user_profile(*, user: User) -> dict:
    """The contract's Profile: id, name, followers and following (active users only), by id; plus
    profile_details.

    One query (the user row is already loaded).
    """
    lists: tuple[list, list] = ([], [])
    with read_connection().cursor() as cursor:
        cursor.execute(_PROFILE_SQL, [user.pk, user.pk])
        for side, user_id, name in cursor.fetchall():
            lists[side].append({"id": user_id, "name": name})
    return {
        "id": user.id,
        "name": user.name,
        "followers": lists[0],
        "following": lists[1],
        **profile_details(user=user),
    }


def profile_details(*, user: User) -> dict:
    """What a profile adds to the contract's fields: the login name, the avatar's URL, and the
    person's bio, job title and department (empty strings when not given)."""
    return {
        "username": user.username,
        "avatar": user.avatar_url,
        "bio": user.bio,
        "title": user.title,
        "department": user.department,
    }


def user_for_token(token: Token) -> User | None:
    """The active user a JWT was minted for; None when deactivated or their credentials changed since.

    One query.
    """
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM), is_active=True).first()
    if user is None or token.get(CREDENTIALS_VERSION_CLAIM) != user.credentials_version:
        return None
    return user


def refresh_token_check(raw: str) -> tuple[RefreshToken, User]:
    """A valid, unexpired, not blacklisted refresh token and its still valid user, or InvalidCredentials."""
    try:
        # simplejwt annotates its encoded-token argument as a Token; it takes the str it decodes.
        token = RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidCredentials(f"Invalid refresh token: {exc}.") from None
    user = user_for_token(token)
    if user is None:
        raise InvalidCredentials(
            "This token is no longer valid (deactivated account, or changed password or api key)."
        )
    return token, user


def user_for_credentials(*, request, password: str, username: str = "", email: str = "") -> User | None:
    """The active user with this username (or email) and password, or None."""
    if email:
        found = User.objects.with_email(email).values_list("username", flat=True).first()
        if found is None:
            # Hash anyway, so the response time does not reveal which emails have accounts.
            User().set_password(password)
            return None
        username = found
    # Django's ModelBackend refuses inactive users and unusable passwords.
    return authenticate(request, username=username, password=password)


def login_fields(login: str) -> dict[str, str]:
    """A single "username or email" field (the web's, the admin's) as user_sign_in's keywords."""
    return {"email": login} if "@" in login else {"username": login}


def user_sign_in(*, request, password: str, username: str = "", email: str = "") -> User:
    """The user these credentials sign in, whichever door they come through (API, web, admin).

    Throttled per account and address (accounts.throttling.login_attempt: RateLimited), then
    InvalidCredentials for a wrong password or a deactivated account (the same message: it reveals
    nothing), then Suspended for a suspended one.
    """
    user = login_attempt(
        login=username or email,
        address=client_address(request),
        check=lambda: user_for_credentials(
            request=request, password=password, username=username, email=email
        ),
    )
    if user is None:
        raise InvalidCredentials("No active account with these credentials.")
    user.suspension_check()
    return user


def email_taken(*, email: str, exclude: User | None = None) -> bool:
    return User.objects.email_taken(email=email, exclude=exclude)


def user_get_any(*, user_id: int) -> User:
    """A user by id, active or not (for administrators); NotFound otherwise."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    return user


def user_directory(
    *, viewer: User, search: str = "", include_inactive: bool = False, colleagues_only: bool = False
) -> QuerySet[User]:
    """Users by name with their follower and following counts and whether `viewer` follows them;
    with `search`, those whose name or username contains it (any letter case, a leading @ ignored).

    One query per page whatever its size (plus the paginator's COUNT); counts include active users only,
    like the profile's lists. Deactivated users are listed for staff only (NotAllowed otherwise).
    `colleagues_only` leaves out superusers: the site's administrator accounts, which nobody follows.
    """
    if include_inactive and not viewer.is_staff:
        raise NotAllowed("Only staff can list deactivated users.")
    users = User.objects.all() if include_inactive else User.objects.filter(is_active=True)
    if colleagues_only:
        users = users.filter(is_superuser=False)
    # Only what a row shows: never load password hashes into a listing.
    users = users.only(
        "id", "name", "username", "email", "is_active", "is_staff", "suspended_until", "avatar"
    )
    search = search.strip().removeprefix("@")
    if search:
        users = users.filter(Q(name__icontains=search) | Q(username__icontains=search))
    return users.annotate(
        followers_count=count_subquery(Follow, "followee", follower__is_active=True),
        following_count=count_subquery(Follow, "follower", followee__is_active=True),
        followed_by_me=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk"))),
    ).order_by("name", "id")


def users_for_password_reset(*, email: str) -> list[User]:
    """The active local accounts (with a usable password) that this email address, any letter case,
    may reset; at most one, as emails are unique. Accounts that sign in elsewhere only have none."""
    users = User.objects.with_email(email).filter(is_active=True)
    if not settings.LOCAL_LOGIN:
        # Passwords sign in superusers only then (accounts.backends.PasswordBackend).
        users = users.filter(is_superuser=True)
    return [user for user in users if user.has_usable_password()]


def user_for_password_reset_token(*, uid: str, token: str) -> User | None:
    """The active user whose one-time password reset link this is; None when forged, expired or used.

    The token (Django's generator) is bound to the password hash and last login: setting the
    password or signing in spends it.
    """
    try:
        user_id = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if not 0 < user_id < 2**63:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not default_token_generator.check_token(user, token):
        return None
    return user


def author_avatars(*, author_ids: set[int]) -> dict[int, str]:
    """The uploaded avatars' names of those of these users who have one, in one query (none for
    no ids): the tweet payload names its authors without them."""
    if not author_ids:
        return {}
    return dict(User.objects.filter(pk__in=author_ids).exclude(avatar="").values_list("pk", "avatar"))


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this system knows (read from its zone files once per process)."""
    return frozenset(available_timezones())
