"""The web sessions' store (settings.SESSION_ENGINE): Django's database sessions, whose read on
every page request is a statement compiled once per process.

Django's store builds and compiles the same ORM query (`Session.objects.get(...)`) on each request,
which cost more CPU than the database spends answering it. What is stored, and how a session is
saved, flushed at sign-out, expired and cleared, is Django's, unchanged: a deleted row is gone at
once for every worker, as there is no copy anywhere else.
"""

from datetime import UTC, datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from common.queries import Compiled, compiled_once

# Stand in for the session key and the time in the compiled statement.
_KEY = "session-key-stand-in"
_NOW = datetime(2000, 1, 1, tzinfo=UTC)


@compiled_once
def _session_data() -> Compiled:
    """The data of an unexpired session by its key: db.SessionStore's query, compiled once."""
    rows = Session.objects.filter(session_key=_KEY, expire_date__gt=_NOW).values_list("session_data")
    return Compiled(rows, (_KEY, _NOW))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session's row as db.SessionStore reads it (its key and data), or None, and the key
        forgotten, as Django does, when there is no such unexpired session."""
        key = self.session_key
        rows = _session_data().rows({_KEY: key, _NOW: timezone.now()}) if key else []
        if not key or not rows:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=rows[0][0])
