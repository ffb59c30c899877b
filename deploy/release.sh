#!/bin/sh
# One-shot release step (the compose `migrate` service): apply migrations, then create the first
# administrator from DJANGO_SUPERUSER_* when they are set. Runs once per `up`, before any web
# container starts, so replicas never race on migrations.
set -eu
# .env.example's placeholder is public: an administrator with it would be open to anyone.
case "${DJANGO_SUPERUSER_PASSWORD:-}" in
    replace-with-*) echo "DJANGO_SUPERUSER_PASSWORD is still the placeholder from .env.example." >&2; exit 1 ;;
esac
# Also creates the database cache table (common/migrations/0001_cache_tables.py).
python manage.py migrate --noinput
if [ -n "${DJANGO_SUPERUSER_USERNAME:-}" ]; then
    # createsuperuser --noinput reads DJANGO_SUPERUSER_USERNAME/PASSWORD/EMAIL/NAME.
    if output=$(python manage.py createsuperuser --noinput 2>&1); then
        echo "$output"
    elif echo "$output" | grep -q "already taken"; then
        echo "Superuser ${DJANGO_SUPERUSER_USERNAME} already exists; left unchanged."
    else
        echo "$output" >&2
        exit 1
    fi
fi
