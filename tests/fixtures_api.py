"""Helpers for the API, server and browser tests: real indexes and a real gunicorn.

Imported by tests/test_api.py, test_server.py and test_browser.py (the shared
conftest.py belongs to the whole suite).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from indexer.settings import Settings
from indexer.write.reindex import reindex
from tests.conftest import PROJECT
from tests.conftest import SEEDS

BOOT_SECONDS = 20


def build_index(directory: Path, sources=None, engine: str = "whoosh") -> Path:
    """An index in ``directory`` built from the real seeds (or ``sources``) the real way."""
    reindex(Settings(index_dir=directory, engine=engine), sources or [SEEDS])
    return directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (gunicorn's graceful shutdown) and the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            pytest.fail(f"gunicorn exited with {code} while starting:\n{server.output()}")
        try:
            # 503 counts as up: the server answers, it just has no index.
            if requests.get(server.url + "/healthz", timeout=5).status_code in (200, 503):
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or booting
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {BOOT_SECONDS} s:\n{server.output()}")


@contextmanager
def gunicorn(index_dir: Path, log_dir: Path, workers: int = 2):
    """A real ``bahth serve`` on a free port, stopped (or killed) afterwards."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    log = log_dir / f"gunicorn-{port}.log"
    env = dict(os.environ, BAHTH_INDEX_DIR=str(index_dir), PYTHONUNBUFFERED="1")
    argv = [sys.executable, "-m", "indexer", "serve", "--bind", bind, "--workers", str(workers)]
    # Output to a file, not a pipe: an unread pipe fills up and blocks the access log.
    with open(log, "wb") as stream:
        process = subprocess.Popen(
            argv, cwd=PROJECT, env=env, stdout=stream, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
