"""The write ceiling's pgbench scripts, made from the statement Chirp itself runs for a like/unlike.

bench.py runs `python bench/write_ceiling.py DIR` with the benchmark's environment (a PostgreSQL
DATABASE_URL): it writes DIR/like.sql and DIR/unlike.sql, each Chirp's one autocommit statement
(captured as tweets.services.like_add and like_remove execute it: the visible target, the INSERT
or DELETE, the likes_count and likers_version update) with pgbench variables where Chirp binds
parameters: `:uid` and `:tid`,
drawn at random from 1..:users and 1..:tweets, and `:now` for the timestamps (passed with -D, as
text the server reads as timestamptz, the type Chirp binds). Generated at run time, so the ceiling
cannot drift from what Chirp runs: a statement with a parameter of another kind fails here.
"""

import contextlib
import datetime
import os
import sys
from pathlib import Path

# Negative, so no real id can be taken for one of them.
_USER = -7_000_001
_TWEET = -7_000_002


def pgbench_variable(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return ":now"
    if value == _USER:
        return ":uid"
    if value == _TWEET:
        return ":tid"
    if isinstance(value, int) and not isinstance(value, bool):
        # A constant of the statement (the counters' steps), the same on every run.
        return str(int(value))
    raise ValueError(f"the like statement binds a parameter the write ceiling cannot vary: {value!r}")


class _Captured(Exception):
    """Stops the like at its statement, which is captured instead of run."""


def chirps_statement(*, like: bool) -> tuple[str, list]:
    """The statement (SQL, parameters) Chirp's like or unlike executes, caught on its way to the
    database by a Django execute wrapper: nothing in Chirp exists for the benchmark's sake."""
    from django.db import connection

    from accounts.models import User
    from tweets.services import like_add, like_remove

    captured: list[tuple[str, list]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, list(params or ())))
        raise _Captured

    with connection.execute_wrapper(capture), contextlib.suppress(_Captured):
        (like_add if like else like_remove)(user=User(pk=_USER), tweet_id=_TWEET)
    return captured[0]


def pgbench_script(*, like: bool) -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the write ceiling needs a PostgreSQL DATABASE_URL")
    sql, params = chirps_statement(like=like)
    parts = sql.split("%s")
    if len(parts) != len(params) + 1 or any("%" in part for part in parts):
        raise ValueError("the like statement's placeholders do not match its parameters")
    variables = [pgbench_variable(value) for value in params]
    statement = parts[0] + "".join(v + part for v, part in zip(variables, parts[1:], strict=True))
    # pgbench ends a command at its semicolon; the statement's own lines are kept as they are.
    return f"\\set uid random(1, :users)\n\\set tid random(1, :tweets)\n{statement.strip()};\n"


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, like in (("like", True), ("unlike", False)):
        (out / f"{name}.sql").write_text(pgbench_script(like=like))


if __name__ == "__main__":
    main()
