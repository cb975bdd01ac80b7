"""One story once: near-duplicate hits grouped under the best-ranked of them.

Grouping is greedy in rank order: a hit joins the first group whose leader it
matches, else it leads a group of its own.  A hit's fate depends only on the
hits ranked above it, so grouping the first N hits gives the same leaders, in
the same order, for every N: pages cut from it stay consistent.
"""

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from indexer import analysis
from indexer.analysis import native
from indexer.engines.base import Hit
from indexer.engines.base import Results
from indexer.signature import SKETCH_SIZE
from indexer.signature import near
from indexer.signature import sketch

# Estimated Jaccard of the two versions' shingles at and above which they are
# one story: chosen on the news corpus's pairs (docs/BENCHMARKS.md).
THRESHOLD = 0.7
# The deepest result an engine is asked for (OpenSearch's index.max_result_window).
MAX_FETCH = 10_000


def reference_group(signatures: Sequence[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """Positions of the hits, grouped: each group its leader (the best-ranked) first.

    A hit without a signature (too short to tell) is never grouped.  In
    Python: ``group`` is this pass, made by the compiled core when it is in
    use (a third of a page's time in Python).
    """
    groups: list[list[int]] = []
    leaders = []  # the sketch of each group's leader
    # A hash → the leaders holding it among their smallest few: a hit near a
    # leader shares all but a (1 - threshold) share of its hashes, so holds
    # one of its smallest that many plus one (and one more for rounding).
    # PERF: a hit is compared with those leaders only, not every leader.
    by_hash = defaultdict(list)
    for position, text in enumerate(signatures):
        mine = sketch(text)
        candidates = sorted({g for h in mine for g in by_hash.get(h, ())})
        found = next((g for g in candidates if near(mine, leaders[g], threshold)), None)
        if found is not None:
            groups[found].append(position)
            continue
        for h in sorted(mine)[: int(len(mine) * (1 - threshold)) + 2]:
            by_hash[h].append(len(groups))
        groups.append([position])
        leaders.append(mine)
    return groups


group = analysis.backed(
    reference_group,
    lambda _core, signatures, threshold=THRESHOLD: native.bahth_native.group(
        list(signatures), threshold, SKETCH_SIZE
    ),
)


@dataclass(frozen=True)
class Page:
    """One page of collapsed results; ``total`` counts each group once."""

    total: int
    hits: list[Hit]
    duplicates: list[list[Hit]]  # of each hit, the others of its group, best-ranked first
    timed_out: bool = False


def collapsed_page(
    fetch: Callable[[int, int], Results],
    signatures: Callable[[list[Hit]], list[str]],
    offset: int,
    limit: int,
    window: int,
) -> Page:
    """The page at ``offset`` of the results ``fetch(offset, limit)`` gives,
    collapsed by the hits' ``signatures``.

    The top ``window`` results are grouped; the results past them are not,
    and follow the groups' leaders unchanged.  Every page groups the same
    window, so pages never overlap or skip a result, and the cost of a page
    stays bounded however deep it is.
    """
    # The window and a page past it in one search: the first page, and any
    # whose results past the window it holds, need no second.  Only the
    # hits a page shows are read.
    head = fetch(0, min(window + limit, MAX_FETCH))
    ranked = head.hits[:window]
    groups = group(signatures(ranked))
    leaders = groups[offset : offset + limit]
    hits = [ranked[g[0]] for g in leaders]
    duplicates = [[ranked[i] for i in g[1:]] for g in leaders]
    timed_out = head.timed_out
    first = max(offset, len(groups))  # the first position of this page past the groups
    if offset + limit > first and head.total > window:
        start = window + first - len(groups)  # its result's rank, uncollapsed
        end = min(start + offset + limit - first, MAX_FETCH)
        if end <= len(head.hits) or len(head.hits) >= head.total:
            tail = Results(head.total, head.hits[start:end])
        else:
            tail = fetch(start, end - start) if end > start else Results(head.total, [])
        hits += tail.hits
        duplicates += [[] for _ in tail.hits]
        timed_out = timed_out or tail.timed_out
    return Page(head.total - (len(ranked) - len(groups)), hits, duplicates, timed_out)
