"""A bare Falcon endpoint: the floor the service benchmark compares ``bahth serve`` with.

``python -m bench.bare_app --bind HOST:PORT [--workers N]`` serves it as
``bahth serve`` serves the app (``indexer.serving.Server``, the same gunicorn
settings): it answers ``GET /api/search?q=...`` with a small JSON document and
does no searching at all.
"""

import argparse

import falcon

from indexer.serving import Server


class BareSearch:
    def on_get(self, req, resp):
        resp.media = {"query": req.get_param("q") or "", "total": 0, "hits": []}


class Health:
    def on_get(self, req, resp):
        resp.media = {"status": "ok"}


def create_app() -> falcon.App:
    app = falcon.App()
    app.add_route("/api/search", BareSearch())
    app.add_route("/healthz", Health())
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bare_app")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()
    Server(create_app, args.bind, args.workers).run()
