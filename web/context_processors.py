from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.utils.translation import get_language

# The time zone chosen under Settings; without it the pages show times in the browser's own zone.
TIME_ZONE_COOKIE = "chirp_time_zone"


@cache
def _time_zones() -> frozenset[str]:
    # Read from the system's zone files: once per process, not per page.
    return frozenset(available_timezones())


def viewer_time_zone(request) -> str:
    """The time zone saved under Settings, if it is a known one; else "" (the browser's)."""
    name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
    return name if name and name in _time_zones() else ""


def limits(request) -> dict:
    """The limits the pages state (the services enforce them), the page's language and the viewer's
    chosen time zone."""
    return {
        "LANGUAGE_CODE": get_language(),
        "tweet_max_length": settings.TWEET_MAX_LENGTH,
        "tweet_max_media": settings.TWEET_MAX_MEDIA,
        "search_max_length": settings.SEARCH_MAX_LENGTH,
        "time_zone": viewer_time_zone(request),
    }
