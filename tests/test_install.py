"""The built wheel, installed into a new virtualenv: `bahth` works there with no settings.

The virtualenv sees the machine's site-packages (the dependencies are already
installed there; pip fetches from PyPI only what is missing), and every command
runs from a folder outside the checkout, without PYTHONPATH.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest
import requests

from tests.conftest import PROJECT
from tests.fixtures_api import free_port
from tests.test_reindex import RESIGNATION

pytestmark = pytest.mark.install

PIP_QUIET = ["--quiet", "--disable-pip-version-check", "--no-input"]


def run(argv, cwd, **options):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(options.pop("env", {}))
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, **options
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stderr}"
    return done


# Not copied to the build: setuptools would put a stale build/lib into the wheel.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    "build",
    "*.egg-info",
    "var",
    "target",
    "test-artifacts",
    "results",
    ".*cache",
    ".hypothesis",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    source = tmp_path_factory.mktemp("source") / "bahth"
    shutil.copytree(PROJECT, source, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("wheel")
    run(
        [sys.executable, "-m", "pip", "wheel", *PIP_QUIET, "--no-deps", "-w", out, source],
        cwd=out,
        timeout=600,
    )
    (built,) = out.glob("bahth-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    """A new virtualenv with the wheel installed; yields its bin/ folder."""
    root = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--system-site-packages", root], cwd=root, timeout=300)
    bin_dir = root / "bin"
    run([bin_dir / "python", "-m", "pip", "install", *PIP_QUIET, wheel], cwd=root, timeout=600)
    return bin_dir


def test_the_wheel_holds_only_the_projects_packages(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"indexer", "search_api", f"{wheel.name.split('-py')[0]}.dist-info"}
    assert "indexer/seeds/000_49235c3dde4d8611.txt" in names
    assert "indexer/gunicorn_conf.py" in names
    assert "search_api/static/app.js" in names


def test_installed_bahth_reindexes_the_seeds_and_searches(venv, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([venv / "python", "-c", "import indexer; print(indexer.__file__)"], cwd=elsewhere)
    assert where.stdout.startswith(str(venv.parent)), "the checkout was imported, not the wheel"

    done = run([venv / "bahth", "reindex"], cwd=elsewhere, timeout=300)
    assert done.stdout.startswith("indexed 16 documents (1 article, 15 headlines)")
    assert (elsewhere / "var" / "index" / "CURRENT").is_file()  # the default index folder

    found = run([venv / "bahth", "search", "استقاله"], cwd=elsewhere, timeout=120)
    lines = found.stdout.splitlines()
    assert lines[0].endswith(" for 'استقاله'")
    assert RESIGNATION in lines[1]


@pytest.mark.server
def test_installed_bahth_serves_the_page_and_the_api(venv, tmp_path):
    run([venv / "bahth", "reindex", "--index", tmp_path / "index"], cwd=tmp_path, timeout=300)
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    argv = [
        venv / "bahth",
        "serve",
        "--index",
        tmp_path / "index",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    with open(log, "wb") as out:
        server = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(url, server, log)
        search = requests.get(url + "/api/search", params={"q": "استقاله"}, timeout=30)
        assert search.status_code == 200
        assert search.json()["hits"][0]["title"] == RESIGNATION
        page = requests.get(url + "/", timeout=30)
        assert page.status_code == 200 and 'dir="rtl"' in page.text
        assert requests.get(url + "/static/app.js", timeout=30).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0, log.read_text(errors="replace")


def _wait_for(url, server, log, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"bahth serve exited {server.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:  # not listening yet
            pass
        time.sleep(0.1)
    pytest.fail(f"bahth serve did not answer in {limit} s:\n{log.read_text(errors='replace')}")
