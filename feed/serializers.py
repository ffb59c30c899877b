from django.conf import settings
from rest_framework import serializers

from tweets.serializers import TweetSerializer

# Far past any real feed, yet (offset - 1) * limit stays inside the 64-bit OFFSET every database
# accepts; an unbounded page number made the feed query fail with a 500.
FEED_MAX_PAGE = 1_000_000_000


class FeedQuerySerializer(serializers.Serializer):
    offset = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=FEED_MAX_PAGE,
        help_text="1-based page number (the contract's meaning of offset).",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=f"Page size; default {settings.FEED_DEFAULT_LIMIT}, at most {settings.FEED_MAX_LIMIT}.",
    )

    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "Extension: keyset paging. Empty starts at the top of the feed; then pass the `next` "
            "link of the previous page. Pages follow the order fixed at the first page."
        ),
    )

    order = serializers.ChoiceField(
        choices=["popular", "latest"],
        required=False,
        default="popular",
        help_text=(
            "Extension: `latest` lists the same tweets newest first, a page at a time (`cursor`, `limit`; "
            "no `offset`). `popular` (the default) is the contract's order."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        if "cursor" in attrs and "offset" in attrs:
            raise serializers.ValidationError({"cursor": ["Use either offset or cursor, not both."]})
        if attrs.get("order") == "latest" and "offset" in attrs:
            raise serializers.ValidationError({"offset": ["order=latest pages with cursor, not offset."]})
        return attrs

    def validate_limit(self, value: int) -> int:
        if value > settings.FEED_MAX_LIMIT:
            raise serializers.ValidationError(f"Ensure this value is at most {settings.FEED_MAX_LIMIT}.")
        return value

    def page_size(self) -> int:
        return self.validated_data.get("limit", settings.FEED_DEFAULT_LIMIT)

    def window(self) -> tuple[int, int]:
        """(first row, number of rows): the whole feed up to the cap without parameters."""
        data = self.validated_data
        if "offset" not in data and "limit" not in data:
            return 0, settings.FEED_MAX_ITEMS
        limit = data.get("limit", settings.FEED_DEFAULT_LIMIT)
        return (data.get("offset", 1) - 1) * limit, limit


class FeedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    tweets = TweetSerializer(many=True)
    next = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Cursor pages only: the URL of the next page, null at the end.",
    )
