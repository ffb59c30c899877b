#!/bin/sh
# The scale profile's streaming replica (docker-compose.yml `db-replica`): on first start, a base
# backup of `db` that configures itself as its standby (-R), then PostgreSQL as a hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    until su-exec postgres env PGPASSWORD="$POSTGRES_PASSWORD" \
        pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream; do
        echo "db-replica: waiting for db to take a base backup" >&2
        find "$PGDATA" -mindepth 1 -delete
        sleep 2
    done
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
