"""The index directory: generations, the CURRENT pointer, and the writer's lock.

    INDEX_DIR/
      CURRENT              name of the generation being served (replaced atomically)
      gen-000007/          one complete index: meta.json, vocabulary.tsv, engine/
      reindex.lock         flock'ed by the one running reindex; holds its pid

A reindex builds generation N+1 beside N and then renames a new CURRENT file
over the old one (atomic on POSIX), so readers see N or N+1, never half of
one.  The generations before N are removed at the next swap; N stays for
workers still finishing a request on it.
"""

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexIncompatible
from indexer.errors import IndexUnavailable
from indexer.errors import ReindexBusy
from indexer.schema import SCHEMA_VERSION

CURRENT = "CURRENT"
LOCK = "reindex.lock"
PREFIX = "gen-"


@dataclass(frozen=True)
class Generation:
    path: Path
    meta: dict

    @property
    def number(self) -> int:
        return self.meta["generation"]

    @property
    def engine_dir(self) -> Path:
        return self.path / "engine"


def _generation_number(name: str) -> int:
    return int(name[len(PREFIX) :])


class Catalog:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._pointer = str(self.root / CURRENT)
        self._read = (None, None)  # (identity of the CURRENT file read, the name it held)

    def current_name(self) -> str | None:
        """The name CURRENT holds.  Asked on every search, so the file is read
        again only when it is another file: a swap replaces it (a new inode).
        """
        try:
            stat = os.stat(self._pointer)
            identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if identity != self._read[0]:
                with open(self._pointer, encoding="utf-8") as pointer:
                    self._read = (identity, pointer.read().strip() or None)
        except FileNotFoundError:
            return None
        return self._read[1]

    def current(self) -> Generation:
        """The served generation; IndexUnavailable if there is none or it is unreadable."""
        name = self.current_name()
        if name is None:
            raise IndexUnavailable(f"no index in {self.root}: run `bahth reindex` to build one")
        try:
            meta = json.loads((self.root / name / "meta.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(
                f"index {self.root / name} is damaged ({exc}): run `bahth reindex`"
            ) from exc
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexIncompatible(
                f"index {self.root / name} was built by schema version "
                f"{meta.get('schema_version')}, this is version {SCHEMA_VERSION}: run `bahth reindex`"
            )
        return Generation(self.root / name, meta)

    def generations(self) -> list[str]:
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir() if p.name.startswith(PREFIX) and p.is_dir()]
        return sorted(names, key=_generation_number)

    def new_generation(self) -> Path:
        names = self.generations()
        number = _generation_number(names[-1]) + 1 if names else 1
        path = self.root / f"{PREFIX}{number:06d}"
        path.mkdir(parents=True)
        return path

    def publish(self, path: Path) -> None:
        """Make ``path`` the served generation, atomically and durably."""
        tmp = self.root / f"{CURRENT}.tmp"
        with open(tmp, "w") as stream:
            stream.write(path.name + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, self.root / CURRENT)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def remove_unused(self) -> list[str]:
        """Delete generations older than the one before CURRENT, and unfinished builds."""
        current = self.current_name()
        # With nothing published yet, every generation is an unfinished build.
        served = _generation_number(current) if current else 0
        removed = []
        for name in self.generations():
            number = _generation_number(name)
            # Older than the previous one, or a newer build that was never published.
            if number < served - 1 or number > served:
                shutil.rmtree(self.root / name, ignore_errors=True)
                removed.append(name)
        return removed

    @contextmanager
    def lock(self, on_killed=None):
        """Hold the single-writer lock: an OS lock (flock) on ``reindex.lock``.

        The kernel frees it when its holder exits, however it exits (kill -9
        included), so no lock outlives its reindex.  The file holds the
        holder's pid, for the refusal's message; a pid still there when the
        lock is taken is that of a reindex that was killed.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd) or "unknown"
                raise ReindexBusy(
                    f"another reindex (pid {holder}) is running on {self.root}; nothing was changed"
                ) from None
            killed = _read_pid(fd)
            if killed and on_killed:
                on_killed(
                    f"the reindex before (pid {killed}) was killed; its unfinished build is removed"
                )
            _write_pid(fd, os.getpid())
            try:
                yield
            finally:
                _write_pid(fd, None)  # a clean exit leaves no pid behind
        finally:
            os.close(fd)  # releases the lock


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def _write_pid(fd: int, pid: int | None) -> None:
    os.ftruncate(fd, 0)
    if pid is not None:
        os.pwrite(fd, f"{pid}\n".encode(), 0)
