"""What a search answers: the reply's shape, and each hit's."""

from dataclasses import dataclass
from dataclasses import field

from indexer.engines.base import Facets
from indexer.read.highlight import Matcher
from indexer.read.highlight import highlight
from indexer.read.highlight import snippet


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[dict] = field(default_factory=list)
    suggestion: str | None = None
    phrases_relaxed: bool = False
    transliterated: str | None = None  # the Arabic searched for a query typed in Latin letters
    facets: Facets | None = None  # when asked for
    synonyms: list[str] = field(default_factory=list)  # entries the query was widened by

    def to_dict(self) -> dict:
        reply = {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "hits": self.hits,
            "suggestion": self.suggestion,
            "phrases_relaxed": self.phrases_relaxed,
            "transliterated": self.transliterated,
            "synonyms": self.synonyms,
        }
        if self.facets is not None:
            reply["facets"] = facets_dict(self.facets)
        return reply


def facets_dict(facets: Facets) -> dict:
    """Facets as the JSON reply gives them."""
    reply = {
        name: [{"value": value, "count": count} for value, count in values]
        for name, values in facets.values.items()
    }
    if facets.dates is not None:
        interval, buckets = facets.dates
        reply["date"] = {
            "interval": interval,
            "buckets": [{"key": key, "count": count} for key, count in buckets],
        }
    return reply


def hit(stored: dict, score: float, matcher: Matcher, also_in: list | None = None) -> dict:
    """One hit, its matches marked; ``also_in``: the copies of its story collapsed under it."""
    title, body = stored.get("title", ""), stored.get("body", "")
    return {
        "id": stored["id"],
        "kind": stored["kind"],
        "title": title,
        "title_html": highlight(title, matcher),
        "snippet": snippet(body or title, matcher),
        "score": round(score, 4),
        "date": stored.get("date") or None,
        "url": stored.get("url") or None,
        "source": stored.get("source") or None,
        "also_in": also_in or [],
    }


def copy_link(stored: dict) -> dict:
    """How a hit names a near-duplicate of it: enough to link to it and say where it ran."""
    return {
        "id": stored["id"],
        "source": stored.get("source") or None,
        "url": stored.get("url") or None,
        "title": stored.get("title", ""),
    }
