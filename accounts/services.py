import logging
import secrets
import smtplib
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import ApiKey, Follow, User, api_key_digest, api_key_prefix
from accounts.selectors import (
    CREDENTIALS_VERSION_CLAIM,
    USER_NOT_FOUND,
    active_user,
    email_taken,
    time_zones,
    user_for_password_reset_token,
    user_get,
    users_for_password_reset,
)
from accounts.signals import user_renamed
from accounts.throttling import password_reset_throttle_check
from common.errors import Invalid, InvalidCredentials, NotAllowed, NotFound
from common.queries import compiled_once, stand_ins_replaced, toggle_run, toggle_statement
from common.text import bidi_controls_balance, confusable_skeleton, has_visible_character, text_check
from notifications.services import (
    actor_may_notify,
    follow_day,
    follow_notified_cte,
    follow_notify,
    follow_unnotify,
    unfollow_unnotified_cte,
)
from ops import metrics

logger = logging.getLogger(__name__)

# The profile's free-text fields and their lengths (the model's max_length).
PROFILE_TEXT_LIMITS = {"title": 150, "department": 150, "bio": 500}


def api_key_generate() -> str:
    return secrets.token_urlsafe(32)


def _unique_username(name: str) -> str:
    return username_unique(base=slugify(name))


def username_taken(username: str, *, exclude: User | None = None) -> bool:
    """Whether another account has this username in any letter case (as Django's own forms compare
    them)."""
    rows = User.objects.filter(username__iexact=username)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.exists()


def username_unique(*, base: str) -> str:
    """`base` (letters, digits and . + - _ only) as a free username: a clash gets -2, -3, ..."""
    base = base[:140] or "user"
    candidate, n = base, 1
    while username_taken(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def name_text_clean(*, name: str) -> str:
    """A display name as it is stored, or Invalid on `name`: surrounding spaces and unpaired
    bidirectional controls stripped, no NUL, and at least one visible character. The part of
    name_clean that needs no database (the bulk importer applies it to every row)."""
    name = bidi_controls_balance(name).strip()
    if not name:
        raise Invalid.on_field("name", "This field may not be blank.")
    text_check(field="name", text=name)
    if not has_visible_character(name):
        raise Invalid.on_field("name", "A name needs at least one visible character.")
    return name


def name_clean(*, name: str, user: User | None = None) -> str:
    """The one display-name rule, which every door that sets a name reaches (user_create,
    user_update; the API, the web settings, the admin, commands, SSO and SCIM): name_text_clean,
    and not a name that looks like a staff member's other than `user` (the same letters whatever
    their case, accents, zero-width characters or lookalike scripts: confusable_skeleton).

    Only staff names are protected: colleagues may share a name, but nobody may pass for a
    moderator or an administrator.
    """
    name = name_text_clean(name=name)
    skeleton = confusable_skeleton(name)
    staff = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True))
    if user is not None and user.pk is not None:
        staff = staff.exclude(pk=user.pk)
    if any(confusable_skeleton(other) == skeleton for other in staff.values_list("name", flat=True)):
        raise Invalid.on_field("name", "This name looks like a staff member's; choose another.")
    return name


def user_create_check(
    *, name: str, username: str | None = None, email: str = "", password: str | None = None
) -> None:
    """The rules of a new account (Invalid on the field to blame), which user_create runs: a door
    with a form of its own (the admin's "add user") calls this to show them beside its fields."""
    name_clean(name=name)
    if username is not None:
        try:
            User._meta.get_field("username").run_validators(username)
        except DjangoValidationError as exc:
            raise Invalid(" ".join(exc.messages), fields={"username": list(exc.messages)}) from None
        if username_taken(username):
            raise Invalid.on_field("username", "A user with this username already exists.")
    email_validate_free(email=email)
    if password:
        password_validate(password=password, user=User(username=username or "", email=email, name=name))


