"""Chirp settings, read from the environment (12-factor).

With no configuration at all Chirp runs on SQLite and local files under ./data, which is
what a newcomer gets. Production sets DATABASE_URL, SECRET_KEY and ALLOWED_HOSTS; without
DEBUG the process refuses to start when a production secret is missing.
"""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import jinja2
from django.core.exceptions import ImproperlyConfigured

from api.converters import ID_SCHEMA
from config.env import env_bool, env_choice, env_https_url, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CHIRP_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A fixed key is acceptable only for a local development server.
    SECRET_KEY = "chirp-insecure-development-key-do-not-use-in-production"

# JWTs are signed with a key of their own, so rotating it logs everyone out without touching
# sessions or password reset links (which SECRET_KEY signs), and a leak of one is not a leak of both.
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY")
if not JWT_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("JWT_SIGNING_KEY must be set when DEBUG is off.")
    JWT_SIGNING_KEY = "chirp-insecure-development-jwt-signing-key-do-not-use"
if not DEBUG and (JWT_SIGNING_KEY == SECRET_KEY or len(JWT_SIGNING_KEY) < 32):
    raise ImproperlyConfigured("JWT_SIGNING_KEY must differ from SECRET_KEY and have at least 32 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "accounts.apps.ChirpAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver leaves static files to whitenoise too, so development serves them as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served by Chirp: /api/docs/ works without internet access.
    "drf_spectacular_sidecar",
    "rest_framework_simplejwt.token_blacklist",
    "common",
    "api",
    "accounts",
    "tweets",
    "media",
    "feed",
    "moderation",
    "notifications",
    "scim",
    "sso",
    "dataset",
    "ops",
    "web",
]

MIDDLEWARE = [
    # Outermost, so every response (even a 413 or 500 from below) gets a request id, a log line
    # and metrics; then the probes and /metrics, before host checks and the HTTPS redirect.
    "ops.middleware.RequestObservabilityMiddleware",
    "ops.middleware.OpsEndpointsMiddleware",
    # Outside everything else that can answer /api/ (redirects, 400s, 413s, 500s).
    "api.middleware.ApiCacheHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers: one gunicorn process is a complete site.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (sessions, CSRF, authentication), so that an oversize body is
    # refused unread on every path, anonymous ones first.
    "web.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.PageLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.middleware.AccountLocaleMiddleware",
    # Django's MessageMiddleware, skipped under /api/ (the admin's system check finds it by class).
    "api.middleware.PageMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "web.middleware.ContentSecurityPolicyMiddleware",
    "web.middleware.PrivatePagesMiddleware",
]

