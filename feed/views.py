from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.schema import error_responses
from common.replicas import reads_from_replica
from feed.cursors import feed_cursor_page
from feed.selectors import feed_for, feed_latest
from feed.serializers import FeedQuerySerializer, FeedSerializer
from tweets.views import TweetCreateView


class TweetsView(TweetCreateView):
    """GET is the feed; POST (inherited) posts a tweet: both live at /api/tweets."""

    @extend_schema(
        summary="Your feed",
        description=(
            "Tweets by the users you follow and your own, most liked first, newest first among equals. "
            "Without parameters: the whole feed up to FEED_MAX_ITEMS. `offset` is a 1-based page number. "
            "Extension: `cursor` (empty to start) pages with a `next` link over the order fixed at the "
            "first page, stable while likes change. Extension: `order=latest` (with `cursor` paging) lists "
            "the same tweets newest first."
        ),
        parameters=[FeedQuerySerializer],
        responses={200: FeedSerializer, **error_responses(400)},
    )
    @reads_from_replica
    def get(self, request):
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["order"] == "latest":
            limit = query.page_size()
            tweets, next_cursor = feed_latest(
                user=request.user, cursor=query.validated_data.get("cursor", ""), limit=limit
            )
            next_url = next_cursor and (
                f"{request.path}?{urlencode({'order': 'latest', 'cursor': next_cursor, 'limit': limit})}"
            )
            return Response({"result": True, "tweets": tweets, "next": next_url})
        if "cursor" in query.validated_data:
            limit = query.page_size()
            tweets, next_cursor = feed_cursor_page(
                user=request.user, cursor=query.validated_data["cursor"], limit=limit
            )
            next_url = next_cursor and f"{request.path}?{urlencode({'cursor': next_cursor, 'limit': limit})}"
            return Response({"result": True, "tweets": tweets, "next": next_url})
        start, count = query.window()
        return Response({"result": True, "tweets": feed_for(user=request.user, start=start, count=count)})