@transaction.atomic
def user_create(
    *,
    name: str,
    username: str | None = None,
    email: str = "",
    password: str | None = None,
    api_key: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> tuple[User, str]:
    """Create a user with an api key; returns the user and the key, which is never stored.

    Every door creates accounts here (API, admin, createuser, seed_demo), so the rules of
    user_create_check hold for all of them.
    """
    user_create_check(name=name, username=username, email=email, password=password)
    name = name_text_clean(name=name)
    user = User(
        name=name,
        username=username or _unique_username(name),
        email=email,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    key = api_key_set(user=user, key=api_key)
    return user, key


@transaction.atomic
def api_key_set(*, user: User, key: str | None = None) -> str:
    """Revoke the user's current key and issue a new one (random unless given); returns it once."""
    key = key or api_key_generate()
    ApiKey.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    ApiKey.objects.create(user=user, digest=api_key_digest(key), prefix=api_key_prefix(key))
    # Credentials minted before (e.g. JWTs) stop working with the old key.
    _credentials_version_bump(user=user)
    return key


# One statement each on PostgreSQL, in autocommit, as a like is (common.queries.toggle_statement): the
# followee (active_user, user_get's rule), the follow row, and the followee's notification
# (notifications.services), which moves only if the row did, so nobody is notified twice or left
# with a notification for a follow that is gone. The request is the api key plus this one round
# trip, whatever the outcome.
def _follow_change_statement(
    *, follow: bool, notify: bool, follower_id: int, followee_id: int, now: datetime, day: int
) -> tuple[str, list]:
    """The one PostgreSQL statement (SQL, parameters) that follows or unfollows; `notify`: the
    follow notifies the followee (the follower may notify), grouped by `day` (follow_day(now))."""
    if follow:
        notified = follow_notified_cte(actor_id=follower_id, now=now, day=day) if notify else ("", [])
    else:
        notified = unfollow_unnotified_cte(actor_id=follower_id)
    return toggle_statement(
        table=Follow._meta.db_table,
        actor="follower_id",
        target_column="followee_id",
        actor_id=follower_id,
        now=now if follow else None,
        target=active_user(user_id=followee_id).values("id").query.sql_with_params(),
        notified=notified,
    )


# Stand for the follower, the followee and the time in the follow statement compiled once per
# process; replaced on each call.
_FOLLOWER = -987_654_341
_FOLLOWEE = -987_654_342
_FOLLOWED_AT = datetime(2000, 1, 3, tzinfo=UTC)
_FOLLOWED_DAY = -987_654_343


@compiled_once
def _follow_change_template(follow: bool, notify: bool) -> tuple[str, tuple]:
    """_follow_change_statement compiled once per process (building it from the ORM cost more than
    running it); its parameters hold _FOLLOWER, _FOLLOWEE, _FOLLOWED_AT and _FOLLOWED_DAY where
    each call's values go (the time and day only in a follow)."""
    sql, params = _follow_change_statement(
        follow=follow,
        notify=notify,
        follower_id=_FOLLOWER,
        followee_id=_FOLLOWEE,
        now=_FOLLOWED_AT,
        day=_FOLLOWED_DAY,
    )
    wanted = (
        _FOLLOWER,
        _FOLLOWEE,
        *((_FOLLOWED_AT,) if follow else ()),
        *((_FOLLOWED_DAY,) if notify else ()),
    )
    if any(stand_in not in params for stand_in in wanted):
        raise AssertionError("the follow statement does not bind the follower, the followee and the time")
    return sql, tuple(params)


def _follow_change_postgresql(*, follow: bool, follower: User, followee_id: int) -> bool:
    sql, template = _follow_change_template(follow, follow and actor_may_notify(follower))
    now = timezone.now()
    values = {
        _FOLLOWER: follower.pk,
        _FOLLOWEE: followee_id,
        _FOLLOWED_AT: now,
        _FOLLOWED_DAY: follow_day(now),
    }
    return toggle_run(sql, stand_ins_replaced(template, values), gone=NotFound(USER_NOT_FOUND))


def _follow_insert(*, follower: User, followee_id: int) -> bool:
    followee = user_get(user_id=followee_id)
    try:
        # A savepoint of its own, so a concurrent duplicate leaves the caller's transaction usable;
        # the followee's notification commits with the follow.
        with transaction.atomic():
            Follow.objects.create(follower=follower, followee=followee)
            follow_notify(actor=follower, recipient_id=followee.pk)
    except IntegrityError:
        return False
    return True


def _follow_delete(*, follower: User, followee_id: int) -> bool:
    followee = user_get(user_id=followee_id)
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            follow_unnotify(actor_id=follower.pk, recipient_id=followee.pk)
    return deleted > 0


def follow_add(*, follower: User, followee_id: int) -> bool:
    """Follow an active user (else NotFound); idempotent. Returns whether a new follow was created.

    PostgreSQL runs _FOLLOW_SQL, one autocommit statement with the notification, as likes do;
    SQLite cannot modify data inside WITH, so it runs the same rules (active_user,
    notifications.services) as ORM statements in one transaction. accounts/tests/test_follow.py
    and notifications' tests run on both databases.
    """
    if followee_id == follower.pk:
        raise Invalid("You cannot follow yourself.")
    if connection.vendor == "postgresql":
        added = _follow_change_postgresql(follow=True, follower=follower, followee_id=followee_id)
    else:
        added = _follow_insert(follower=follower, followee_id=followee_id)
    if added:
        metrics.inc_on_commit(metrics.FOLLOWS_ADDED)
    return added


def follow_remove(*, follower: User, followee_id: int) -> bool:
    """Unfollow an active user (else NotFound); idempotent. Returns whether a follow was removed;
    a follow notification not read yet goes with it."""
    if connection.vendor == "postgresql":
        return _follow_change_postgresql(follow=False, follower=follower, followee_id=followee_id)
    return _follow_delete(follower=follower, followee_id=followee_id)


def _credentials_version_bump(*, user: User, **fields) -> None:
    """Save `fields` and bump credentials_version in one UPDATE: JWTs minted before stop working."""
    User.objects.filter(pk=user.pk).update(credentials_version=F("credentials_version") + 1, **fields)
    user.refresh_from_db(fields=["credentials_version", *fields])


def password_validate(*, password: str, user: User) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS, as Invalid on the `password` field."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise Invalid(" ".join(exc.messages), fields={"password": list(exc.messages)}) from None


def email_validate_free(*, email: str, user: User | None = None) -> None:
    if email and email_taken(email=email, exclude=user):
        raise Invalid.on_field("email", "Another user already has this email address.")


@transaction.atomic
def password_set(*, user: User, password: str | None) -> None:
    """Validate and set a new password (None: no password login at all); the user's JWTs stop working."""
    if password is None:
        user.set_unusable_password()
    else:
        password_validate(password=password, user=user)
        user.set_password(password)
    _credentials_version_bump(user=user, password=user.password)


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """A user changing their own password, which requires the current one."""
    if not user.check_password(current_password):
        raise Invalid.on_field(
            "current_password", "This is not your current password.", code="wrong_current_password"
        )
    password_set(user=user, password=new_password)


@transaction.atomic
def user_update(
    *,
    user: User,
    name: str | None = None,
    email: str | None = None,
    is_staff: bool | None = None,
    username: str | None = None,
    is_superuser: bool | None = None,
    title: str | None = None,
    department: str | None = None,
    bio: str | None = None,
) -> User:
    """Change a user's profile fields; None leaves a field as it is.

    Unaudited: staff changes to someone's account go through moderation.services.user_account_update.
    """
    if name is not None:
        name = name_clean(name=name, user=user)
    if email is not None:
        email_validate_free(email=email, user=user)
    fields = {
        "name": name,
        "email": email,
        "is_staff": is_staff,
        "username": username,
        "is_superuser": is_superuser,
        "title": title if title is None else title.strip(),
        "department": department if department is None else department.strip(),
        "bio": bio if bio is None else bio.strip(),
    }
    changes = {field: value for field, value in fields.items() if value is not None}
    for field, limit in PROFILE_TEXT_LIMITS.items():
        text = str(changes.get(field, ""))
        if len(text) > limit:
            raise Invalid.on_field(field, f"At most {limit} characters.")
        if "\x00" in text:
            raise Invalid.on_field(field, "Null characters are not allowed.")
    for field, value in changes.items():
        setattr(user, field, value)
    if changes:
        user.save(update_fields=list(changes))
    if "name" in changes:
        # Feeds show likers by name from a cache; the apps that keep such copies listen.
        user_renamed.send(sender=User, user_id=user.pk)
    return user


def locale_set(*, user: User, language: str, time_zone: str) -> None:
    """The pages' language (a code of LANGUAGES) and time zone (an IANA name) for this person on
    every device; an empty string: what their browser says."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid.on_field("language", f"Not a language of this site: {language!r}.")
    if time_zone and time_zone not in time_zones():
        raise Invalid.on_field("time_zone", f"Not a known time zone: {time_zone!r}.")
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])


@transaction.atomic
def deactivation_store(*, user: User) -> None:
    """Store a deactivation, keeping the data; its tweets leave every feed and its JWTs stop working.

    Unaudited: staff deactivate through moderation.services.user_deactivate.
    """
    # Bumping the version too means reactivation does not revive tokens issued before.
    _credentials_version_bump(user=user, is_active=False)


@transaction.atomic
def reactivation_store(*, user: User) -> None:
    """Store a reactivation: its tweets are back in feeds; it logs in again (unaudited)."""
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True


@transaction.atomic
def profile_update(
    *,
    user: User,
    name: str | None = None,
    password: str | None = None,
    current_password: str = "",
    bio: str | None = None,
    title: str | None = None,
    department: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
) -> None:
    """A user changing their own profile, language and time zone, and/or password (which requires
    the current one)."""
    if password is not None:
        password_change(user=user, current_password=current_password, new_password=password)
    user_update(user=user, name=name, bio=bio, title=title, department=department)
    if language is not None or time_zone is not None:
        locale_set(
            user=user,
            language=user.language if language is None else language,
            time_zone=user.time_zone if time_zone is None else time_zone,
        )


def _unsigned(encoded: str) -> str:
    # The outstanding-token table (and its admin page) records a token without its signature: enough
    # to identify it, useless as a credential to whoever reads the table.
    return encoded.rsplit(".", 1)[0]


def _token_pair_issue(*, user: User) -> dict[str, str]:
    """A refresh token (recorded as outstanding, for the blacklist) and an access token minted from it."""
    refresh = RefreshToken()
    refresh[jwt_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[CREDENTIALS_VERSION_CLAIM] = user.credentials_version
    encoded = str(refresh)
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[jwt_settings.JTI_CLAIM],
        token=_unsigned(encoded),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    # The access token copies the refresh token's claims, `cv` included.
    return {"access": str(refresh.access_token), "refresh": encoded}


def _refresh_token_blacklist(*, token: RefreshToken, user: User) -> bool:
    """Blacklist a refresh token; False when it already was (another request used it first)."""
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token[jwt_settings.JTI_CLAIM],
        defaults={
            "user": user,
            "token": _unsigned(str(token)),
            "created_at": token.current_time,
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    # The unique token_id of the blacklist decides which of two concurrent uses wins.
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    return created


@transaction.atomic
def user_login(*, user: User) -> dict[str, str]:
    """Issue a JWT pair to a user whose password was just checked."""
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return _token_pair_issue(user=user)


@transaction.atomic
def refresh_token_rotate(*, token: RefreshToken, user: User) -> dict[str, str]:
    """Spend a refresh token on a new pair; a refresh token works once."""
    if not _refresh_token_blacklist(token=token, user=user):
        raise InvalidCredentials("Invalid refresh token: Token is blacklisted.")
    return _token_pair_issue(user=user)


@transaction.atomic
def refresh_token_revoke(*, token: RefreshToken, user: User) -> None:
    """Log out: the refresh token can no longer be used (access tokens expire on their own)."""
    _refresh_token_blacklist(token=token, user=user)


def suspension_store(*, user: User, until: datetime) -> None:
    """Store a suspension until `until` (SUSPENDED_INDEFINITELY for no end); it lifts itself then.

    Unaudited: moderators suspend through moderation.services.user_suspend.
    """
    User.objects.filter(pk=user.pk).update(suspended_until=until)
    user.suspended_until = until


def suspension_clear(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(suspended_until=None)
    user.suspended_until = None


def account_action_check(*, actor: User, target: User, own_account_allowed: bool = False) -> None:
    """The one rule for staff acting on an account, which every door reaches through the workflows.

    Only a superuser acts on a staff account (a moderator could otherwise take over or lock out
    another, or the superuser): NotAllowed. Nobody changes the status of their own account
    (suspension, activation, staff rights, a password set without the current one): Invalid, unless
    `own_account_allowed` (e.g. editing one's own name, hiding one's own tweet).
    """
    if target.pk == actor.pk:
        if not own_account_allowed:
            raise Invalid("You cannot do this to your own account.")
        return
    if (target.is_staff or target.is_superuser) and not actor.is_superuser:
        raise NotAllowed("Only a superuser can act on a staff account.")


def account_action_allowed(*, actor: User, target: User, own_account_allowed: bool = False) -> bool:
    """account_action_check as a yes or no, for doors that filter a selection before acting."""
    try:
        account_action_check(actor=actor, target=target, own_account_allowed=own_account_allowed)
    except (Invalid, NotAllowed):
        return False
    return True


def password_reset_request(*, email: str, address: str, site: str) -> None:
    """Mail a one-time password reset link to the local account with this email address, if any.

    Throttled per client `address` and per email asked for (RateLimited). Every door gives the same
    answer whether or not an account has the address, so this returns nothing; a mail server that
    refuses is logged, not reported, for the same reason. `site` is the origin the link points to
    (e.g. "https://chirp.example.com"), from the request's host, which ALLOWED_HOSTS vouches for.
    """
    password_reset_throttle_check(email=email, address=address)
    for user in users_for_password_reset(email=email):
        path = reverse(
            "web:password-reset-link",
            kwargs={
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {
            "user": user,
            "url": site.rstrip("/") + path,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        body = render_to_string("accounts/password_reset_email.txt", context)
        try:
            send_mail(_("Reset your Chirp password"), body, None, [user.email])
        except (smtplib.SMTPException, OSError):
            logger.exception("The password reset email to user %s could not be sent.", user.pk)


@transaction.atomic
def password_reset_complete(*, uid: str, token: str, password: str) -> User:
    """Set a new password through a password reset link, which this spends; the person's other
    sessions (their session hash changes with the password) and JWTs end."""
    user = password_reset_link_check(uid=uid, token=token)
    password_set(user=user, password=password)
    return user


def password_reset_link_check(*, uid: str, token: str) -> User:
    """The user of a valid password reset link; InvalidCredentials when forged, expired or used."""
    user = user_for_password_reset_token(uid=uid, token=token)
    if user is None:
        raise InvalidCredentials(_("This password reset link is invalid, expired or already used."))
    return user


@transaction.atomic
def avatar_store(*, user: User, avatar: str) -> str:
    """Record the user's avatar files' name ("" for the initials image); returns the one it replaces.

    Unaudited plumbing: people change their avatar through media.services.avatar_set.
    """
    previous = User.objects.select_for_update().values_list("avatar", flat=True).get(pk=user.pk)
    User.objects.filter(pk=user.pk).update(avatar=avatar)
    user.avatar = avatar
    return previous
