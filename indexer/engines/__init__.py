"""Search engines behind one interface (see ``base``); chosen by name."""

from indexer.engines.base import Engine
from indexer.settings import Settings


def get_engine(name: str, settings: Settings) -> Engine:
    """The engine ``name``, configured from ``settings`` (the embedded ones need nothing from it)."""
    # Imported on demand: an installation needs only the engine it uses.
    if name == "whoosh":
        from indexer.engines.whoosh_engine import WhooshEngine

        return WhooshEngine()
    if name == "tantivy":
        from indexer.engines.tantivy_engine import TantivyEngine

        return TantivyEngine()
    if name == "opensearch":
        from indexer.engines.opensearch_engine import OpenSearchEngine

        return OpenSearchEngine(settings)
    raise ValueError(f"unknown engine {name!r}")
