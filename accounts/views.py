from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import (
    refresh_token_check,
    user_directory,
    user_for_credentials,
    user_get,
    user_get_any,
    user_profile,
)
from accounts.serializers import (
    AccountCreatedSerializer,
    AccountEnvelopeSerializer,
    AccountSerializer,
    ApiKeySerializer,
    DirectoryPageSerializer,
    DirectoryQuerySerializer,
    DirectoryUserSerializer,
    LoginSerializer,
    MeUpdateSerializer,
    ProfileEnvelopeSerializer,
    RefreshSerializer,
    TokenPairSerializer,
    UserAdminUpdateSerializer,
    UserCreateSerializer,
)
from accounts.services import (
    api_key_set,
    follow_add,
    follow_remove,
    profile_update,
    refresh_token_revoke,
    refresh_token_rotate,
    user_account_update,
    user_create,
    user_login,
)
from accounts.throttles import LoginAccountThrottle, LoginAddressThrottle
from api.pagination import PageNumberPagination
from api.permissions import IsActiveUser, IsStaff
from api.schema import OkEnvelopeSerializer, error_responses
from common.replicas import reads_from_replica
from moderation import services as moderation_services

# Status changes made through the API go to the moderators' audit log with this reason.
API_REASON = "Changed through the user management API."