# After a write, its user reads from the primary for a while (read-your-writes with replicas).
if env_list("DATABASE_REPLICA_URLS", []):
    MIDDLEWARE.append("common.replicas.PrimaryPinMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.limits",
            ],
        },
    },
    {
        # The page frame, the home page and the post cards (web/jinja_env.py says why); every
        # other template is Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "web.jinja_env.environment",
            # The frame's variables, as Django's engine gives them to its pages. The CSRF token
            # once per page, as Django's engine has it: the Jinja2 backend's own makes a new
            # masked token each time one is shown (two forms on each of twenty cards).
            "context_processors": [
                "django.template.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.limits",
            ],
            # As Django's engine does: a card ends with its file's line break.
            "keep_trailing_newline": True,
            # A misspelt name fails the tests instead of rendering as nothing.
            "undefined": jinja2.StrictUndefined,
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'chirp.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# Options in DATABASE_URL's query string (sslmode, sslrootcert, connect_timeout, any libpq option)
# land in OPTIONS; Chirp's defaults below are added to them, and the URL's win.
_url_options = DATABASES["default"].get("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite connections are cheap and not shareable across threads of the dev server.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20, **_url_options}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's PostgreSQL backend with a health check that needs no round trip on a sound
    # connection (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
# Parameters bound by the server, and a statement run 5 times on a connection is prepared
# (Django leaves psycopg's auto-prepare off unless asked), so PostgreSQL stops parsing and planning
# the hot queries on every request (the commit that made it measured the gain). Off for poolers
# without prepared statements (config/postgresql/base.py refuses the combination).
_postgresql_options = (
    {"server_side_binding": True, "prepare_threshold": 5} if env_bool("DB_SERVER_SIDE_BINDING", True) else {}
)
if DATABASES["default"]["ENGINE"] == "config.postgresql":
    DATABASES["default"]["OPTIONS"] = {**_postgresql_options, **_url_options}
# Streaming replicas of the primary, for the feed, profiles and the directory (common/replicas.py).
DATABASE_REPLICA_ALIASES: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if (
        _replica["ENGINE"] != "django.db.backends.postgresql"
        or DATABASES["default"]["ENGINE"] != "config.postgresql"
    ):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs PostgreSQL, like DATABASE_URL.")
    _replica["ENGINE"] = "config.postgresql"
    # Each replica's own URL options (sslmode, connect_timeout, ...) win, as the primary's do.
    _replica["OPTIONS"] = {**_postgresql_options, **_replica.get("OPTIONS", {})}
    # Tests never create a database on a replica: it serves the primary's.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICA_ALIASES.append(f"replica{_number}")
if DATABASE_REPLICA_ALIASES:
    DATABASE_ROUTERS = ["common.replicas.ReplicaRouter"]
# Seconds a user who has just written reads from the primary: more than the replicas' usual lag.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The web client's languages (web/locale/): the browser's choice (Accept-Language) or the one saved
# under Settings (a cookie). The API, whose messages are part of its contract, stays in English.
LANGUAGES = [("en", "English"), ("ru", "Русский")]
# Ahead of the apps' own catalogues: the admin's translates "Home" its own way.
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for ever by browsers) and gzip copies, made by collectstatic and
    # served by whitenoise's middleware in every mode; with DEBUG on it serves the app folders too.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Django serves /media/ itself (with nosniff) for development; in production a front server or
# the object store does, and a worker must not spend itself streaming files.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

# The web client's pages (web app): anonymous visitors are sent to the sign-in page at /.
LOGIN_URL = "web:home"
# Password sign-in (refused to all but superusers when LOCAL_LOGIN is off); sessions that the
# OpenID sign-in opened (sso.backends).
AUTHENTICATION_BACKENDS = ["accounts.backends.PasswordBackend", "sso.backends.OidcSessionBackend"]

# --- Single sign-on (docs/identity.md) -----------------------------------------------------
# Password sign-in for everyone (web, admin, POST /api/auth/token); off: for superusers only, so
# that people sign in through the company's identity provider.
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
# OpenID Connect: on when OIDC_ISSUER is set; its /.well-known/openid-configuration says the rest.
OIDC_ISSUER = env_https_url("OIDC_ISSUER")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "")
OIDC_SCOPES = env_list("OIDC_SCOPES", ["openid", "email", "profile"])
# Members of any of these groups (the ID token's `groups` claim) are moderators, and stop being
# moderators when they leave them; empty: roles are given in Chirp only.
OIDC_MODERATOR_GROUPS = env_list("OIDC_MODERATOR_GROUPS", [])
# Seconds to wait for the provider (discovery, keys, the token exchange).
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
if OIDC_ISSUER and not OIDC_CLIENT_ID:
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID must be set too")
if OIDC_SCOPES and "openid" not in OIDC_SCOPES:
    raise ImproperlyConfigured("OIDC_SCOPES must include openid")

