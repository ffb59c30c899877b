#!/bin/sh
# Container entrypoint: publish this release's static files to the volume nginx serves, then run
# the command (gunicorn by default). Static files were collected at build time.
set -eu
if [ -n "${STATIC_PUBLISH_DIR:-}" ] && [ -d "$STATIC_PUBLISH_DIR" ] && [ -w "$STATIC_PUBLISH_DIR" ]; then
    cp -R "$STATIC_ROOT"/. "$STATIC_PUBLISH_DIR"/
fi
exec "$@"
