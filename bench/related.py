"""Related-articles benchmark: does the first half of an article find the article?

    python -m bench.related [--news PATH] [--engines tantivy,whoosh] [--sample 1000]
                            [--seed 2015] [--index-dir DIR] [--examples 5]

Each engine indexes the news corpus through ``reindex`` (into ``--index-dir``
/ENGINE, kept and reused when it holds an index, else a temporary folder).  A
fixed sample of its articles (``random.Random(seed)``) is asked for in turn:
the first half of each one's text (cut at a word, no title) is ``POST``ed to
``/api/related`` through the real app in process (falcon's test client: the
JSON body read, validated, answered; no network), and the article should
come first (the target: ≥ 95 %).  Printed: the rate at 1, 3 and 10, the
rate with copies of the article counted too (the corpus holds the same
story from several papers: a first hit sharing most of the article's
distinct stems, Jaccard), the cost of a call (p50/p99 ms), the same for
``GET /api/documents/{id}/related`` of each sampled article, and a few
articles with their three closest (their related titles).  One JSON line per
engine goes to stdout after the report.
"""

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from falcon.testing import TestClient

from bench import datasets
from bench.timing import percentile
from indexer import analysis
from indexer.catalog import Catalog
from indexer.settings import Settings
from indexer.write.reindex import reindex
from search_api.app import create_app

TARGET = 0.95
WARM_UP = 20  # untimed calls first: caches filled, the reader opened
DEPTH = 10  # related articles asked for
# A first hit sharing this share of its stems with the article counts as a copy of it.
COPY_SHARES = (0.8, 0.5)


def first_half(text: str) -> str:
    """The first half of ``text``, cut at the last white space before its middle.

    >>> first_half("قال الرئيس إن الاتفاق قريب")
    'قال الرئيس'
    """
    middle = len(text) // 2
    cut = text.rfind(" ", 0, middle + 1)
    return text[: cut if cut > 0 else middle].strip()


def sample(path: Path, size: int, seed: int) -> list[dict]:
    """``size`` articles of the corpus, chosen by ``seed``, in the order drawn."""
    records = [r for r in datasets.read_corpus(path) if (r.get("text") or "").strip()]
    return random.Random(seed).sample(records, size)


def built_index(settings: Settings, news: Path) -> float:
    """Build ``settings``' index of the corpus unless it holds one; the seconds it took."""
    if Catalog(settings.index_dir).current_name():
        return 0.0
    started = time.perf_counter()
    reindex(settings, [news])
    return time.perf_counter() - started


def timed(call, *args, **kwargs):
    """``call``'s result and the milliseconds it took."""
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def stems(text: str) -> set[str]:
    return {term.stem for term in analysis.analyse(text)}


def _overlap(client: TestClient, article: dict, other: str) -> float:
    """The share of distinct stems two articles have in common (Jaccard): near 1 for the
    same story as another paper printed it."""
    mine, theirs = (
        stems(article["text"]),
        stems(client.simulate_get(f"/api/documents/{other}").json["body"]),
    )
    return len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0


def measure(client: TestClient, articles: list[dict]) -> dict:
    """Rank of each article for its first half, the calls' costs, and each one's related."""
    for article in articles[:WARM_UP]:
        client.simulate_post("/api/related", json={"text": first_half(article["text"])})
    ranks, copies, post_ms, get_ms, related = [], [], [], [], {}
    for article in articles:
        body = {"text": first_half(article["text"]), "limit": DEPTH}
        found, ms = timed(client.simulate_post, "/api/related", json=body)
        assert found.status_code == 200, found.text
        post_ms.append(ms)
        hits = found.json["hits"]
        ids = [hit["id"] for hit in hits]
        ranks.append(ids.index(article["id"]) + 1 if article["id"] in ids else None)
        if ranks[-1] != 1 and hits:
            copies.append(_overlap(client, article, hits[0]["id"]))
        path = f"/api/documents/{article['id']}/related"
        found, ms = timed(client.simulate_get, path, params={"limit": 3})
        assert found.status_code == 200, found.text
        get_ms.append(ms)
        related[article["id"]] = [hit["title"] for hit in found.json["hits"]]
    n = len(ranks)
    return {
        "articles": n,
        "first": sum(r == 1 for r in ranks) / n,
        "top3": sum(r is not None and r <= 3 for r in ranks) / n,
        "top10": sum(r is not None for r in ranks) / n,
        **{
            f"first_or_copy_{share}": (sum(r == 1 for r in ranks) + sum(c >= share for c in copies))
            / n
            for share in COPY_SHARES
        },
        "misses_sharing_under_10pc": sum(c < 0.1 for c in copies),
        "post_p50_ms": round(percentile(post_ms, 50), 2),
        "post_p99_ms": round(percentile(post_ms, 99), 2),
        "get_p50_ms": round(percentile(get_ms, 50), 2),
        "get_p99_ms": round(percentile(get_ms, 99), 2),
        "related": related,
    }


def report(engine: str, seconds: float, figures: dict, articles: list[dict], examples: int) -> None:
    n = figures["articles"]
    built = f", indexed in {seconds:.0f} s" if seconds else ", index reused"
    print(f"\n## {engine}: {n} articles of the news corpus{built}")
    verdict = "meets" if figures["first"] >= TARGET else "MISSES"
    print(
        f"first half of the text → the article first: {figures['first']:.1%} "
        f"({verdict} the {TARGET:.0%} target); in the top 3: {figures['top3']:.1%}; "
        f"top 10: {figures['top10']:.1%}"
    )
    copies = ", ".join(
        f"{figures[f'first_or_copy_{share}']:.1%} sharing ≥ {share:.0%}" for share in COPY_SHARES
    )
    print(
        f"the article or a copy of it (another paper's version: the first hit sharing this "
        f"share of its distinct stems) first: {copies}; misses whose first hit shares "
        f"under 10 %: {figures['misses_sharing_under_10pc']}"
    )
    print(
        f"POST /api/related: p50 {figures['post_p50_ms']} ms, p99 {figures['post_p99_ms']} ms; "
        f"GET /api/documents/{{id}}/related: p50 {figures['get_p50_ms']} ms, "
        f"p99 {figures['get_p99_ms']} ms"
    )
    print("\nexamples (an article → its three closest):")
    for article in articles[:examples]:
        print(f"- {article['title']}")
        for title in figures["related"][article["id"]]:
            print(f"    → {title}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=datasets.NEWS)
    parser.add_argument("--engines", default="tantivy")
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--index-dir", type=Path, help="kept between runs (default: temporary)")
    parser.add_argument("--examples", type=int, default=5)
    args = parser.parse_args(argv)
    articles = sample(args.news, args.sample, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-related-") as tmp:
        root = args.index_dir or Path(tmp)
        for engine in args.engines.split(","):
            settings = Settings(index_dir=root / engine, engine=engine)
            print(f"{engine}: indexing {args.news} ...", file=sys.stderr)
            seconds = built_index(settings, args.news)
            figures = measure(TestClient(create_app(settings)), articles)
            report(engine, seconds, figures, articles, args.examples)
            summary = {k: v for k, v in figures.items() if k != "related"}
            print(json.dumps({"engine": engine, "index_seconds": round(seconds, 1)} | summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
