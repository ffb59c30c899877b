from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from api.serializers import KeysetQuerySerializer
from notifications.selectors import notification_page_and_unread, unread_count
from notifications.serializers import NotificationPageSerializer, ReadSerializer, UnreadSerializer
from notifications.services import notifications_read

_EXAMPLE = {
    "id": 812,
    "type": "like",
    "actors": [{"id": 2, "name": "Grace Hopper"}, {"id": 3, "name": "Linus Torvalds"}],
    "actors_count": 4,
    "tweet_id": 42,
    "created_at": "2026-12-07T09:30:00+00:00",
    "read": False,
    "reason": None,
}


class NotificationsView(APIView):
    @extend_schema(
        summary="Your notifications",
        description=(
            "Extension: likes of one post, and one day's follows, are grouped; newest activity first, a "
            "page at a time (`cursor`, `limit`)."
        ),
        parameters=[KeysetQuerySerializer],
        responses={200: NotificationPageSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "A page",
                value={"result": True, "notifications": [_EXAMPLE], "unread": 1, "next_cursor": None},
                response_only=True,
            )
        ],
    )
    def get(self, request):
        query = KeysetQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        notifications, next_cursor, unread = notification_page_and_unread(
            user=request.user, **query.validated_data
        )
        return Response(
            {"result": True, "notifications": notifications, "unread": unread, "next_cursor": next_cursor}
        )


class UnreadView(APIView):
    @extend_schema(
        summary="How many notifications are unread",
        description="Extension: the cheap call to poll for the count.",
        responses={200: UnreadSerializer, **error_responses()},
        examples=[OpenApiExample("Three", value={"result": True, "unread": 3}, response_only=True)],
    )
    def get(self, request):
        return Response({"result": True, "unread": unread_count(user=request.user)})


class ReadView(APIView):
    @extend_schema(
        summary="Mark notifications read",
        description="Extension: those up to `up_to` (an id from GET /api/notifications), or all with `{}`.",
        request=ReadSerializer,
        responses={200: UnreadSerializer, **error_responses(400, 415)},
        examples=[
            OpenApiExample("Up to a page's newest", value={"up_to": 812}, request_only=True),
            OpenApiExample("All", value={}, request_only=True),
        ],
    )
    def post(self, request):
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notifications_read(user=request.user, up_to=serializer.validated_data.get("up_to"))
        return Response({"result": True, "unread": unread_count(user=request.user)})
