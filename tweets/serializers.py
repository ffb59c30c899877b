from django.conf import settings
from rest_framework import serializers

from accounts.serializers import UserRefSerializer
from api.fields import MAX_ID, StrictCharField, StrictIntegerField
from api.serializers import KeysetQuerySerializer, StrictSerializer
from media.models import ALT_MAX_LENGTH


class TweetCreateSerializer(serializers.Serializer):
    tweet_data = StrictCharField(allow_blank=True, trim_whitespace=False, help_text="The text.")
    tweet_media_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        help_text=f"Ids from POST /api/medias, at most {settings.TWEET_MAX_MEDIA}.",
    )
    in_reply_to = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="Extension: the id of the tweet this one answers; a tweet you cannot see is a 404.",
    )
    tweet_media_alts = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=False, max_length=ALT_MAX_LENGTH),
        required=False,
        default=list,
        max_length=settings.TWEET_MAX_MEDIA,
        help_text=(
            "Extension: each image's alt text (what it shows, for people who cannot see it), in the "
            "order of `tweet_media_ids`; no more entries than images; an empty one or a missing one: "
            f"none. Up to {ALT_MAX_LENGTH} characters each."
        ),
    )


class TweetEditSerializer(StrictSerializer):
    tweet_data = StrictCharField(
        allow_blank=True, trim_whitespace=False, help_text="The new text; mentions and tags are read again."
    )


class TweetCreatedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    tweet_id = serializers.IntegerField()


class LikerSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()


class MentionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()


class TweetSerializer(serializers.Serializer):
    """Documents the contract's Tweet; the feed builds them as tweets.selectors.TweetPayload."""

    id = serializers.IntegerField()
    content = serializers.CharField()
    attachments = serializers.ListField(child=serializers.CharField(), help_text="Image URLs.")
    thumbnails = serializers.ListField(
        child=serializers.CharField(),
        help_text="Extension: preview image URLs, one per attachment in the same order.",
    )
    attachments_alt = serializers.ListField(
        child=serializers.CharField(allow_null=True),
        help_text=(
            "Extension: each attachment's alt text (what the image shows, in its author's words), in "
            "the same order; null for an image without one."
        ),
    )
    author = UserRefSerializer()
    likes = LikerSerializer(many=True)
    likes_count = serializers.IntegerField(help_text="Extension: number of likes.")
    created_at = serializers.DateTimeField(help_text="Extension: creation time.")
    in_reply_to = serializers.IntegerField(
        allow_null=True,
        help_text="Extension: the id of the tweet this one answers (maybe deleted since), or null.",
    )
    replies_count = serializers.IntegerField(help_text="Extension: number of visible replies.")
    edited_at = serializers.DateTimeField(
        allow_null=True, help_text="Extension: time of the last edit, or null."
    )
    mentions = MentionSerializer(many=True, help_text="Extension: the active users @mentioned, in order.")
    tags = serializers.ListField(
        child=serializers.CharField(), help_text="Extension: the #tags, lower-case, in order."
    )


class TweetEnvelopeSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    tweet = TweetSerializer()


class TweetPageSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    tweets = TweetSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null at the end."
    )


class HistoryEntrySerializer(serializers.Serializer):
    content = serializers.CharField(help_text="An earlier text.")
    edited_at = serializers.DateTimeField(help_text="When an edit replaced it.")


class HistorySerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    history = HistoryEntrySerializer(many=True, help_text="Newest first.")


class SuggestQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=150, help_text="What was typed after `@`."
    )


class SuggestionsSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    users = MentionSerializer(many=True, help_text="At most 8, usernames starting with `q` first.")


class SearchQuerySerializer(KeysetQuerySerializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        max_length=settings.SEARCH_MAX_LENGTH,
        help_text=(
            'Words (all must match), "an exact phrase", -excluded, from:username, #tag, @username '
            "(posts mentioning them); people and tags: part of a name or username, the start of a tag."
        ),
    )
    type = serializers.ChoiceField(
        choices=["tweets", "users", "tags"], required=False, default="tweets", help_text="What to find."
    )
    # The keyset page's cursor, shorter: a search cursor is a window and a position.
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text=KeysetQuerySerializer().fields["cursor"].help_text,
    )


class TagCountSerializer(serializers.Serializer):
    tag = serializers.CharField(help_text="Lower-case, without #.")
    count = serializers.IntegerField(help_text="Visible posts with the tag.")


class SearchPageSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    tweets = TweetSerializer(many=True, required=False, help_text="With type=tweets: best first.")
    users = MentionSerializer(many=True, required=False, help_text="With type=users: by name.")
    tags = TagCountSerializer(many=True, required=False, help_text="With type=tags: most used first.")
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null at the end."
    )
