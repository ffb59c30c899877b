from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from moderation.serializers import ReportCreatedSerializer, ReportCreateSerializer
from moderation.services import report_create


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
