"""The news corpus cut in three for the headline splitter: to count, to tune, to test.

An article's part is the SHA-1 of its id, read as a number, modulo 5: 0 is
held out (the test of ``bench.splitter``), 1 tunes the splitter's few weights,
2-4 are counted into its word tables.  About 6,000 articles, 6,000 and 18,000,
fixed for ever and independent of the file's order.  Everything the splitter
ships (``bench.build_lexicon``) comes from the counted and tuning parts only,
titles and texts alike; the benchmark drops any held-out title that also
occurs, normalised, as a title of those parts (the same wire story published
by several papers), so that no test title is in the model.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path

from bench.datasets import NEWS
from bench.datasets import read_corpus

PARTS = 5
HELD_OUT, TUNING = 0, 1  # the other remainders are counted


def part(article_id: str) -> int:
    return int(hashlib.sha1(article_id.encode("utf-8")).hexdigest(), 16) % PARTS


def articles(wanted, path: Path = NEWS) -> Iterator[dict]:
    """The articles whose part is in ``wanted``, in file order."""
    return (article for article in read_corpus(path) if part(article["id"]) in wanted)


def counted_articles(path: Path = NEWS) -> Iterator[dict]:
    return articles({p for p in range(PARTS) if p not in (HELD_OUT, TUNING)}, path)


def tuning_articles(path: Path = NEWS) -> Iterator[dict]:
    return articles({TUNING}, path)


def held_out_articles(path: Path = NEWS) -> Iterator[dict]:
    return articles({HELD_OUT}, path)


def training_articles(path: Path = NEWS) -> Iterator[dict]:
    """Every article the splitter may learn from: counted and tuning parts."""
    return articles({p for p in range(PARTS) if p != HELD_OUT}, path)