# LDAP / Active Directory (django-auth-ldap, through sso.ldap.LdapBackend): on when LDAP_SERVER_URI
# is set. People sign in with their directory username and password, checked by binding as them.
LDAP_SERVER_URI = env_str("LDAP_SERVER_URI", "").strip()
LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
# The account that searches the directory for the person (empty: anonymous search).
LDAP_BIND_DN = env_str("LDAP_BIND_DN", "")
LDAP_BIND_PASSWORD = env_str("LDAP_BIND_PASSWORD", "")
LDAP_USER_SEARCH_BASE = env_str("LDAP_USER_SEARCH_BASE", "")
# Active Directory: (sAMAccountName=%(user)s)
LDAP_USER_FILTER = env_str("LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_NAME_ATTRIBUTE = env_str("LDAP_NAME_ATTRIBUTE", "cn")
LDAP_EMAIL_ATTRIBUTE = env_str("LDAP_EMAIL_ATTRIBUTE", "mail")
# The profile's job title and department (Active Directory's names; OpenLDAP's inetOrgPerson has
# `title` and `departmentNumber`).
LDAP_TITLE_ATTRIBUTE = env_str("LDAP_TITLE_ATTRIBUTE", "title")
LDAP_DEPARTMENT_ATTRIBUTE = env_str("LDAP_DEPARTMENT_ATTRIBUTE", "department")
LDAP_GROUP_SEARCH_BASE = env_str("LDAP_GROUP_SEARCH_BASE", "")
# groupOfNames (OpenLDAP), activeDirectory (nested groups, by `member`), groupOfUniqueNames, posixGroup.
LDAP_GROUP_TYPE = env_choice(
    "LDAP_GROUP_TYPE", "groupOfNames", ("groupOfNames", "activeDirectory", "groupOfUniqueNames", "posixGroup")
)
# Members of this group (its DN) are moderators; they stop being moderators when they leave it.
LDAP_MODERATOR_GROUP = env_str("LDAP_MODERATOR_GROUP", "")
LDAP_TIMEOUT = env_int("LDAP_TIMEOUT", 10, minimum=1)
if LDAP_SERVER_URI:
    from config.ldap import django_auth_ldap_settings

    globals().update(django_auth_ldap_settings(globals()))
    AUTHENTICATION_BACKENDS.append("sso.ldap.LdapBackend")
LOGIN_REDIRECT_URL = "web:home"
# Django's database sessions, read by a statement compiled once per process (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
# The error envelope under /api/ (api.exceptions.csrf_failure), a page in Chirp's layout elsewhere.
CSRF_FAILURE_VIEW = "web.views.csrf_failure"

# --- Limits (docs/configuration.md) ----------------------------------------------------
TWEET_MAX_LENGTH = env_int("TWEET_MAX_LENGTH", 280, minimum=1)
TWEET_MAX_MEDIA = env_int("TWEET_MAX_MEDIA", 4, minimum=0)
FEED_MAX_ITEMS = env_int("FEED_MAX_ITEMS", 1000, minimum=1)
FEED_DEFAULT_LIMIT = env_int("FEED_DEFAULT_LIMIT", 10, minimum=1)
FEED_MAX_LIMIT = env_int("FEED_MAX_LIMIT", 100, minimum=1)
# Notifications older than this are deleted by the scheduler (prune_notifications).
NOTIFICATIONS_RETENTION_DAYS = env_int("NOTIFICATIONS_RETENTION_DAYS", 90, minimum=1)
# How often an open page asks for the unread count (the navigation's Notifications link).
NOTIFICATIONS_POLL_SECONDS = env_int("NOTIFICATIONS_POLL_SECONDS", 30, minimum=1)
# How long the Trending box's counted list is kept: a new post's tags show within it (tweets/trending.py).
TRENDING_CACHE_SECONDS = env_int("TRENDING_CACHE_SECONDS", 60, minimum=1)
# The web client's address, for links in mail sent without a request (the daily digest).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# Search (docs/search.md). SEARCH_CONFIG is PostgreSQL's text search configuration (`simple`:
# words as typed, any language; `english` etc. stem); after changing it run `manage.py search_index`.
SEARCH_CONFIG = env_str("SEARCH_CONFIG", "simple")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", SEARCH_CONFIG):
    raise ImproperlyConfigured("SEARCH_CONFIG must name a text search configuration, e.g. simple or english.")
SEARCH_MAX_LENGTH = env_int("SEARCH_MAX_LENGTH", 500, minimum=1)
SEARCH_MAX_TERMS = env_int("SEARCH_MAX_TERMS", 16, minimum=1)
# How many of the newest matches one page ranks (relevance with recency); older ones come in the
# next window. Bounds the work of a common word.
SEARCH_WINDOW = env_int("SEARCH_WINDOW", 300, minimum=FEED_MAX_LIMIT)
# PostgreSQL walks the newest posts for a word only when that is expected to read this many times
# fewer rows than the GIN index, and only this many times as far back (tweets.search._window_rows).
SEARCH_WALK_FACTOR = env_int("SEARCH_WALK_FACTOR", 4, minimum=0)
SEARCH_TIMEOUT_MS = env_int("SEARCH_TIMEOUT_MS", 2000, minimum=1)
MEDIA_MAX_UPLOAD_BYTES = env_int("MEDIA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1)
# JSON bodies are tiny in this API; anything larger is refused with 413 before parsing.
API_MAX_JSON_BYTES = env_int("API_MAX_JSON_BYTES", 64 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_JSON_BYTES
# Uploaded files above this size stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Media pipeline and storage (docs/operations.md) -----------------------------------
# Uploads are refused from their header above MEDIA_MAX_PIXELS (decompression bombs), then
# re-encoded no larger than MEDIA_MAX_SIDE on either side, with a MEDIA_THUMBNAIL_SIDE preview.
MEDIA_MAX_PIXELS = env_int("MEDIA_MAX_PIXELS", 33_000_000, minimum=1)
MEDIA_MAX_SIDE = env_int("MEDIA_MAX_SIDE", 4096, minimum=16)
MEDIA_THUMBNAIL_SIDE = env_int("MEDIA_THUMBNAIL_SIDE", 400, minimum=16)
# Memory one image's decoded pixels may take (JPEGs are decoded at a smaller scale to fit; other
# images over it are refused), and how many images each worker process decodes at once.
MEDIA_DECODE_MAX_BYTES = env_int("MEDIA_DECODE_MAX_BYTES", 64 * 1024 * 1024, minimum=1024 * 1024)
MEDIA_DECODE_CONCURRENCY = env_int("MEDIA_DECODE_CONCURRENCY", 1, minimum=1)
# local: files under MEDIA_ROOT, URLs under MEDIA_URL. s3: any S3-compatible object store through
# django-storages; attachment URLs then point straight at the store (or AWS_S3_CUSTOM_DOMAIN).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("AWS_STORAGE_BUCKET_NAME must be set when STORAGE_BACKEND=s3.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "region_name": env_str("AWS_S3_REGION_NAME"),
            # Unset: boto3's usual chain (instance role, ~/.aws, ...) provides credentials.
            "access_key": env_str("AWS_ACCESS_KEY_ID"),
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
            # Signed, expiring URLs by default: the bucket can stay private.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600, minimum=60),
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN"),
            "location": env_str("AWS_LOCATION", ""),
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE"),
            # botocore may presign with the deprecated SigV2, which newer regions and stores refuse.
            "signature_version": env_str("AWS_S3_SIGNATURE_VERSION", "s3v4"),
        },
    }
elif STORAGE_BACKEND != "local":
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use 'local' or 's3'.")
# --- end of media pipeline and storage --------------------------------------------------

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "accounts.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsActiveUser"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    # Bodies are JSON, as the contract says (uploads set their own multipart parser): form encoding
    # has no lists or nulls, and DRF reads an empty form value as "field absent", not as invalid.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # X-Forwarded-For is trusted only from this many reverse proxies (0: use the peer address).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
}

