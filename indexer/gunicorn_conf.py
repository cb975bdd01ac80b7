"""Gunicorn settings for ``bahth serve``, read by ``indexer.serving.Server``.

Flags given on the command line (``--bind``, ``--workers``) override these.
"""

import logging
import multiprocessing
import os

# Searches are CPU-bound and short, and each worker warms its own index reader
# and analysis caches: one worker per core served more than 2 × cores + 1 on
# the speed benchmark (bench/speed.py).  WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, multiprocessing.cpu_count()))
worker_class = "sync"

# Not preloaded: each worker opens its own index reader after the fork.
preload_app = False

timeout = 30  # a worker silent this long is killed; searches stop after 2 s
graceful_timeout = 20  # on SIGTERM, requests in flight get this long to finish
keepalive = 5

accesslog = "-"  # stdout, for the container's log collector
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "bahth"

# The request line's limit: off, so that the app itself answers an over-long
# query with its JSON query_too_long.  gunicorn caps any other value at 8190
# bytes, which 1,400 Arabic letters already pass (6 bytes each, percent-encoded),
# and a worker stuck reading a line is restarted after `timeout` as any other.
limit_request_line = 0

# gunicorn ≥ 25.1 opens a control socket at one per-user path
# (~/.gunicorn/gunicorn.ctl): two instances on a host would fight over it, and
# nothing here uses gunicornc.  Older versions ignore the unknown name.
control_socket_disable = True

# The worker heartbeat file: in memory, so a slow disk cannot get workers killed.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def post_worker_init(worker):
    """Send the app's log (the traceback behind a 500) to gunicorn's error log."""
    log = logging.getLogger("bahth")
    log.handlers = list(worker.log.error_log.handlers)
    log.setLevel(logging.INFO)
    log.propagate = False


def post_fork(server, worker):
    """What gunicorn still answers itself (a request it cannot parse) in the API's JSON."""
    from search_api import gunicorn_errors

    gunicorn_errors.install()
