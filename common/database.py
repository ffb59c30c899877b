"""What a database error means for the request that met it."""

from django.db import InterfaceError, OperationalError

# SQLSTATE classes of a server that is gone or not taking work: connection exception (08),
# insufficient resources (53, e.g. too many connections), operator intervention (57P: shutting
# down, starting up, crashed).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
# Except a protocol violation: the server refused what the client sent (such as parameters for a
# prepared statement that is another one on this server connection, behind a pooler), a bug or a
# configuration error to fix, not an outage to wait out.
_STATEMENT_SQLSTATES = ("08P01",)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` means the database cannot be reached or is not taking work right now.

    A bad query, a constraint or a missing table is not that: those stay server errors.
    """
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", "")
    if sqlstate is None:
        # psycopg: no server answered (refused, reset, closed mid-query).
        return True
    if sqlstate:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES) and sqlstate not in _STATEMENT_SQLSTATES
    # SQLite: another writer held the lock past the timeout.
    return "database is locked" in str(exc)
