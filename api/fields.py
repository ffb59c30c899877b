"""Strict serializer fields: the contract's clients send real JSON types, so "5" is not 5."""

from rest_framework import serializers

from api.converters import MAX_ID

__all__ = ["MAX_ID", "StrictBooleanField", "StrictCharField", "StrictIntegerField"]


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
