"""One settings object: defaults, then BAHTH_* environment variables, then flags."""

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENGINES = ("whoosh", "tantivy", "opensearch")


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("var/index")
    seeds_dir: Path = PROJECT_DIR / "seeds"
    engine: str = "whoosh"
    max_query_chars: int = 500
    max_per_page: int = 100
    search_time_limit: float = 2.0  # seconds a single search may take
    cache_size: int = 1024  # cached result pages per worker
    cors_origins: tuple[str, ...] = ()  # JSON API CORS; empty = off
    reindex_workers: int = os.cpu_count() or 1  # analysis processes; 1 analyses in-process

    # env var → (field, parser)
    ENV = {
        "BAHTH_INDEX_DIR": ("index_dir", Path),
        "BAHTH_SEEDS_DIR": ("seeds_dir", Path),
        "BAHTH_ENGINE": ("engine", str),
        "BAHTH_SEARCH_TIME_LIMIT": ("search_time_limit", float),
        "BAHTH_CACHE_SIZE": ("cache_size", int),
        "BAHTH_CORS_ORIGINS": ("cors_origins", lambda v: tuple(filter(None, v.split(",")))),
        "BAHTH_REINDEX_WORKERS": ("reindex_workers", int),
    }

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r}: choose one of {', '.join(ENGINES)}")
        if self.reindex_workers < 1:
            raise ConfigError(f"reindex workers must be at least 1, not {self.reindex_workers}")

    @classmethod
    def from_env(cls, environ=os.environ, **overrides) -> "Settings":
        """Settings from ``environ``; keyword overrides (CLI flags) win; None is 'not given'."""
        values = {}
        for name, (field, parse) in cls.ENV.items():
            if environ.get(name, "") != "":
                try:
                    values[field] = parse(environ[name])
                except ValueError as exc:
                    raise ConfigError(f"{name}={environ[name]!r}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)
