import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Import the URLconf, and through it every view, serializer and admin module, now, as the worker
# starts: otherwise the first request each new worker serves (at start, and after every
# GUNICORN_MAX_REQUESTS recycle) waits for those imports. Before gc.freeze() below, so the modules
# are frozen with the rest.
get_resolver().url_patterns  # noqa: B018 (the attribute's access is what imports)

# Every request leaves a few reference cycles behind (DRF's request and view point at each
# other), so the cyclic collector runs a full collection every thousand requests or so. Done over
# everything Django loaded at start, that stalled all of a worker's threads for tens of
# milliseconds: the slowest requests under load. Moving what exists now out of the collector's
# reach leaves full collections only the objects made since.
gc.collect()
gc.freeze()
