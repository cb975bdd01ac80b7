"""Boundary benchmark for the headline-ticker splitter.

    python -m bench.splitter [--runs N] [--threshold T] [--sweep]

Real titles of news articles after the first ``--skip`` (the lexicon is
built from the bodies of the first 20,000, so this is out of sample) are
shuffled with a fixed seed and glued, with NO separator, into runs of 10-20
titles.  A boundary is the offset where a title starts (the first excluded).
Reports boundary precision / recall / F1 overall and for "marked" joins
(end punctuation, quotes, word-final letters) and "unmarked" ones, plus the
share of titles recovered exactly, as a table and one JSON line.
"""

import argparse
import gzip
import html
import itertools
import json
import random
import re
import time
from pathlib import Path

from indexer.analysis.normalise import IN_WORD
from indexer.ingest.splitter import SPLIT_THRESHOLD, boundaries, lexicon

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "news" / "corpus.jsonl.gz"
SEED = 20150721
# Characters that visibly end a headline, or open the next one (a join after
# or before a number counts as unmarked).
MARKED_BEFORE = set("؟?!…”»)\"ةىًٌٍ")
MARKED_AFTER = set("“«(\"")


def titles(path: Path, skip: int) -> list[str]:
    """Cleaned, non-empty titles of the articles after the first ``skip``."""
    result = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= skip:
                title = " ".join(html.unescape(json.loads(line)["title"]).split())
                if title:
                    result.append(title)
    return result


def tickers(all_titles: list[str], runs: int) -> list[list[str]]:
    """``runs`` disjoint runs of 10-20 titles drawn at random (fixed seed)."""
    rng = random.Random(SEED)
    shuffled = all_titles[:]
    rng.shuffle(shuffled)
    result = []
    while len(result) < runs and len(shuffled) >= 20:
        size = rng.randint(10, 20)
        result.append(shuffled[:size])
        shuffled = shuffled[size:]
    return result


def is_marked(line: str, offset: int) -> bool:
    """Whether the join at ``offset`` shows: punctuation, a quote, a final letter."""
    # Marks after the last letter are looked through, all but fathatan.
    before = re.sub("[%s]+$" % re.escape(IN_WORD.replace("ً", "")), "", line[:offset])
    if before.endswith("ًا"):
        return True
    return (before[-1:] in MARKED_BEFORE) or (line[offset:offset + 1] in MARKED_AFTER)


class Score:
    """Counts of true, predicted and correct boundaries."""

    def __init__(self):
        self.true = self.predicted = self.correct = 0

    def add(self, true: set, predicted: set) -> None:
        self.true += len(true)
        self.predicted += len(predicted)
        self.correct += len(true & predicted)

    def figures(self) -> dict:
        precision = self.correct / self.predicted if self.predicted else 1.0
        recall = self.correct / self.true if self.true else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4),
                "f1": round(f1, 4), "boundaries": self.true}


def evaluate(runs: list[list[str]], threshold: float) -> dict:
    """Split every run glued together; score its boundaries against the truth."""
    scores = {"overall": Score(), "marked": Score(), "unmarked": Score()}
    exact = total = 0
    seconds = 0.0
    for run in runs:
        line = "".join(run)
        starts = list(itertools.accumulate(map(len, run[:-1]), initial=0))
        true = set(starts[1:])
        started = time.perf_counter()
        predicted = set(boundaries(line, threshold))
        seconds += time.perf_counter() - started
        scores["overall"].add(true, predicted)
        for kind, wanted in (("marked", True), ("unmarked", False)):
            keep = {b for b in true | predicted if is_marked(line, b) == wanted}
            scores[kind].add(true & keep, predicted & keep)
        cuts = [0, *sorted(predicted), len(line)]
        spans = set(zip(cuts, cuts[1:]))
        exact += sum((s, s + len(t)) in spans for s, t in zip(starts, run))
        total += len(run)
    report = {kind: score.figures() for kind, score in scores.items()}
    report["exact_headlines"] = round(exact / total, 4)
    report["ms_per_ticker"] = round(1000 * seconds / len(runs), 3)
    report["chars_per_ticker"] = round(sum(len("".join(r)) for r in runs) / len(runs))
    report["threshold"] = threshold
    report["tickers"] = len(runs)
    return report


def print_table(report: dict) -> None:
    print(f"{'joins':<10}{'precision':>10}{'recall':>10}{'F1':>10}{'count':>8}")
    for kind in ("overall", "marked", "unmarked"):
        f = report[kind]
        print(f"{kind:<10}{f['precision']:>10.3f}{f['recall']:>10.3f}{f['f1']:>10.3f}{f['boundaries']:>8}")
    print(f"exact headlines {report['exact_headlines']:.3f}; {report['tickers']} tickers, "
          f"{report['ms_per_ticker']} ms per ticker of {report['chars_per_ticker']} chars")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip", type=int, default=20_000, help="articles the lexicon was built from")
    parser.add_argument("--runs", type=int, default=500, help="tickers to split (about 660 at most)")
    parser.add_argument("--threshold", type=float, default=SPLIT_THRESHOLD)
    parser.add_argument("--sweep", action="store_true", help="F1 for thresholds around --threshold")
    args = parser.parse_args(argv)
    runs = tickers(titles(args.corpus, args.skip), args.runs)
    lexicon()  # loaded once, outside the timings
    if args.sweep:
        for threshold in [args.threshold + t / 2 for t in range(-12, 13)]:
            r = evaluate(runs, threshold)
            print(f"threshold {threshold:5.1f}  F1 {r['overall']['f1']:.4f}  "
                  f"unmarked P {r['unmarked']['precision']:.3f} R {r['unmarked']['recall']:.3f}")
        return
    report = evaluate(runs, args.threshold)
    print_table(report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
