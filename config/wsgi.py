import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Every request leaves a few reference cycles behind (DRF's request and view point at each
# other), so the cyclic collector runs a full collection every thousand requests or so. Done over
# everything Django loaded at start, that stalled all of a worker's threads for tens of
# milliseconds: the slowest requests under load. Moving what exists now out of the collector's
# reach leaves full collections only the objects made since.
gc.collect()
gc.freeze()
