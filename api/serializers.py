"""Base serializers for request bodies and query strings."""

from django.conf import settings
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, so `{"is_staff": true}` is a 400, not silently dropped."""

    def validate(self, attrs):
        unknown = (
            sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        )
        if unknown:
            raise serializers.ValidationError({field: ["Unknown or read-only field."] for field in unknown})
        return super().validate(attrs)


class KeysetQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty or absent for the first page, then the previous page's `next_cursor`.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.FEED_MAX_LIMIT,
        default=settings.FEED_DEFAULT_LIMIT,
        help_text=f"Page size; default {settings.FEED_DEFAULT_LIMIT}, at most {settings.FEED_MAX_LIMIT}.",
    )
