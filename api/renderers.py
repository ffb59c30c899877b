import orjson
from rest_framework import renderers


def _default(value):
    # Lazy translation strings and other str-like values DRF may put in error details.
    return str(value)


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoded with orjson: the feed carries thousands of likers per page."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
