from django.conf import settings
from rest_framework import serializers

from accounts.serializers import UserRefSerializer
from api.fields import MAX_ID, StrictCharField, StrictIntegerField


class TweetCreateSerializer(serializers.Serializer):
    tweet_data = StrictCharField(allow_blank=True, trim_whitespace=False, help_text="The text.")
    tweet_media_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        help_text=f"Ids from POST /api/medias, at most {settings.TWEET_MAX_MEDIA}.",
    )


class TweetCreatedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    tweet_id = serializers.IntegerField()


class LikerSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()


class TweetSerializer(serializers.Serializer):
    """Documents the contract's Tweet; the feed builds them as tweets.selectors.TweetPayload."""

    id = serializers.IntegerField()
    content = serializers.CharField()
    attachments = serializers.ListField(child=serializers.CharField(), help_text="Image URLs.")
    thumbnails = serializers.ListField(
        child=serializers.CharField(),
        help_text="Extension: preview image URLs, one per attachment in the same order.",
    )
    author = UserRefSerializer()
    likes = LikerSerializer(many=True)
    likes_count = serializers.IntegerField(help_text="Extension: number of likes.")
    created_at = serializers.DateTimeField(help_text="Extension: creation time.")
