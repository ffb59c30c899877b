import hmac

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import ApiKey, Follow, User, api_key_digest


def user_for_api_key(key: str) -> User | None:
    """The owner of an active key, in one indexed query; None when unknown or revoked."""
    if not key:
        return None
    digest = api_key_digest(key)
    row = ApiKey.objects.select_related("user").filter(digest=digest, revoked_at__isnull=True).first()
    # The lookup already matched on the digest; compare again in constant time anyway so that
    # no code path ever compares secrets with `==`.
    if row is None or not hmac.compare_digest(row.digest, digest):
        return None
    return row.user


def user_get(*, user_id: int) -> User:
    """An active user by id, or 404."""
    return get_object_or_404(User.objects.filter(is_active=True), pk=user_id)


def active_followee_ids(*, user: User) -> list[int]:
    """Ids of the users `user` follows whose tweets are visible now (active, not suspended)."""
    return list(
        Follow.objects.filter(follower=user, followee__is_active=True)
        .filter(Q(followee__suspended_until__isnull=True) | Q(followee__suspended_until__lte=timezone.now()))
        .values_list("followee_id", flat=True)
    )


def user_profile(*, user: User) -> dict:
    """The contract's Profile: id, name, followers and following (active users only).

    Queries: followers, following (the user row is already loaded).
    """
    followers = list(
        User.objects.filter(following_set__followee=user, is_active=True).order_by("id").values("id", "name")
    )
    following = list(
        User.objects.filter(followers_set__follower=user, is_active=True).order_by("id").values("id", "name")
    )
    return {"id": user.id, "name": user.name, "followers": followers, "following": following}
