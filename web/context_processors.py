from django.conf import settings


def limits(request) -> dict:
    """The limits the pages state (the services enforce them)."""
    return {"tweet_max_length": settings.TWEET_MAX_LENGTH, "tweet_max_media": settings.TWEET_MAX_MEDIA}
