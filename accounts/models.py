import hashlib
from datetime import UTC, datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from common.errors import Suspended

# Stored as `suspended_until` for a suspension without an end, so that "is suspended now" is a
# single comparison in every query that filters suspended authors out.
SUSPENDED_INDEFINITELY = datetime(9999, 12, 31, tzinfo=UTC)

# The square sizes (pixels) an uploaded avatar is stored in: posts, profiles and lists, a profile page.
AVATAR_SIDES = (48, 96, 256)


def visible_user_q(prefix: str = "", *, now: datetime | None = None) -> Q:
    """The author-visibility rule, "active and not suspended", on the user at `prefix` (e.g. "author__").

    Written once: raw SQL that needs it is compiled from a queryset using it (tweets.selectors'
    visible_tweets).
    """
    now = now or timezone.now()
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}suspended_until__isnull": True}) | Q(**{f"{prefix}suspended_until__lte": now})
    )


def hidden_user_q(prefix: str = "", *, now: datetime | None = None) -> Q:
    """visible_user_q's complement, "deactivated, or suspended at `now`", on the user at `prefix`.

    Stated positively rather than as ~visible_user_q so that PostgreSQL reads these few people
    from user_hidden_idx instead of the whole users table (the test of visible_user_q checks that
    the two split every user).
    """
    now = now or timezone.now()
    return Q(**{f"{prefix}is_active": False}) | Q(**{f"{prefix}suspended_until__gt": now})


SESSION_HASH_SALT = "chirp.accounts.User.get_session_auth_hash"


class UserManager(DjangoUserManager["User"]):
    def _create_user(self, username, email, password, **extra_fields):
        # `manage.py createsuperuser` checks the username is free but not the email, which our
        # constraint makes unique: without this it ends in the database's IntegrityError. The
        # command turns a ValidationError into a one-line "Error: ...".
        if email and self.email_taken(email=email):
            raise ValidationError("A user with that email address already exists.", code="unique")
        # django-stubs leaves out this private method, which Django 5.2 has and its create_* methods call.
        return super()._create_user(username, email, password, **extra_fields)  # type: ignore[misc]

    def with_email(self, email: str) -> "models.QuerySet[User]":
        """The account with this email, whatever its letter case, as user_email_unique_ci compares
        them (none for a blank one); the one lookup behind logins, throttling and "email taken"."""
        email = email.strip()
        if not email:
            return self.none()
        # `email <> ''` as in the index's condition, so that PostgreSQL can use it.
        return (
            self.exclude(email="")
            .alias(email_lower=Lower("email"))
            .filter(email_lower=Lower(models.Value(email)))
        )

    def hidden(self, *, now: datetime | None = None) -> "models.QuerySet[User]":
        """The people hidden from others at `now` (hidden_user_q): for apps below accounts, which
        reach the user model through get_user_model() (notifications leaves out their actions)."""
        return self.filter(hidden_user_q(now=now))

    def email_taken(self, *, email: str, exclude: "User | None" = None) -> bool:
        """Whether another account has this email, whatever its letter case (login accepts either)."""
        rows = self.with_email(email)
        if exclude is not None:
            rows = rows.exclude(pk=exclude.pk)
        return rows.exists()


