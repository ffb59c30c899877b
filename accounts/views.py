from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import (
    refresh_token_check,
    user_directory,
    user_profile,
    user_sign_in,
)
from accounts.serializers import (
    AccountCreatedSerializer,
    AccountSerializer,
    ApiKeySerializer,
    DirectoryPageSerializer,
    DirectoryQuerySerializer,
    DirectoryUserSerializer,
    LoginSerializer,
    MeUpdateSerializer,
    MyProfileEnvelopeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RefreshSerializer,
    TokenPairSerializer,
    UserCreateSerializer,
)
from accounts.services import (
    api_key_set,
    follow_add,
    follow_remove,
    password_reset_complete,
    password_reset_request,
    profile_update,
    refresh_token_revoke,
    refresh_token_rotate,
    user_create,
    user_login,
)
from accounts.throttling import client_address
from api.pagination import PageNumberPagination
from api.permissions import IsActiveUser, IsStaff
from api.schema import OkEnvelopeSerializer, error_responses
from common.replicas import reads_from_replica


class _TokenView(APIView):
    """Login and token endpoints: the body carries the credential, no header is needed."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request) -> str:
        # Without a challenge DRF would turn our 401s into 403s.
        return 'Bearer realm="api"'


class LoginView(_TokenView):
    @extend_schema(
        summary="Log in with a password: get a JWT access and refresh token",
        description=(
            "Send `username` or `email`, and `password`. Attempts are throttled per client address "
            "(THROTTLE_LOGIN_ADDRESS), failures per account and address (THROTTLE_LOGIN_ACCOUNT_ADDRESS) "
            "and per account from anywhere (THROTTLE_LOGIN_ACCOUNT), like the admin login."
        ),
        request=LoginSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_sign_in(request=request, **serializer.validated_data)
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
        # The same 403 `account_suspended` every other endpoint gives a suspended user.
        user.suspension_check()
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


class PasswordResetView(_TokenView):
    @extend_schema(
        summary="Ask for a password reset link by email",
        description=(
            "If a local account (one with a password) has this email address, it is sent a one-time "
            "link to the web page that sets a new password. The answer is the same whether or not "
            "one has: 200. Throttled per client address (THROTTLE_PASSWORD_RESET_ADDRESS) and per "
            "email address (THROTTLE_PASSWORD_RESET_EMAIL): 429."
        ),
        request=PasswordResetSerializer,
        responses={200: OkEnvelopeSerializer, **error_responses(400, 429)},
        examples=[OpenApiExample("Ask for a link", value={"email": "ada@example.com"}, request_only=True)],
        auth=[],
    )
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(
            email=serializer.validated_data["email"],
            address=client_address(request),
            site=request.build_absolute_uri("/"),
        )
        return Response({"result": True})


class PasswordResetConfirmView(_TokenView):
    @extend_schema(
        summary="Set a new password with a password reset link's uid and token",
        description=(
            "The link in the email reads `/password-reset/<uid>/<token>/`. The new password must pass "
            "the password validators. The link then no longer works, and every session and JWT of the "
            "account ends: log in again. An invalid, expired or used link: 401."
        ),
        request=PasswordResetConfirmSerializer,
        responses={200: OkEnvelopeSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_complete(**serializer.validated_data)
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
        summary="Your own profile",
        description="Your profile, plus the `language` and `time_zone` the web pages use for you.",
        responses={200: MyProfileEnvelopeSerializer, **error_responses()},
    )
    @reads_from_replica
    def get(self, request):
        return Response({"result": True, "user": _my_profile(request.user)})

    @extend_schema(
        summary="Change your name, bio, title, department, language, time zone or password",
        description=(
            "A new `password` needs `current_password` and must pass the password validators. "
            "Changing it ends every JWT session of yours: log in again. `bio` (up to 500 characters), "
            "`title` and `department` (up to 150) may be emptied with an empty string. `language` "
            "(`en`, `ru`) and `time_zone` (an IANA name) are what the web pages use for you on every "
            "device; an empty string: the browser's."
        ),
        request=MeUpdateSerializer,
        responses={200: MyProfileEnvelopeSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "Profile",
                value={"bio": "Numbers and engines.", "title": "Analyst", "department": "Research"},
                request_only=True,
            )
        ],
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile_update(user=request.user, **serializer.validated_data)
        return Response({"result": True, "user": _my_profile(request.user)})


def _my_profile(user) -> dict:
    return {**user_profile(user=user), "language": user.language, "time_zone": user.time_zone}


class ApiKeyView(APIView):
    @extend_schema(
        summary="Replace your api key",
        description="The new key is shown only this once; the old key and your JWTs stop working.",
        request=None,
        responses={200: ApiKeySerializer, **error_responses()},
    )
    def post(self, request):
        return Response({"result": True, "api_key": api_key_set(user=request.user)})


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
