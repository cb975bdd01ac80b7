"""The shape of facets, the same for every engine: which values, in which order, by which interval.

Engines count (Whoosh in Python, tantivy and OpenSearch with aggregations);
these pure functions cut and order the counts, so every engine answers alike.
"""

from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date

from indexer.engines.base import DATE_FACET
from indexer.engines.base import FACET_FIELDS
from indexer.engines.base import Facets

FACET_SIZE = 20  # values shown per facet: the cost of a reply stays bounded
# Values an aggregation counts per field before the cut (its shard and segment
# size): counts are exact while a field has fewer distinct values than this.
CANDIDATES = 1000
DAY_SPAN = 62  # matching dates at most this many days apart are counted by day
DAY_CANDIDATES = DAY_SPAN + 1  # distinct days within such a span


def top_values(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """The FACET_SIZE commonest values, most first, ties by value (as Elasticsearch's
    ``_count desc, _key asc``); no value ("") is not a value."""
    found = sorted(
        ((value, count) for value, count in counts if value and count),
        key=lambda item: (-item[1], item[0]),
    )
    return found[:FACET_SIZE]


def bucket_counts(aggregation: dict) -> list[tuple[str, int]]:
    """(key, count) of each bucket of an aggregation's result, as tantivy and
    Elasticsearch give it (``{"buckets": [{"key", "doc_count"}]}``)."""
    return [(bucket["key"], bucket["doc_count"]) for bucket in aggregation["buckets"]]


def terms_facets(names: tuple[str, ...], found: dict) -> dict[str, list[tuple[str, int]]]:
    """The top values of each field of ``names`` from terms aggregations named after them."""
    return {name: top_values(bucket_counts(found[name])) for name in names if name in FACET_FIELDS}


def interval(first: str, last: str) -> str:
    """ "day" when YYYY-MM-DD dates ``first`` to ``last`` span at most DAY_SPAN days, else "month"."""
    span = date.fromisoformat(last) - date.fromisoformat(first)
    return "day" if span.days <= DAY_SPAN else "month"


def date_buckets(
    first: str | None,
    last: str | None,
    months: Iterable[tuple[str, int]],
    days: Iterable[tuple[str, int]],
) -> tuple[str, list[tuple[str, int]]]:
    """(interval, buckets oldest first) from the earliest and latest matching
    date and the counts by month (YYYY-MM) and by day (complete when the span
    is short); no dated match: ("month", [])."""
    if first is None or last is None:
        return "month", []
    chosen = interval(first, last)
    buckets = days if chosen == "day" else months
    return chosen, sorted((key, count) for key, count in buckets if count)


def from_values(
    names: tuple[str, ...], values: Mapping[str, Iterable[str]], dates: Iterable[str]
) -> Facets:
    """Facets from each matching document's values (``values[field]``, one per
    document) and dates (YYYY-MM-DD or "" for none): an engine that counts itself."""
    counted = {
        name: top_values(Counter(values[name]).items()) for name in names if name in FACET_FIELDS
    }
    if DATE_FACET not in names:
        return Facets(counted)
    days = Counter(d for d in dates if d)
    months = Counter()
    for day, count in days.items():
        months[day[:7]] += count
    first, last = (min(days), max(days)) if days else (None, None)
    return Facets(counted, date_buckets(first, last, months.items(), days.items()))


def empty(names: tuple[str, ...]) -> Facets:
    """The facets of no documents."""
    return from_values(names, {name: () for name in FACET_FIELDS}, ())