class User(AbstractUser):
    """An employee. `name` is the display name the contract shows everywhere."""

    objects: ClassVar[UserManager] = UserManager()

    name = models.CharField(max_length=150)
    suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="Suspended while this time is in the future."
    )
    # The profile people see beside the name; the directory (SCIM) may fill title and department.
    title = models.CharField(max_length=150, blank=True, default="", db_default="")
    department = models.CharField(max_length=150, blank=True, default="", db_default="")
    bio = models.CharField(max_length=500, blank=True, default="", db_default="")
    # An uploaded photo, stored square in AVATAR_SIDES sizes (media.services.avatar_set) under
    # unguessable names: this name with "-<side>" before its extension. Empty: generated initials.
    avatar = models.CharField(max_length=255, blank=True, default="", db_default="")
    # The pages' language (a code of LANGUAGES) and time zone (an IANA name) chosen in Settings,
    # followed on every device the person signs in on. Empty: what the browser says.
    language = models.CharField(max_length=10, blank=True, default="", db_default="")
    time_zone = models.CharField(max_length=64, blank=True, default="", db_default="")
    # Bumped when the password or api key changes; credentials minted before are then refused.
    credentials_version = models.PositiveIntegerField(default=0, editable=False)

    REQUIRED_FIELDS = ["email", "name"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="user_name_not_blank"),
            # Login accepts the email instead of the username, so it must name one account.
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"),
        ]
        indexes = [
            # @mentions name users in any letter case (tweets.services._mentioned_ids): without it,
            # each post that mentions someone reads the whole users table.
            models.Index(Lower("username"), name="user_username_lower_idx"),
            # The few people who are, were or may be hidden (hidden_user_q): reads that leave out
            # their actions (notifications.selectors) find them here, whatever the users table's size.
            models.Index(
                fields=["id"],
                condition=Q(is_active=False) | Q(suspended_until__isnull=False),
                name="user_hidden_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (@{self.username})"

    @property
    def avatar_url(self) -> str:
        """The avatar's URL for <img src> (the middle size): the photo, else the initials image."""
        from accounts.avatars import avatar_url

        return avatar_url(user_id=self.pk, name=self.name, avatar=self.avatar, side=AVATAR_SIDES[1])

    @property
    def avatar_large_url(self) -> str:
        from accounts.avatars import avatar_url

        return avatar_url(user_id=self.pk, name=self.name, avatar=self.avatar, side=AVATAR_SIDES[2])

    def get_session_auth_hash(self) -> str:
        """Web sessions end when the credentials version moves, as Django ends them on a password
        change: a deactivation (so reactivation does not revive them), a new api key, a new password."""
        return self._credentials_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._credentials_hash(secret=secret)

    def _credentials_hash(self, secret: str | bytes | None = None) -> str:
        value = f"{self.password}\0{self.credentials_version}"
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    def is_suspended(self, *, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())

    def suspension_check(self, *, now: datetime | None = None) -> None:
        """The one refusal of a suspended user, at every door (API, web, admin): Suspended with what
        they are told, and `until` None for a suspension without an end."""
        if not self.is_suspended(now=now):
            return
        if self.suspended_until is None or self.suspended_until >= SUSPENDED_INDEFINITELY:
            raise Suspended("This account is suspended indefinitely.", until=None)
        notice = f"This account is suspended until {timezone.localtime(self.suspended_until).isoformat()}."
        raise Suspended(notice, until=self.suspended_until)


# Shorter keys are chosen by a person (the demo's `test`), not random: their first characters
# would store most or all of the secret in plain text.
API_KEY_MIN_LENGTH_FOR_PREFIX = 32


def api_key_prefix(key: str) -> str:
    """What ApiKey.prefix stores of a key, whoever stores it (the service, the importer)."""
    return key[:8] if len(key) >= API_KEY_MIN_LENGTH_FOR_PREFIX else ""


def api_key_digest(key: str) -> str:
    # Keys are random and high-entropy, so a fast unsalted hash is enough (as healthchecks does);
    # the digest is indexed, which keeps authentication to one lookup.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A user's api key, stored only as its SHA-256 digest."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so a user and an admin can tell keys apart without the secret.
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_active_api_key_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({'revoked' if self.revoked_at else 'active'})"


class Follow(models.Model):
    # Indexed by follow_once (follower first) and follow_followee_idx (followee first); their own
    # single-column indexes would only be written, never read.
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set", db_index=False)
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followers_set", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="no_self_follow"),
        ]
        indexes = [models.Index(fields=["followee", "follower"], name="follow_followee_idx")]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followee_id}"
