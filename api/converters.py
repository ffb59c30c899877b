"""URL converters for the API's routes (imported by the settings, so nothing heavier than this)."""

# Ids are 64-bit (BigAutoField); a larger number can name nothing, and SQLite cannot even bind it.
MAX_ID = 2**63 - 1


class IdConverter:
    """A database id in a path: digits only, and no larger than a 64-bit id can be.

    A larger number names nothing, so its route does not match and the catch-all answers 404;
    otherwise it would reach the database, which cannot even bind it.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("beyond the range of ids")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


# The schema documents the same bound, so generated clients never send an unroutable id.
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 0, "maximum": MAX_ID}
