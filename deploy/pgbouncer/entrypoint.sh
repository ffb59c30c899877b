#!/bin/sh
# Writes PgBouncer's configuration from the environment, then runs it in the foreground. Transaction
# pooling, as scripts/e2e-scale tests it: the app must run with DB_SERVER_SIDE_BINDING=0.
set -eu
CONFIG=/tmp/pgbouncer
mkdir -p "$CONFIG"
printf '"%s" "%s"\n' "$POSTGRES_USER" "$POSTGRES_PASSWORD" >"$CONFIG/userlist.txt"
cat >"$CONFIG/pgbouncer.ini" <<CONF
[databases]
$POSTGRES_DB = host=db port=5432 dbname=$POSTGRES_DB
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir =
pool_mode = transaction
auth_type = scram-sha-256
auth_file = $CONFIG/userlist.txt
ignore_startup_parameters = extra_float_digits,options
default_pool_size = 20
max_client_conn = 500
CONF
exec pgbouncer "$CONFIG/pgbouncer.ini"
