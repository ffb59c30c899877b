"""Strict serializer fields: the contract's clients send real JSON types, so "5" is not 5."""

from rest_framework import serializers

from api.converters import MAX_ID
from common.errors import Invalid

__all__ = ["MAX_ID", "StrictBooleanField", "StrictCharField", "StrictIntegerField", "cursor_id"]


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


def cursor_id(cursor: str) -> int | None:
    """The id a keyset cursor names (None for an empty cursor); Invalid if it names none."""
    if not cursor:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 19 or int(cursor) > MAX_ID:
        raise Invalid.on_field("cursor", "Invalid cursor.")
    return int(cursor)
