from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get, user_get_any, user_profile
from accounts.serializers import (
    AccountEnvelopeSerializer,
    AccountSerializer,
    ProfileEnvelopeSerializer,
    UserAdminUpdateSerializer,
)
from api.permissions import IsActiveUser, IsStaff
from api.schema import OkEnvelopeSerializer, error_responses
from common.replicas import reads_from_replica
from moderation.serializers import ReportCreatedSerializer, ReportCreateSerializer
from moderation.services import report_create, user_account_update, user_deactivate

# Changes made through the API go to the moderators' audit log with this reason.
API_REASON = "Changed through the user management API."


class ReportView(APIView):
    @extend_schema(
        summary="Report a tweet to the moderators (idempotent)",
        description=(
            "Reasons: `spam`, `harassment`, `confidential` (confidential information), `other`. "
            "While your report on a tweet is open, reporting it again returns the same report."
        ),
        request=ReportCreateSerializer,
        responses={
            201: OpenApiResponse(ReportCreatedSerializer, description="Report filed."),
            200: OpenApiResponse(ReportCreatedSerializer, description="You already reported this tweet."),
            **error_responses(400, 404),
        },
    )
    def post(self, request, tweet_id: int):
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = report_create(reporter=request.user, tweet_id=tweet_id, **serializer.validated_data)
        return Response(
            {"result": True, "report_id": report.pk},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class UserDetailView(APIView):
    """A user's profile for everyone; managing the account for staff, through the audited workflows."""

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
            "`is_active: false` deactivates (like DELETE), `true` reactivates. Staff cannot change their own "
            "status or set their own password here (`PATCH /api/users/me` with `current_password` does). "
            "Granting or revoking `is_staff`, setting a `password` (which ends the user's JWT sessions) and "
            "changing another staff account need a superuser. Every change is written to the audit log."
        ),
        request=UserAdminUpdateSerializer,
        responses={200: AccountEnvelopeSerializer, **error_responses(400, 404)},
    )
    def patch(self, request, user_id: int):
        user = user_get_any(user_id=user_id)
        serializer = UserAdminUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_account_update(moderator=request.user, user=user, reason=API_REASON, **serializer.validated_data)
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
        user = user_get_any(user_id=user_id)
        user_deactivate(moderator=request.user, user=user, reason=API_REASON)
        return Response({"result": True})