# Image uploads per user, API and web together (accounts.throttling.upload_throttle_check).
UPLOAD_THROTTLE_RATE = env_rate("THROTTLE_UPLOADS", "60/hour")

# Login throttling (accounts/throttling.py), the same for the API, the admin and the web sign-in:
# (limit, window in seconds). Failures are refused per account and address; per account from
# anywhere they only pace addresses that failed (one check per window/limit seconds past a burst of
# `limit`), so that others' wrong passwords never lock the owner out.
LOGIN_THROTTLE_RATES = {
    "address": env_rate("THROTTLE_LOGIN_ADDRESS", "30/minute"),
    "account_address": env_rate("THROTTLE_LOGIN_ACCOUNT_ADDRESS", "10/hour"),
    "account": env_rate("THROTTLE_LOGIN_ACCOUNT", "20/15m"),
}

# Password reset (accounts.throttling.password_reset_throttle_check): requests per client address,
# and per email address asked for (whether or not an account has it, so the answer reveals nothing).
PASSWORD_RESET_THROTTLE_RATES = {
    "address": env_rate("THROTTLE_PASSWORD_RESET_ADDRESS", "10/hour"),
    "email": env_rate("THROTTLE_PASSWORD_RESET_EMAIL", "3/hour"),
}
# How long a password reset link works (Django's token generator reads this).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600, minimum=60)

# --- Provisioning (SCIM 2.0, scim app) ------------------------------------------------------
# The bearer token a directory (Entra ID, Okta, ...) sends to /scim/v2/; unset: no SCIM at all.
SCIM_TOKEN = env_str("SCIM_TOKEN", "")
if SCIM_TOKEN and len(SCIM_TOKEN) < 32 and not DEBUG:
    raise ImproperlyConfigured("SCIM_TOKEN must have at least 32 characters.")

