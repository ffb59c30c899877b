# syntax=docker/dockerfile:1
# Chirp: gunicorn serving the Django app. Built in two stages so the final image carries the
# virtualenv and the code, not pip caches or build tools.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first: this layer is rebuilt only when the lock changes. requirements.lock pins
# every transitive dependency with its files' hashes (`bash scripts/lock` regenerates it), so each
# build installs the same bytes. Every package ships manylinux wheels but python-ldap
# (django-auth-ldap's client), built here against libldap; the final image gets the libraries only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libldap2-dev libsasl2-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes --only-binary=:all: --no-binary=python-ldap -r /tmp/requirements.lock
# gettext's msgfmt compiles the web client's translations (build stage only).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# Static files are part of the release; settings need keys and hosts only to import.
RUN SECRET_KEY=build-time-only-secret-key JWT_SIGNING_KEY=build-time-only-jwt-signing-key-0123456789 \
    ALLOWED_HOSTS=localhost CHIRP_DATA_DIR=/tmp/chirp-build \
    python manage.py collectstatic --noinput \
 && (cd web && python -P -m django compilemessages -v 0) \
 && python -m compileall -q /app /opt/venv

FROM python:${PYTHON_VERSION}-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 chirp \
 && useradd --system --uid 10001 --gid chirp --home-dir /app --no-create-home chirp \
 && mkdir -p /data/media /srv/static \
 && chown chirp:chirp /data /data/media /srv/static
# The release Sentry files events under (the image has no .git to read it from): a build argument,
# e.g. `--build-arg SENTRY_RELEASE=$(git describe --always)` (docker-compose.yml passes it).
ARG SENTRY_RELEASE=""
ENV SENTRY_RELEASE=${SENTRY_RELEASE} \
    PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    CHIRP_DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles \
    STATIC_PUBLISH_DIR=/srv/static
COPY --from=build /opt/venv /opt/venv
# Code stays owned by root: the app user can read it but not change it.
COPY --from=build /app /app
WORKDIR /app
USER chirp
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.asgi"]
