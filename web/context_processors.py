from django.conf import settings
from django.utils.translation import get_language

from accounts.selectors import time_zones

# The time zone chosen under Settings, also kept in this browser (for the pages before sign-in);
# without one the pages show times in the browser's own zone.
TIME_ZONE_COOKIE = "chirp_time_zone"


def viewer_time_zone(request) -> str:
    """The time zone saved under Settings: the account's, else this browser's, if it is a known
    one; else "" (the browser's own)."""
    user = getattr(request, "user", None)
    name = (user.time_zone if user is not None and user.is_authenticated else "") or request.COOKIES.get(
        TIME_ZONE_COOKIE, ""
    )
    return name if name and name in time_zones() else ""


def limits(request) -> dict:
    """The limits the pages state (the services enforce them), the page's language and the viewer's
    chosen time zone."""
    return {
        "LANGUAGE_CODE": get_language(),
        "tweet_max_length": settings.TWEET_MAX_LENGTH,
        "tweet_max_media": settings.TWEET_MAX_MEDIA,
        "search_max_length": settings.SEARCH_MAX_LENGTH,
        "time_zone": viewer_time_zone(request),
        "notifications_poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS,
    }
