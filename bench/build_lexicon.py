"""Build the ticker splitter's word-frequency lexicon from news article bodies.

    python -m bench.build_lexicon [CORPUS ...] [--limit 20000] [--words 60000] [--min-count 5]

Reads JSON-lines corpora (``{"id", "title", "text", ...}``, gzip or plain),
counts the normalised Arabic words of the first ``--limit`` article TEXTS
(titles are left out: the splitter benchmark tests on titles of later
articles), and writes ``indexer/ingest/data/lexicon.tsv``: word<TAB>count,
most frequent first, the top ``--words`` words seen at least ``--min-count``
times.  Only counts are shipped, never the corpus text.
"""

import argparse
import collections
import gzip
import html
import json
import re
from pathlib import Path

from indexer.analysis.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "news" / "corpus.jsonl.gz"
OUTPUT = ROOT / "indexer" / "ingest" / "data" / "lexicon.tsv"
TOKEN = re.compile(r"[^\W_]+")
# Normalised text has only the 36 base letters (hamza .. yeh) left in words.
ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def articles(paths: list[Path]):
    """Every article of the given JSON-lines files, in order."""
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def text_words(text: str) -> list[str]:
    """Normalised Arabic words of a scraped body (entities decoded first)."""
    # normalise() turns bidi marks and zero-width spaces into spaces, so words
    # glued by them come apart; html.unescape turns &quot; into a quote, not
    # into the stray word "quot".  Tokens mixing in digits or Latin are
    # dropped whole: "الـ20" must not count "ال" as a word.
    tokens = TOKEN.findall(normalise(html.unescape(text)))
    return [token for token in tokens if ARABIC_WORD.fullmatch(token)]


def count_words(paths: list[Path], limit: int) -> collections.Counter:
    counts = collections.Counter()
    for number, article in enumerate(articles(paths)):
        if number >= limit:
            break
        counts.update(text_words(article.get("text") or ""))
    return counts


def write_lexicon(counts: collections.Counter, path: Path, words: int, min_count: int) -> int:
    """Write the top words; return how many were written."""
    # Ties broken alphabetically so that the file is reproducible.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = [(w, c) for w, c in ranked[:words] if c >= min_count]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w}\t{c}\n" for w, c in kept), encoding="utf-8")
    return len(kept)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument("--limit", type=int, default=20_000, help="articles read (default 20000)")
    parser.add_argument("--words", type=int, default=60_000, help="words kept at most")
    parser.add_argument("--min-count", type=int, default=5, help="least count kept")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    counts = count_words(args.corpus, args.limit)
    kept = write_lexicon(counts, args.output, args.words, args.min_count)
    print(f"{kept} words ({args.output.stat().st_size} bytes) from "
          f"{sum(counts.values())} tokens, {len(counts)} distinct -> {args.output}")


if __name__ == "__main__":
    main()
