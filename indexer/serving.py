"""The web app under gunicorn, with the settings of ``indexer/gunicorn_conf.py``.

``bahth serve`` runs a :class:`Server`; so do the tests and the benchmarks,
through ``bahth serve`` (or, for the benchmark's bare app, this class).
"""

from gunicorn.app.base import BaseApplication

from indexer import gunicorn_conf


class Server(BaseApplication):
    """gunicorn serving ``app_factory()``, which each worker calls as it boots."""

    def __init__(self, app_factory, bind: str, workers: int | None = None):
        self._app_factory = app_factory
        self._flags = {"bind": bind} | ({"workers": workers} if workers else {})
        super().__init__()

    def load_config(self):
        # As gunicorn reads a config module: its names that are settings, then the flags.
        config = {k: v for k, v in vars(gunicorn_conf).items() if k in self.cfg.settings}
        for name, value in (config | self._flags).items():
            self.cfg.set(name, value)

    def load(self):
        return self._app_factory()
