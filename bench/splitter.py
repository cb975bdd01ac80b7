"""Held-out benchmark of the headline-ticker splitter, on pages made like the seed page.

    python -m bench.splitter [--seeds 1 2 3 4 5] [--runs 300] [--failures N]

For each random seed, titles of the corpus's held-out part (``bench.news_split``:
never counted into the splitter's model) are shuffled and glued, with NO
separator, into tickers of 5-20 titles.  Each ticker heads a page like the
seed page: the ticker line, then a held-out article's title and body, then
the site's footer.  The page goes through the real ingest (``parse_page``:
cleaning, then ``split_ticker``), and its headline documents are compared with
the titles, cleaned: a title counts when a headline equals it exactly.
Reports, per seed and the median over seeds, exact-title recall (titles
recovered / titles glued) and precision (headlines that are a title /
headlines), then the seed page's 15 hand-split headlines, and the splitter's
time on the seed page (its model's first load apart).
"""

import argparse
import json
import random
import statistics
import time
from collections import Counter
from pathlib import Path

from bench.build_lexicon import title_key
from bench.datasets import NEWS
from bench.news_split import held_out_articles
from bench.news_split import training_articles
from indexer.write.ingest.clean import clean
from indexer.write.ingest.seeds import parse_page
from indexer.write.ingest.splitter import split_ticker
from tests.conftest import SEED_HEADLINES
from tests.conftest import SEED_PAGE

FOOTER = [
    "اترك تعليقاً",
    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
    "زر الذهاب إلى الأعلى",
]


def held_out_titles(path: Path) -> tuple[list[dict], int]:
    """Held-out articles whose title is not a training title, and how many were dropped."""
    seen = {title_key(article.get("title") or "") for article in training_articles(path)}
    kept, dropped = [], 0
    for article in held_out_articles(path):
        key = title_key(article.get("title") or "")
        if not key:
            continue
        if key in seen:
            dropped += 1
            continue
        seen.add(key)  # and each title once
        kept.append(article)
    return kept, dropped


def pages(articles: list[dict], seed: int, runs: int) -> list[tuple[list[str], list[str]]]:
    """``runs`` pages (lines, and the titles of the ticker, cleaned) drawn with ``seed``."""
    rng = random.Random(seed)
    shuffled = articles[:]
    rng.shuffle(shuffled)
    result = []
    while len(result) < runs and len(shuffled) >= 21:
        size = rng.randint(5, 20)
        run, article, shuffled = shuffled[:size], shuffled[size], shuffled[size + 1 :]
        titles = [article["title"] for article in run]  # raw: entities and bidi marks as scraped
        lines = [
            "".join(titles),
            "",
            article["title"],
            "",
            *article["text"].split("\n"),
            "",
            *FOOTER,
        ]
        result.append((lines, [clean(title) for title in titles]))
    return result


def score(found: list[str], truth: list[str]) -> tuple[int, int, int]:
    """(titles glued, headlines found, headlines that are one of the titles)."""
    return len(truth), len(found), sum((Counter(found) & Counter(truth)).values())


def headlines(lines: list[str]) -> list[str]:
    return [doc.title for doc in parse_page(lines, "bench", "page") if doc.kind == "headline"]


def run_seed(articles: list[dict], seed: int, runs: int, failures: int) -> dict:
    totals = [0, 0, 0]
    shown = 0
    for lines, truth in pages(articles, seed, runs):
        found = headlines(lines)
        totals = [a + b for a, b in zip(totals, score(found, truth))]
        if shown < failures and found != truth:
            shown += 1
            missed = [t for t in truth if t not in found]
            extra = [f for f in found if f not in truth]
            print(json.dumps({"missed": missed, "found": extra}, ensure_ascii=False))
    true, predicted, correct = totals
    return {
        "seed": seed,
        "titles": true,
        "recall": round(correct / true, 4),
        "precision": round(correct / predicted, 4) if predicted else 1.0,
    }


def seed_page_figures() -> dict:
    """The seed page's ticker: hand-split headlines recovered, and the splitter's time on it."""
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    split_ticker(clean(lines[0]))  # the first call loads the model
    first_ms = 1000 * (time.perf_counter() - started)
    found = headlines(lines)
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        split_ticker(clean(lines[0]))
        timings.append(time.perf_counter() - started)
    page = []
    for _ in range(20):
        started = time.perf_counter()
        list(parse_page(lines, "seed", "page"))
        page.append(time.perf_counter() - started)
    _, _, correct = score(found, SEED_HEADLINES)
    return {
        "seed_page_exact": f"{correct}/{len(SEED_HEADLINES)}",
        "headlines_found": len(found),
        "first_call_ms": round(first_ms, 1),
        "split_ms": round(1000 * min(timings), 3),
        "parse_page_ms": round(1000 * min(page), 3),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument(
        "--runs", type=int, default=300, help="tickers per seed (about 440 at most)"
    )
    parser.add_argument(
        "--failures", type=int, default=0, help="mis-split tickers to print per seed"
    )
    args = parser.parse_args(argv)
    seed_page = seed_page_figures()  # first: its first call is the model's cold load
    articles, dropped = held_out_titles(args.corpus)
    print(f"held-out titles {len(articles)} ({dropped} dropped: also a training title)")
    print(f"{'seed':>6}{'titles':>8}{'recall':>9}{'precision':>11}")
    reports = [run_seed(articles, seed, args.runs, args.failures) for seed in args.seeds]
    for r in reports:
        print(f"{r['seed']:>6}{r['titles']:>8}{r['recall']:>9.4f}{r['precision']:>11.4f}")
    median = {
        "recall": statistics.median(r["recall"] for r in reports),
        "precision": statistics.median(r["precision"] for r in reports),
    }
    print(f"{'median':>6}{'':>8}{median['recall']:>9.4f}{median['precision']:>11.4f}")
    print(
        f"seed page: {seed_page['seed_page_exact']} headlines exact ({seed_page['headlines_found']} found); "
        f"split {seed_page['split_ms']} ms, whole page {seed_page['parse_page_ms']} ms, "
        f"first call (model load) {seed_page['first_call_ms']} ms"
    )
    print(json.dumps({"seeds": reports, "median": median, "seed_page": seed_page}))


if __name__ == "__main__":
    main()
