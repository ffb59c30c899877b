"""Typed readers for settings that come from the environment.

Each helper fails loudly with the variable's name on a malformed value, so a typo in a
deployment stops start-up instead of silently falling back to a default.

Layering, as operators expect: a variable set in the process environment wins over the same
variable in an optional `.env` file (`ENV_FILE`, default `<repo>/.env`), which wins over the
default the settings pass in. The file is read once, never written to `os.environ`, so child
processes see only the real environment.
"""

import os
import re
from functools import cache
from pathlib import Path
from typing import overload


class ImproperlyConfiguredEnv(Exception):
    """Raised when an environment variable is present but unusable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DEFAULT_ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
_LINE = re.compile(r"^(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")


def parse_env_file(text: str, *, source: str = ".env") -> dict[str, str]:
    """`NAME=value` lines (optionally `export`-ed or quoted); `#` comments and blank lines ignored."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ImproperlyConfiguredEnv(f"{source}, line {number}: expected NAME=value")
        value = match["value"].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            # An unquoted value ends where a trailing comment starts, as in docker compose.
            value = value.split(" #", 1)[0].rstrip()
        values[match["name"]] = value
    return values


@cache
def _env_file_values() -> dict[str, str]:
    path = Path(os.environ.get("ENV_FILE") or _DEFAULT_ENV_FILE)
    if not path.exists():
        if os.environ.get("ENV_FILE"):
            raise ImproperlyConfiguredEnv(f"ENV_FILE={path} does not exist")
        return {}
    return parse_env_file(path.read_text(encoding="utf-8"), source=str(path))


def _raw(name: str) -> str | None:
    if name in os.environ:
        return os.environ[name]
    return _env_file_values().get(name)


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env_str(name, default) or "").strip()
    if value not in choices:
        raise ImproperlyConfiguredEnv(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


_RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate such as `10/hour`, `30/minute` or `20/15m` (20 per 15 minutes), as (limit, seconds)."""
    raw = (env_str(name, default) or "").strip()
    match = _RATE.match(raw)
    if match is None or int(match.group(1)) < 1:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a rate like 10/hour or 20/15m")
    limit, count, unit = match.groups()
    return int(limit), int(count or 1) * _RATE_UNITS[unit]


_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def env_https_url(name: str, default: str = "") -> str:
    """An https URL without a trailing slash ("" when unset); plain http only on a loopback host
    (tests, development), where nothing travels over a network."""
    from urllib.parse import urlsplit

    value = (env_str(name, default) or "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return value
    raise ImproperlyConfiguredEnv(f"{name}={value!r} must be an https URL (http only on localhost)")
