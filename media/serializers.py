from rest_framework import serializers


class MediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, GIF or WebP image.")


class MediaCreatedSerializer(serializers.Serializer):
    result = serializers.BooleanField(default=True)
    media_id = serializers.IntegerField()
