"""The news corpus cut in two for the headline splitter: a part to learn from, a part to test on.

An article belongs to the held-out part when the SHA-1 of its id, read as a
number, is divisible by ``HELD_OUT_EVERY``: about one article in five, fixed
for ever and independent of the file's order.  Everything the splitter ships
(``bench.build_lexicon``) is counted from the training part only, titles and
texts alike; ``bench.splitter`` tests on held-out titles alone, and drops any
that also occur, normalised, as a training title (the same wire story
published by several papers), so that no test title is in the model.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path

from bench.datasets import NEWS, read_corpus

HELD_OUT_EVERY = 5


def is_held_out(article_id: str) -> bool:
    return int(hashlib.sha1(article_id.encode("utf-8")).hexdigest(), 16) % HELD_OUT_EVERY == 0


def training_articles(path: Path = NEWS) -> Iterator[dict]:
    return (article for article in read_corpus(path) if not is_held_out(article["id"]))


def held_out_articles(path: Path = NEWS) -> Iterator[dict]:
    return (article for article in read_corpus(path) if is_held_out(article["id"]))
