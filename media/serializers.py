from rest_framework import serializers


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, GIF or WebP image.")


class MediaCreatedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    media_id = serializers.IntegerField()
    url = serializers.CharField(help_text="Where the stored (re-encoded) image loads from.")
    thumbnail_url = serializers.CharField(help_text="A preview at most 400 px on its longest side.")
    width = serializers.IntegerField(help_text="Stored width in pixels, after orientation and downscaling.")
    height = serializers.IntegerField()
