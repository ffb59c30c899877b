import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.exceptions import ValidationError

from accounts.models import ApiKey, Follow, User, api_key_digest
from accounts.selectors import user_get
from ops import metrics


def api_key_generate() -> str:
    return secrets.token_urlsafe(32)


def _unique_username(name: str) -> str:
    base = slugify(name)[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


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
    """Create a user with an api key; returns the user and the key, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["This field may not be blank."]})
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
    ApiKey.objects.create(user=user, digest=api_key_digest(key), prefix=key[:8])
    # Credentials minted before (e.g. JWTs) stop working with the old key.
    User.objects.filter(pk=user.pk).update(credentials_version=F("credentials_version") + 1)
    user.refresh_from_db(fields=["credentials_version"])
    return key


def follow_add(*, follower: User, followee_id: int) -> bool:
    """Follow a user; idempotent. Returns whether a new follow was created."""
    followee = user_get(user_id=followee_id)
    if followee.pk == follower.pk:
        raise ValidationError("You cannot follow yourself.")
    try:
        # A savepoint of its own, so a concurrent duplicate leaves the caller's transaction usable.
        with transaction.atomic():
            Follow.objects.create(follower=follower, followee=followee)
    except IntegrityError:
        return False
    metrics.inc_on_commit(metrics.FOLLOWS_ADDED)
    return True


def follow_remove(*, follower: User, followee_id: int) -> bool:
    """Unfollow a user; idempotent. Returns whether a follow was removed."""
    followee = user_get(user_id=followee_id)
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    return deleted > 0
