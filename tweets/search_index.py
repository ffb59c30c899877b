"""The full-text index of tweets' text, kept by the database in the transaction of each write.

PostgreSQL: a stored `search_vector` tsvector column with a GIN index, set by a BEFORE INSERT OR
UPDATE OF content trigger with settings.SEARCH_CONFIG. SQLite: an FTS5 table over the tweets'
content (external content, no second copy of the text), kept by AFTER INSERT/UPDATE/DELETE
triggers. Triggers rather than the services' writes, so that every door that writes a tweet's text
(the services, the admin, the bulk import's COPY) keeps the index without knowing of it.

Neither the column nor the FTS5 table is a model field: a Tweet read by the ORM never carries its
vector. Installed by migration tweets.0009, checked again after every migrate (a SQLite table
rebuild by a later migration drops a table's triggers), rebuilt by `manage.py search_index`.

Phrases: PostgreSQL's GIN index of words finds the posts with all of a phrase's words, and each must
then be read to check their order: tens of thousands of posts at ten million for three common words.
So a second GIN index, `tweet_search_pairs_idx`, is on the phrase's adjacent word pairs: an
expression index over `tweet_search_pairs(search_vector)`, the vector's lexemes at neighbouring
positions joined by a space ('fix the', 'the bug'; the parser's lexemes hold no space, so a pair never
equals a word). A phrase is then an AND of its pairs in that index, and only the posts holding every
pair are read and checked. No column stores the pairs: the index computes them from the vector at
each write (in the write's transaction, as every index) and ANALYZE keeps their statistics.
"""

from collections.abc import Callable

from django.conf import settings

from tweets.models import Tweet

TABLE = Tweet._meta.db_table
COLUMN = "search_vector"
GIN_INDEX = "tweet_search_idx"
PG_FUNCTION = "tweet_search_vector"
PAIRS_FUNCTION = "tweet_search_pairs"
PAIRS_INDEX = "tweet_search_pairs_idx"
FTS_TABLE = f"{TABLE}_fts"
# SQLite's tokenizer: Unicode letters and digits, case-folded, diacritics kept (as PostgreSQL's
# `simple` configuration does).
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"AFTER INSERT ON {TABLE} BEGIN"
        f" INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content); END"
    ),
    f"{FTS_TABLE}_delete": (
        f"AFTER DELETE ON {TABLE} BEGIN"
        f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content); END"
    ),
    f"{FTS_TABLE}_update": (
        f"AFTER UPDATE OF content ON {TABLE} BEGIN"
        f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);"
        f" INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content); END"
    ),
}


def _pg_function_sql(config: str) -> str:
    # `config` is settings.SEARCH_CONFIG, checked to be an identifier when the settings load.
    return f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.{COLUMN} := to_tsvector('{config}'::regconfig, coalesce(NEW.content, ''));
    RETURN NEW;
END
$$"""


# The lexemes at neighbouring positions of a vector, as one lexeme 'first second'. Positions come from
# the configuration's parser, so a stop word that the configuration drops leaves a gap and makes no
# pair (english: "fix the bug" is fix:1 bug:3, no pair); a phrase then uses the word index alone.
_PAIRS_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PAIRS_FUNCTION}(vector tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    words text[] := '{{}}';
    pairs text[] := '{{}}';
    entry record;
    pos int;
BEGIN
    FOR entry IN SELECT lexeme, positions FROM unnest(vector) LOOP
        FOREACH pos IN ARRAY coalesce(entry.positions, '{{}}') LOOP
            words[pos] := entry.lexeme;
        END LOOP;
    END LOOP;
    FOR pos IN coalesce(array_lower(words, 1), 1) .. coalesce(array_upper(words, 1), 0) - 1 LOOP
        IF words[pos] IS NOT NULL AND words[pos + 1] IS NOT NULL THEN
            pairs := pairs || (words[pos] || ' ' || words[pos + 1]);
        END IF;
    END LOOP;
    RETURN array_to_tsvector(pairs);
END
$$"""


