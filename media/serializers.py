from rest_framework import serializers

from api.fields import StrictCharField
from media.models import ALT_MAX_LENGTH


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, GIF or WebP image.")


class MediaCreateSerializer(MediaUploadSerializer):
    alt = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=ALT_MAX_LENGTH,
        default="",
        help_text=(
            "Extension: the image's alt text (what it shows, for people who cannot see it), up to "
            f"{ALT_MAX_LENGTH} characters; surrounding spaces are dropped, empty: none. Tweets that "
            "attach the image show it in `attachments_alt`, unless POST /api/tweets gives the image "
            "an alt text of its own in `tweet_media_alts`."
        ),
    )

    def to_internal_value(self, data):
        # A form may repeat a field; only the last value would be read, so two alt texts are refused.
        if hasattr(data, "getlist") and len(data.getlist("alt")) > 1:
            raise serializers.ValidationError({"alt": ["Give one alt text per image."]})
        return super().to_internal_value(data)


class MediaCreatedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    media_id = serializers.IntegerField()
    url = serializers.CharField(help_text="Where the stored (re-encoded) image loads from.")
    thumbnail_url = serializers.CharField(help_text="A preview at most 400 px on its longest side.")
    width = serializers.IntegerField(help_text="Stored width in pixels, after orientation and downscaling.")
    height = serializers.IntegerField()
    alt = serializers.CharField(help_text="Extension: the alt text as stored; empty: none.")
