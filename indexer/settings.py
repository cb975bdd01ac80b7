"""One settings object: defaults, then BAHTH_* environment variables, then flags."""

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from indexer import analysis
from indexer import synonyms
from indexer.errors import ConfigError

# The seed pages ship inside the package: an installed `bahth reindex` needs no settings.
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
ENGINES = ("whoosh", "tantivy", "opensearch")
RANKINGS = ("single", "two-stage")
MAX_RERANK_WINDOW = 10_000  # OpenSearch's index.max_rescore_window
MAX_COLLAPSE_WINDOW = 1_000  # each page reads this many results' signatures
MAX_RELATED_TERMS = 1024  # OpenSearch's indices.query.bool.max_clause_count
# An OpenSearch index name that stays valid with "-<generation>" appended.
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,200}$")
_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _yes_no(value: str) -> bool:
    value = value.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError("not a yes/no value (1/0, true/false, yes/no, on/off)")


def _split(value: str) -> tuple[str, ...]:
    return tuple(filter(None, (part.strip() for part in value.split(","))))


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("var/index")
    seeds_dir: Path = SEEDS_DIR
    engine: str = "whoosh"
    analysis: str = "auto"  # auto: the compiled core when installed, else the Python chain
    max_query_chars: int = 500
    max_per_page: int = 100
    search_time_limit: float = 2.0  # seconds a single search may take
    cache_size: int = 1024  # cached result pages per worker
    # single: every clause scores every match; two-stage: the stem field ranks
    # all matches, the full clause set re-scores the top rerank_window.
    ranking: str = "single"
    rerank_window: int = 200  # the smallest window measured to keep the news known-item figures
    # Near-duplicates are collapsed among this many top results (indexer.read.collapse).
    collapse_window: int = 20
    related_terms: int = 25  # distinctive stems a related-articles query is made of
    cors_origins: tuple[str, ...] = ()  # JSON API CORS; empty = off
    gc_freeze: bool = True  # a serving worker freezes its heap once warm (gc.freeze)
    reindex_workers: int = os.cpu_count() or 1  # analysis processes; 1 analyses in-process
    synonyms: Path = synonyms.DEFAULT  # copied into each generation at reindex; an empty file: none
    # The opensearch engine: the cluster, the alias its generations go behind, their size.
    opensearch_url: str = "http://127.0.0.1:9200"  # comma-separated node URLs
    opensearch_index: str = "bahth"
    opensearch_shards: int = 2
    opensearch_replicas: int = 1
    opensearch_user: str = ""
    opensearch_password: str = dataclasses.field(default="", repr=False)  # never printed
    opensearch_verify_tls: bool = True
    opensearch_ca_certs: Path | None = None  # a CA bundle for a private certificate authority

    # env var → (field, parser)
    ENV = {
        "BAHTH_INDEX_DIR": ("index_dir", Path),
        "BAHTH_SEEDS_DIR": ("seeds_dir", Path),
        "BAHTH_ENGINE": ("engine", str),
        "BAHTH_ANALYSIS": ("analysis", str),
        "BAHTH_SEARCH_TIME_LIMIT": ("search_time_limit", float),
        "BAHTH_CACHE_SIZE": ("cache_size", int),
        "BAHTH_RANKING": ("ranking", str),
        "BAHTH_RERANK_WINDOW": ("rerank_window", int),
        "BAHTH_COLLAPSE_WINDOW": ("collapse_window", int),
        "BAHTH_RELATED_TERMS": ("related_terms", int),
        "BAHTH_CORS_ORIGINS": ("cors_origins", _split),
        "BAHTH_GC_FREEZE": ("gc_freeze", _yes_no),
        "BAHTH_REINDEX_WORKERS": ("reindex_workers", int),
        "BAHTH_SYNONYMS": ("synonyms", Path),
        "BAHTH_OPENSEARCH_URL": ("opensearch_url", str),
        "BAHTH_OPENSEARCH_INDEX": ("opensearch_index", str),
        "BAHTH_OPENSEARCH_SHARDS": ("opensearch_shards", int),
        "BAHTH_OPENSEARCH_REPLICAS": ("opensearch_replicas", int),
        "BAHTH_OPENSEARCH_USER": ("opensearch_user", str),
        "BAHTH_OPENSEARCH_PASSWORD": ("opensearch_password", str),
        "BAHTH_OPENSEARCH_VERIFY_TLS": ("opensearch_verify_tls", _yes_no),
        "BAHTH_OPENSEARCH_CA_CERTS": ("opensearch_ca_certs", Path),
    }

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r}: choose one of {', '.join(ENGINES)}")
        if self.analysis not in analysis.BACKENDS:
            raise ConfigError(
                f"BAHTH_ANALYSIS={self.analysis!r}: choose one of {', '.join(analysis.BACKENDS)}"
            )
        if self.analysis == "native" and not analysis.native.available():
            raise ConfigError(
                "BAHTH_ANALYSIS=native: the native analysis core is not installed (see README)"
            )
        if self.ranking not in RANKINGS:
            raise ConfigError(
                f"BAHTH_RANKING={self.ranking!r}: choose one of {', '.join(RANKINGS)}"
            )
        if not 1 <= self.rerank_window <= MAX_RERANK_WINDOW:
            raise ConfigError(
                f"BAHTH_RERANK_WINDOW={self.rerank_window}: must be between 1 and {MAX_RERANK_WINDOW}"
            )
        if not 1 <= self.collapse_window <= MAX_COLLAPSE_WINDOW:
            raise ConfigError(
                f"BAHTH_COLLAPSE_WINDOW={self.collapse_window}: must be between 1 and {MAX_COLLAPSE_WINDOW}"
            )
        if not 1 <= self.related_terms <= MAX_RELATED_TERMS:
            raise ConfigError(
                f"BAHTH_RELATED_TERMS={self.related_terms}: must be between 1 and {MAX_RELATED_TERMS}"
            )
        if self.reindex_workers < 1:
            raise ConfigError(f"reindex workers must be at least 1, not {self.reindex_workers}")
        for url in self.opensearch_urls:
            _check_url(url)
        if not _INDEX_NAME.match(self.opensearch_index):
            raise ConfigError(
                f"BAHTH_OPENSEARCH_INDEX={self.opensearch_index!r}: use lower-case "
                "letters, digits, '-' and '_', starting with a letter or digit"
            )
        if self.opensearch_shards < 1:
            raise ConfigError(
                f"BAHTH_OPENSEARCH_SHARDS={self.opensearch_shards}: must be 1 or more"
            )
        if self.opensearch_replicas < 0:
            raise ConfigError(
                f"BAHTH_OPENSEARCH_REPLICAS={self.opensearch_replicas}: must be 0 or more"
            )
        if self.opensearch_password and not self.opensearch_user:
            raise ConfigError("BAHTH_OPENSEARCH_PASSWORD is set without BAHTH_OPENSEARCH_USER")

    @property
    def opensearch_urls(self) -> tuple[str, ...]:
        return _split(self.opensearch_url)

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

    def to_env(self) -> dict[str, str]:
        """The BAHTH_* variables that give these settings back (for gunicorn's workers)."""
        env = {}
        for name, (field, _) in self.ENV.items():
            value = getattr(self, field)
            if isinstance(value, bool):
                env[name] = "1" if value else "0"
            elif isinstance(value, tuple):
                env[name] = ",".join(value)
            elif isinstance(value, Path):
                env[name] = str(value.resolve())
            elif value is not None:
                env[name] = str(value)
        return env

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise ConfigError(f"BAHTH_OPENSEARCH_URL: {_without_credentials(url)}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"BAHTH_OPENSEARCH_URL: {_without_credentials(url)} is not http(s)://host[:port]"
        )


def _without_credentials(url: str) -> str:
    """A URL fit for a message: user and password dropped."""
    return re.sub(r"//[^/@]*@", "//", url)
