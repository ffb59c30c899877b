"""Base serializer for request bodies."""

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
