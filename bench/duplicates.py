"""Near-duplicate stories in the news corpus, as the search page collapses them.

    python -m bench.duplicates [--corpus PATH] [--threshold 0.8] [--sample 20] [--seed 1] [--low J]

Every article is read and analysed as a reindex does (the real ingest and
``pipeline.analysed``, so each gets the signature the index stores).  Pairs
sharing a hash of their sketches are compared (a hash in more than
COMMON_HASH documents, boilerplate, proposes no pair); those at or above the
threshold are near-duplicates, and their connected components the groups.
Prints how many pairs fall in each band of estimated Jaccard (to choose the
threshold), the groups at the threshold, and a random sample of pairs at it,
titles and sources side by side, to judge precision by eye; then one JSON line.
"""

import argparse
import json
import random
import time
from collections import Counter
from collections import defaultdict
from pathlib import Path

from bench.datasets import NEWS
from indexer import schema
from indexer.document import Document
from indexer.read.collapse import THRESHOLD
from indexer.settings import Settings
from indexer.signature import similarity
from indexer.signature import sketch
from indexer.write.ingest.sources import read_sources
from indexer.write.pipeline import analysed

COMMON_HASH = 100
BANDS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def signed_articles(corpus: Path) -> tuple[list[Document], list[frozenset[int]]]:
    documents, sketches = [], []
    with analysed(read_sources([corpus]), Settings().reindex_workers) as pairs:
        for record, streams in pairs:
            if isinstance(record, Document) and streams:
                documents.append(record)
                sketches.append(sketch(streams[schema.SIGNATURE]))
    return documents, sketches


def candidate_pairs(sketches: list[frozenset[int]]) -> dict[tuple[int, int], float]:
    """The estimated Jaccard of every pair of documents sharing an uncommon hash."""
    holding = defaultdict(list)
    for number, hashes in enumerate(sketches):
        for h in hashes:
            holding[h].append(number)
    pairs = set()
    for numbers in holding.values():
        if 1 < len(numbers) <= COMMON_HASH:
            pairs.update((a, b) for i, a in enumerate(numbers) for b in numbers[i + 1 :])
    return {(a, b): similarity(sketches[a], sketches[b]) for a, b in pairs}


def components(pairs: list[tuple[int, int]]) -> list[set[int]]:
    parent = {}

    def root(n: int) -> int:
        while parent.setdefault(n, n) != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups = defaultdict(set)
    for n in parent:
        groups[root(n)].add(n)
    return list(groups.values())


def band_counts(scores) -> list[tuple[str, int]]:
    counts = Counter(
        next(f"<{high:.1f}" for high in BANDS if s < high) if s < 1 else "=1.0" for s in scores
    )
    order = [f"<{high:.1f}" for high in BANDS] + ["=1.0"]
    return [(band, counts[band]) for band in order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=NEWS, help="a JSONL corpus (default: the news corpus)"
    )
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--low", type=float, help="sample pairs at or above this instead, below the threshold"
    )
    args = parser.parse_args()
    if not args.corpus.is_file():
        parser.error(f"no corpus at {args.corpus}")
    started = time.perf_counter()
    documents, sketches = signed_articles(args.corpus)
    signed = time.perf_counter() - started
    scores = candidate_pairs(sketches)
    print(f"{len(documents)} articles signed in {signed:.1f} s; {len(scores)} candidate pairs")
    for band, count in band_counts(scores.values()):
        print(f"  Jaccard {band}: {count} pairs")
    near = sorted(pair for pair, score in scores.items() if score >= args.threshold)
    groups = components(near)
    in_groups = sum(len(g) for g in groups)
    cross_source = sum(1 for a, b in near if documents[a].source != documents[b].source)
    print(
        f"at >= {args.threshold}: {len(near)} pairs ({cross_source} across sources), "
        f"{len(groups)} groups holding {in_groups} articles "
        f"({in_groups - len(groups)} collapsed away, {100 * (in_groups - len(groups)) / len(documents):.1f} %)"
    )
    shown = (
        near
        if args.low is None
        else sorted(p for p, s in scores.items() if args.low <= s < args.threshold)
    )
    rng = random.Random(args.seed)
    for a, b in rng.sample(shown, min(args.sample, len(shown))):
        print(f"\n{scores[a, b]:.2f}  {documents[a].source:>12} | {documents[a].title}")
        print(f"      {documents[b].source:>12} | {documents[b].title}")
    print(
        json.dumps(
            {
                "bench": "duplicates",
                "articles": len(documents),
                "threshold": args.threshold,
                "pairs": len(near),
                "groups": len(groups),
                "articles_in_groups": in_groups,
            }
        )
    )


if __name__ == "__main__":
    main()
