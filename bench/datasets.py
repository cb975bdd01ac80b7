"""Relevance data for the benchmarks: queries, qrels, corpora, and temporary variants.

Data is read by path from ``../shared/data`` beside the project and never
copied into it: variants (titles dropped) are written to a temporary folder.
"""

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
XQUAD = DATA / "xquad-ar"
NEWS = DATA / "news" / "corpus.jsonl.gz"


@dataclass
class Dataset:
    name: str
    corpus: Path  # what is indexed
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    baseline: bool = True  # also run the baseline on it


def _open(path: Path):
    return (
        gzip.open(path, "rt", encoding="utf-8")
        if path.suffix == ".gz"
        else open(path, encoding="utf-8")
    )


def read_corpus(path: Path) -> Iterator[dict]:
    """Every record of a .jsonl or .jsonl.gz corpus, in file order."""
    with _open(path) as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def load_queries(path: Path) -> dict[str, str]:
    """Query id → text, in file order."""
    return {str(record["id"]): record["text"] for record in read_corpus(path)}


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Query id → {document id: grade}, from ``query_id<TAB>doc_id<TAB>grade`` lines."""
    qrels: dict[str, dict[str, int]] = {}
    with _open(path) as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}:{number}: expected query_id<TAB>doc_id<TAB>grade")
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def known_items(path: Path, count: int = 1000, min_words: int = 4):
    """The news known-item test: the first ``count`` articles whose title has at
    least ``min_words`` words; query = the title as published, relevant = that article.

    Returns:
        (queries, qrels): query id (the article id) → title, and → {article id: 1}.
    """
    queries = {}
    for record in read_corpus(path):
        title = record.get("title") or ""
        if len(title.split()) >= min_words:
            queries[str(record["id"])] = title
            if len(queries) == count:
                break
    if len(queries) < count:
        raise ValueError(f"{path}: only {len(queries)} titles of {min_words}+ words, not {count}")
    return queries, {doc_id: {doc_id: 1} for doc_id in queries}


def write_without_titles(source: Path, target: Path) -> Path:
    """A copy of a corpus with every title set to "" (bodies only), as .jsonl."""
    with open(target, "w", encoding="utf-8") as out:
        for record in read_corpus(source):
            out.write(json.dumps(record | {"title": ""}, ensure_ascii=False) + "\n")
    return target


def benchmark_sets(
    corpus: Path, queries: Path, qrels: Path, news: Path | None, tmp: Path
) -> list[Dataset]:
    """The relevance benchmark's datasets, variants written under ``tmp``.

    ``<name>`` is the corpus with titles dropped (the headline figure),
    ``<name>+titles`` the corpus as given (bahth only: reindex prepends titles),
    and, unless ``news`` is None, ``news-known-item`` over the news bodies, last.
    """
    name = corpus.parent.name or corpus.stem
    query_texts, judged = load_queries(queries), load_qrels(qrels)
    sets = [
        Dataset(
            name, write_without_titles(corpus, tmp / f"{name}-body.jsonl"), query_texts, judged
        ),
        Dataset(f"{name}+titles", corpus, query_texts, judged, baseline=False),
    ]
    if news is not None:
        news_queries, news_qrels = known_items(news)
        body = write_without_titles(news, tmp / "news-body.jsonl")
        sets.append(Dataset("news-known-item", body, news_queries, news_qrels))
    return sets
