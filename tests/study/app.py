# SPDX-License-Identifier: GPL-2.0
"""The WSGI application gunicorn serves in the MM-ID study.

With --preload it is imported in gunicorn's master before the workers are
forked, so its catalogue (about 60 MiB of Python objects) sits in large
anon folios that the master and every worker map, the way a pre-forking
server shares its loaded application.  Each request renders a page of it.
"""
import json

CATALOGUE = [{"id": i, "name": "item-%d" % i, "price": i * 0.01, "tags": ["a", "b"]}
             for i in range(200_000)]


def app(environ, start_response):
    try:
        page = int(environ.get("PATH_INFO", "/0").rsplit("/", 1)[-1]) % (len(CATALOGUE) // 50)
    except ValueError:
        page = 0
    body = json.dumps(CATALOGUE[page * 50:(page + 1) * 50]).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
