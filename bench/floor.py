"""The framework floor: a bare WSGI app that answers each benchmark request with the very bytes Chirp
sent the same user for the same path, captured just before (bench/bench.py, the floor step).

Run under the same gunicorn settings and adapter as Chirp, it measures what Python, gunicorn and the network
cost with no application work at all; Chirp's throughput is printed as a percentage of it.
"""

import os
import pickle

from ops.wsgi_threads import WsgiInThreads

# {(path with query, api key): (content type, body)}; loaded once per worker, like Chirp's code.
with open(os.environ["BENCH_FLOOR_FILE"], "rb") as file:
    RESPONSES: dict[tuple[str, str], tuple[str, bytes]] = pickle.load(file)


def application(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
    found = RESPONSES.get((path, environ.get("HTTP_API_KEY", "")))
    if found is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    content_type, body = found
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


# What gunicorn.conf.py's asgi worker serves: the same adapter as Chirp's (config/asgi.py), with the
# threads per worker bench.py puts in GUNICORN_THREADS (Chirp's).
asgi_application = WsgiInThreads(application, threads=int(os.environ["GUNICORN_THREADS"]))