# --- Email (password reset) ---------------------------------------------------------------
# Django's SMTP backend under Django's own setting names. Without EMAIL_HOST a development server
# (DEBUG) prints mail to its console instead; production sends to EMAIL_HOST (default localhost:25).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
# A stalled mail server must not hold a worker (and a password reset request) for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "chirp@localhost")

SIMPLE_JWT = {
    # Only HS256: tokens with `alg: none` or any other algorithm are refused.
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_ACCESS_LIFETIME_SECONDS", 300, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_REFRESH_LIFETIME_SECONDS", 86400, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Chirp API",
    "DESCRIPTION": (
        "Chirp, a self-hosted corporate microblog. Every response is an envelope: "
        '`{"result": true, ...}` on success, `{"result": false, "error_type", "error_message"}` '
        "on any error."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's scripts and styles from the sidecar app's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would fetch it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "PREPROCESSING_HOOKS": ["api.schema.contract_paths"],
    # Ids in paths (config.urls) are integers within the 64-bit range the route accepts.
    "PATH_CONVERTER_OVERRIDES": {"id": ID_SCHEMA},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.contract_schema"],
}

# Login and upload throttles count attempts across every worker process, so the cache must be
# shared: Redis when configured, else a table in the database, which `migrate` creates
# (common/migrations). With Redis, the same table takes over while Redis is unreachable
# (ops/cache.py); both backends log and skip a failing operation rather than fail the request.
REDIS_URL = env_str("REDIS_URL")
# A stalled Redis must not stall requests: every Redis call gives up after these timeouts, and a
# process that saw one fail leaves Redis alone for REDIS_BREAKER_SECONDS (ops/redis_breaker.py).
REDIS_SOCKET_TIMEOUT_MS = env_int("REDIS_SOCKET_TIMEOUT_MS", 150, minimum=1)
REDIS_CONNECT_TIMEOUT_MS = env_int("REDIS_CONNECT_TIMEOUT_MS", 150, minimum=1)
REDIS_BREAKER_SECONDS = env_int("REDIS_BREAKER_SECONDS", 5, minimum=1)
DATABASE_CACHE: dict[str, Any] = {
    "BACKEND": "ops.cache.SafeDatabaseCache",
    "LOCATION": "chirp_cache",
    # Django's default of 300 entries would let a spray of usernames cull everyone's counters.
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
CACHES: dict[str, dict[str, Any]] = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "ops.cache.FailoverRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"FALLBACK": "database"},
    }
# The likers cache (tweets/likers_cache.py) uses REDIS_URL directly, with the same timeouts and
# breaker, and is off without it. Feed cursor snapshots live in the database (feed.FeedSnapshot).
LIKERS_CACHE_TTL = env_int("LIKERS_CACHE_TTL", 3600, minimum=1)
FEED_CURSOR_TTL = env_int("FEED_CURSOR_TTL", 1800, minimum=1)
# Cursor snapshots kept per user: starting one more drops that user's oldest.
FEED_CURSOR_SNAPSHOTS_PER_USER = env_int("FEED_CURSOR_SNAPSHOTS_PER_USER", 20, minimum=1)

# --- Production security -------------------------------------------------------------
# Secure unless DEBUG; `manage.py check --deploy --fail-level WARNING` passes with the values
# of .env.example. TLS ends in front of nginx, which says so in X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# .env.example's placeholders are public; signing with one would let anyone forge sessions and JWTs.
for _name, _value in (("SECRET_KEY", SECRET_KEY), ("JWT_SIGNING_KEY", JWT_SIGNING_KEY)):
    if not DEBUG and _value.startswith("replace-with-"):
        raise ImproperlyConfigured(f"{_name} is still the placeholder from .env.example.")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Only behind a proxy that sets X-Forwarded-Proto itself; exposed directly, clients could forge it.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Observability (ops app) ---------------------------------------------------------
# When set, /metrics requires `Authorization: Bearer <token>`; nginx never exposes it anyway.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# Off unless set: errors (with their request, credentials scrubbed) go to Sentry or GlitchTip.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from ops.error_tracking import init_error_tracking

    init_error_tracking(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production") or "production",
        # The image bakes it in at build time (Dockerfile); elsewhere the SDK reads .git.
        release=env_str("SENTRY_RELEASE", "") or None,
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
    "loggers": {
        # Its 4xx warnings repeat the access line; its 5xx errors (with tracebacks) stay.
        "django.request": {"level": "ERROR"},
    },
}
