"""Provisioning workflows: a directory creating, updating and deactivating accounts through the
accounts services every other door uses (the deactivation rule, password rules, email uniqueness)."""

from django.db import transaction

from accounts import services as account_services
from accounts.models import User
from common.errors import Conflict, NotAllowed
from scim.resources import UserState


def _provisionable_check(*, user: User) -> None:
    # A leaked SCIM token must not lock out or rename the people who run Chirp.
    if user.is_superuser:
        raise NotAllowed("Superuser accounts are not managed by provisioning.")


def _unique_check(*, state: UserState, user: User | None = None) -> None:
    if account_services.username_taken(state.username, exclude=user):
        raise Conflict(f"The userName '{state.username}' is taken.")
    if state.email and account_services.email_taken(email=state.email, exclude=user):
        raise Conflict(f"Another account has the email address '{state.email}'.")


def _activation_apply(*, user: User, active: bool) -> None:
    if not active and user.is_active:
        # The one deactivation rule: tweets leave the feeds, sessions, JWTs and the api key stop.
        account_services.deactivation_store(user=user)
    elif active and not user.is_active:
        account_services.reactivation_store(user=user)


@transaction.atomic
def scim_user_create(*, state: UserState) -> User:
    """Create the account a directory describes (with an api key, never shown: it can be replaced)."""
    _unique_check(state=state)
    user, _key = account_services.user_create(name=state.name, username=state.username, email=state.email)
    account_services.user_update(user=user, title=state.title, department=state.department)
    if state.password is not None:
        account_services.password_set(user=user, password=state.password)
    _activation_apply(user=user, active=state.active)
    return user


@transaction.atomic
def scim_user_update(*, user: User, state: UserState) -> User:
    """Make an account say what the directory says (PUT, or PATCH after its operations)."""
    _provisionable_check(user=user)
    _unique_check(state=state, user=user)
    account_services.user_update(
        user=user,
        name=state.name,
        username=state.username,
        email=state.email,
        title=state.title,
        department=state.department,
    )
    if state.password is not None:
        account_services.password_set(user=user, password=state.password)
    _activation_apply(user=user, active=state.active)
    return user


@transaction.atomic
def scim_user_deactivate(*, user: User) -> None:
    """DELETE: the account is deactivated, never deleted (its tweets stay, hidden)."""
    _provisionable_check(user=user)
    _activation_apply(user=user, active=False)
