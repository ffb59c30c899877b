"""The application gunicorn serves (gunicorn.conf.py): Chirp's WSGI app behind gunicorn's event loop.

gunicorn's asgi worker reads each request in its event loop; ops.body_gate decides from the head
whether the body is read, and within what time; ops.wsgi_threads then runs Django's WSGI handler
in one of GUNICORN_THREADS threads of the worker, each keeping its database connection between
requests. Django's own ASGI handler is not used: with synchronous views it runs each request in a
new thread (so no connection persists) and costs more CPU per request (docs/deployment.md, "The
server").
"""

from config.env import env_int
from config.wsgi import application as wsgi_application
from ops.body_gate import RequestBodyGate
from ops.wsgi_threads import WsgiInThreads

THREADS = env_int("GUNICORN_THREADS", 4, minimum=1)

application = RequestBodyGate(
    WsgiInThreads(wsgi_application, threads=THREADS),
    timeout=env_int("GUNICORN_BODY_TIMEOUT", 10, minimum=1),
    min_rate=env_int("GUNICORN_BODY_MIN_RATE", 4096, minimum=1),
)
