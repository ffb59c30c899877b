"""Rules for text that people type and Chirp stores, which every door reaches through the services."""

from common.errors import Invalid

NUL_MESSAGE = "Null characters are not allowed."


def text_check(*, field: str, text: str) -> None:
    """Refuse a NUL character: PostgreSQL cannot store one, and SQLite must not keep what it refuses."""
    if "\x00" in text:
        raise Invalid.on_field(field, NUL_MESSAGE)
