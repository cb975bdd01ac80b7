"""A bare Falcon endpoint: the floor the service benchmark compares ``bahth serve`` with.

Served by the same gunicorn settings (``deploy/gunicorn_conf.py``) as
``bench.bare_app:create_app()``: it answers ``GET /api/search?q=...`` with a
small JSON document and does no searching at all.
"""

import falcon


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