class _TokenView(APIView):
    """Login and token endpoints: the body carries the credential, no header is needed."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request) -> str:
        # Without a challenge DRF would turn our 401s into 403s.
        return 'Bearer realm="api"'

    def refuse_if_suspended(self, request, user) -> None:
        """The same 403 `account_suspended` every other endpoint gives a suspended user."""
        request.user = user
        IsActiveUser().has_permission(request, self)


class LoginView(_TokenView):
    throttle_classes = (LoginAddressThrottle, LoginAccountThrottle)

    @extend_schema(
        summary="Log in with a password: get a JWT access and refresh token",
        description=(
            "Send `username` or `email`, and `password`. Attempts are throttled per client address "
            "(THROTTLE_LOGIN_ADDRESS) and per account (THROTTLE_LOGIN_ACCOUNT)."
        ),
        request=LoginSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_for_credentials(request=request, **serializer.validated_data)
        if user is None:
            raise AuthenticationFailed("No active account with these credentials.")
        self.refuse_if_suspended(request, user)
        return Response({"result": True, **user_login(user=user)})


class TokenRefreshView(_TokenView):
    @extend_schema(
        summary="Spend a refresh token on a new access and refresh token",
        description="Each refresh token works once; using it again is a 401.",
        request=RefreshSerializer,
        responses={200: TokenPairSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, user = refresh_token_check(serializer.validated_data["refresh"])
        self.refuse_if_suspended(request, user)
        return Response({"result": True, **refresh_token_rotate(token=token, user=user)})


class LogoutView(_TokenView):
    @extend_schema(
        summary="Log out: revoke a refresh token",
        description="Access tokens already issued stay valid until they expire (a few minutes).",
        request=RefreshSerializer,
        responses={200: OkEnvelopeSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, user = refresh_token_check(serializer.validated_data["refresh"])
        refresh_token_revoke(token=token, user=user)
        return Response({"result": True})


class UsersView(APIView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [IsActiveUser(), IsStaff()]
        return super().get_permissions()

    @extend_schema(
        summary="The colleague directory",
        operation_id="users_list",
        description=(
            "Active users by name, paginated (`page`, `page_size` up to 100, default 50). "
            "Staff also see account fields and may pass `include_inactive=1`."
        ),
        parameters=[DirectoryQuerySerializer],
        responses={200: DirectoryPageSerializer, **error_responses(400, 404)},
    )
    @reads_from_replica
    def get(self, request):
        query = DirectoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        staff = request.user.is_staff
        if query.validated_data["include_inactive"] and not staff:
            raise PermissionDenied("Only staff can list deactivated users.")
        users = user_directory(
            viewer=request.user,
            search=query.validated_data.get("search", ""),
            include_inactive=query.validated_data["include_inactive"],
        )
        paginator = PageNumberPagination()
        paginator.results_key = "users"
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(DirectoryUserSerializer(page, many=True, staff=staff).data)

    @extend_schema(
        summary="Create a user (staff only)",
        description="Returns the new user's api key, once. Without a password the user has only the key.",
        request=UserCreateSerializer,
        responses={201: AccountCreatedSerializer, **error_responses(400)},
    )
    def post(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, key = user_create(**serializer.validated_data)
        return Response(
            {"result": True, "user": AccountSerializer(user).data, "api_key": key},
            status=status.HTTP_201_CREATED,
        )


class UserMeView(APIView):
    @extend_schema(
        summary="Your own profile", responses={200: ProfileEnvelopeSerializer, **error_responses()}
    )
    @reads_from_replica
    def get(self, request):
        return Response({"result": True, "user": user_profile(user=request.user)})

    @extend_schema(
        summary="Change your name or password",
        description=(
            "A new `password` needs `current_password` and must pass the password validators. "
            "Changing it ends every JWT session of yours: log in again."
        ),
        request=MeUpdateSerializer,
        responses={200: ProfileEnvelopeSerializer, **error_responses(400)},
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile_update(user=request.user, **serializer.validated_data)
        return Response({"result": True, "user": user_profile(user=request.user)})


class ApiKeyView(APIView):
    @extend_schema(
        summary="Replace your api key",
        description="The new key is shown only this once; the old key and your JWTs stop working.",
        request=None,
        responses={200: ApiKeySerializer, **error_responses()},
    )
    def post(self, request):
        return Response({"result": True, "api_key": api_key_set(user=request.user)})


class UserDetailView(APIView):
    def get_permissions(self):
        if self.request.method in ("PATCH", "DELETE"):
            return [IsActiveUser(), IsStaff()]
        return super().get_permissions()

    @extend_schema(
        summary="A user's profile", responses={200: ProfileEnvelopeSerializer, **error_responses(404)}
    )
    @reads_from_replica
    def get(self, request, user_id: int):
        return Response({"result": True, "user": user_profile(user=user_get(user_id=user_id))})

    @extend_schema(
        summary="Change a user's account (staff only)",
        description=(
            "`is_active: false` deactivates (like DELETE), `true` reactivates. A new `password` ends the "
            "user's JWT sessions. Staff cannot change their own status; granting or revoking `is_staff` and "
            "changing another staff account need a superuser. Status changes are written to the audit log."
        ),
        request=UserAdminUpdateSerializer,
        responses={200: AccountEnvelopeSerializer, **error_responses(400, 404)},
    )
    def patch(self, request, user_id: int):
        user = self.managed_user(request, user_id)
        serializer = UserAdminUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if user.pk == request.user.pk and {"is_active", "is_staff"} & set(changes):
            raise ValidationError("You cannot change your own active or staff status.")
        # Moderators are staff too; granting or revoking staff rights stays with superusers.
        if "is_staff" in changes and not request.user.is_superuser:
            raise PermissionDenied("Only a superuser can grant or revoke staff status.")
        is_active = changes.pop("is_active", None)
        user_account_update(user=user, **changes)
        if is_active is False and user.is_active:
            moderation_services.user_deactivate(moderator=request.user, user=user, reason=API_REASON)
        elif is_active is True and not user.is_active:
            moderation_services.user_reactivate(moderator=request.user, user=user, reason=API_REASON)
        return Response({"result": True, "user": AccountSerializer(user).data})

    @extend_schema(
        summary="Deactivate a user (staff only)",
        description=(
            "The account and its data are kept: its tweets leave every feed and its credentials stop "
            'working. `PATCH {"is_active": true}` reactivates it.'
        ),
        responses={200: OkEnvelopeSerializer, **error_responses(400, 404)},
    )
    def delete(self, request, user_id: int):
        user = self.managed_user(request, user_id)
        if user.pk == request.user.pk:
            raise ValidationError("You cannot deactivate yourself.")
        moderation_services.user_deactivate(moderator=request.user, user=user, reason=API_REASON)
        return Response({"result": True})

    def managed_user(self, request, user_id: int):
        user = user_get_any(user_id=user_id)
        # Changing another staff account (its email, password or status) could take it over.
        if (
            (user.is_staff or user.is_superuser)
            and user.pk != request.user.pk
            and not request.user.is_superuser
        ):
            raise PermissionDenied("Only a superuser can change another staff account.")
        return user


class FollowView(APIView):
    @extend_schema(
        summary="Follow a user (idempotent)",
        request=None,
        responses={200: OkEnvelopeSerializer, **error_responses(400, 404)},
    )
    def post(self, request, user_id: int):
        follow_add(follower=request.user, followee_id=user_id)
        return Response({"result": True})

    @extend_schema(
        summary="Unfollow a user (idempotent)", responses={200: OkEnvelopeSerializer, **error_responses(404)}
    )
    def delete(self, request, user_id: int):
        follow_remove(follower=request.user, followee_id=user_id)
        return Response({"result": True})