def pg_config_in_use(connection) -> str | None:
    """The configuration the trigger indexes with (None when not installed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [PG_FUNCTION])
        row = cursor.fetchone()
    if row is None:
        return None
    source = row[0]
    start = source.index("to_tsvector('") + len("to_tsvector('")
    return source[start : source.index("'", start)]


def install(connection, *, fill: bool) -> None:
    """Create what is missing of the index on this connection's database (idempotent).

    `fill`: index the existing rows when the index is created here (the migration); after a
    SQLite table rebuild the FTS5 table still holds the same rows, so only the triggers come back.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector")
            if pg_config_in_use(connection) is None:
                cursor.execute(_pg_function_sql(settings.SEARCH_CONFIG))
            cursor.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass", [PG_FUNCTION, TABLE]
            )
            if cursor.fetchone() is None:
                cursor.execute(
                    f"CREATE TRIGGER {PG_FUNCTION} BEFORE INSERT OR UPDATE OF content ON {TABLE}"
                    f" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
                )
                if fill:
                    cursor.execute(
                        f"UPDATE {TABLE} SET {COLUMN} = to_tsvector(%s::regconfig, content)",
                        [pg_config_in_use(connection)],
                    )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {TABLE} USING gin ({COLUMN})")
        install_pairs(connection, concurrently=False)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
            created = cursor.fetchone() is None
            if created:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                    f"content, content='{TABLE}', content_rowid='id', tokenize='{FTS_TOKENIZE}')"
                )
            for name, body in _SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            if created and fill:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def install_pairs(connection, *, concurrently: bool) -> None:
    """PostgreSQL: the word-pair index of phrases (idempotent). `concurrently`: built without
    blocking writes (outside a transaction; minutes at ten million posts); an invalid index left by
    an interrupted concurrent build is dropped and built again."""
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_FUNCTION_SQL)
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
            [PAIRS_INDEX],
        )
        row = cursor.fetchone()
        if row is not None and row[0]:
            return
        how = " CONCURRENTLY" if concurrently else ""
        if row is not None:
            cursor.execute(f"DROP INDEX{how} {PAIRS_INDEX}")
        cursor.execute(f"CREATE INDEX{how} {PAIRS_INDEX} ON {TABLE} USING gin ({PAIRS_FUNCTION}({COLUMN}))")


def uninstall(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {PAIRS_INDEX}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PAIRS_FUNCTION}(tsvector)")
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_FUNCTION} ON {TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def rebuild(connection, *, batch: int, progress: Callable[[int, int], None]) -> tuple[int, int]:
    """Index every tweet again with settings.SEARCH_CONFIG, `batch` rows per transaction.

    Each batch is its own short transaction (row locks for a moment, no table lock), so the site
    keeps serving; tweets written meanwhile are indexed by the trigger, with the new configuration
    as soon as it is installed (first). A row whose vector is already the configuration's is read,
    not written: each write adds a row version and an entry to every index of the table, so a
    run after an interrupted one, or with an unchanged configuration, costs a read of the table.
    `progress(done, total)` after each batch. Returns (rows checked, rows written).
    """
    install(connection, fill=False)
    if connection.vendor == "sqlite":
        # FTS5 rebuilds its whole index in one statement; SQLite has one writer anyway.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            total = cursor.fetchone()[0]
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        progress(total, total)
        return total, total
    with connection.cursor() as cursor:
        cursor.execute(_pg_function_sql(settings.SEARCH_CONFIG))
        cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {TABLE}")
        total, last = cursor.fetchone()
    done = written = after = 0
    vector = "to_tsvector(%(config)s::regconfig, t.content)"
    while after < last:
        with connection.cursor() as cursor:
            # The vector is computed from the row the UPDATE locks (t.content), not from the batch's
            # snapshot: an edit committed meanwhile is indexed with its own text.
            cursor.execute(
                f"WITH batch AS (SELECT id FROM {TABLE} WHERE id > %(after)s ORDER BY id LIMIT %(batch)s),"
                f" written AS (UPDATE {TABLE} AS t SET {COLUMN} = {vector} FROM batch"
                f" WHERE t.id = batch.id AND t.{COLUMN} IS DISTINCT FROM {vector} RETURNING t.id)"
                f" SELECT max(id), count(*), (SELECT count(*) FROM written) FROM batch",
                {"after": after, "batch": batch, "config": settings.SEARCH_CONFIG},
            )
            upto, checked, changed = cursor.fetchone()
        if not checked:
            break
        done, written, after = done + checked, written + changed, upto
        progress(done, total)
    return done, written
