"""Following CURRENT: the generation a reindex last published, opened once.

Each look checks the pointer (one small read) and opens a newly published
generation, so workers serve a reindex without a restart.
"""

import functools
import threading

from indexer.catalog import Catalog
from indexer.catalog import Generation
from indexer.engines import get_engine
from indexer.engines.base import Reader
from indexer.read.suggest import Vocabulary
from indexer.settings import Settings
from indexer.synonyms import FILE as SYNONYMS_FILE
from indexer.synonyms import Synonyms


class Served:
    """One generation as served: its reader, and what its reindex recorded beside it."""

    def __init__(self, generation: Generation, settings: Settings):
        self.generation = generation
        self.name = generation.path.name
        self.reader: Reader = get_engine(generation.meta["engine"], settings).reader(
            generation.engine_dir
        )
        path = generation.path / SYNONYMS_FILE
        # A generation built before synonyms existed has no list: none apply.
        self.synonyms = Synonyms.load(path) if path.exists() else Synonyms(())

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        """Read on first use: only did-you-mean, completion and transliteration need it."""
        return Vocabulary(self.generation.path)


class CurrentGeneration:
    """The served generation of one index directory; safe to share between threads."""

    def __init__(self, settings: Settings, on_swap=lambda: None):
        self.settings = settings
        self.catalog = Catalog(settings.index_dir)
        self._on_swap = on_swap
        self._lock = threading.Lock()
        self._served: Served | None = None

    def get(self) -> Served:
        name = self.catalog.current_name()
        served = self._served
        if served is not None and served.name == name:
            return served
        with self._lock:
            if self._served is None or self._served.name != self.catalog.current_name():
                # The old reader is left to the garbage collector: a request
                # in flight on another thread may still be using it.
                self._served = Served(self.catalog.current(), self.settings)
                self._on_swap()
            return self._served
