"""Build the ticker splitter's model from the training parts of the news corpus.

    python -m bench.build_lexicon [--corpus PATH] [--words 150000] [--min-count 2]

The corpus is cut by ``bench.news_split``: held-out articles (the benchmark's
test) are never read here.  From the counted part it writes, under
``indexer/write/ingest/data/``:

- ``lexicon.tsv``: normalised word<TAB>count over the article texts and
  titles, most frequent first, the top ``--words`` seen ``--min-count`` times;
- ``title_words.tsv``: word<TAB>titles<TAB>first word of<TAB>last word of,
  for the words in at least ``--min-titles`` titles, after a ``*`` row of totals;
- ``letter_trigrams.tsv``: three letters<TAB>distinct words they are in, the
  words padded ^^word$, over the words seen ``--min-count`` times, after a
  ``*`` row: occurrences of the words left out of the lexicon, of all words;
- ``collocations.bin``: the CRC-32 of each "first second" pair of words seen
  together ``--min-pair-count`` times with a PMI above ``--min-pmi``.

Then it glues the tuning part's titles into tickers, as the benchmark does,
and fits the weights of the splitter's cut features by logistic regression
on every cut the splitter considers (is a headline starting there?), written
to ``cut_weights.json``.  Only counts and weights are shipped, never text.
"""

import argparse
import array
import collections
import html
import itertools
import json
import math
import random
import re
import sys
from pathlib import Path

from bench.datasets import NEWS
from bench.news_split import counted_articles
from bench.news_split import tuning_articles
from indexer.analysis.normalise import normalise
from indexer.write.ingest import splitter
from indexer.write.ingest.clean import clean

DATA = Path(splitter.__file__).resolve().parent / "data"
TOKEN = re.compile(r"[^\W_]+")
# Normalised text has only the 36 base letters (hamza .. yeh) left in words.
ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")
TUNING_SEED = 20150721
L2 = 1.0  # ridge on the weights, so that a rare feature cannot run off


def text_tokens(text: str) -> list[str]:
    """Normalised tokens of a scraped text (entities decoded first), words or not."""
    # normalise() turns bidi marks and zero-width spaces into spaces, so words
    # glued by them come apart; html.unescape turns &quot; into a quote, not
    # into the stray word "quot".
    return TOKEN.findall(normalise(html.unescape(text)))


def text_words(text: str) -> list[str]:
    """Normalised Arabic words of a scraped text."""
    # Tokens mixing in digits or Latin are dropped whole: "الـ20" must not
    # count "ال" as a word.
    return [token for token in text_tokens(text) if ARABIC_WORD.fullmatch(token)]


def word_pairs(text: str) -> list[str]:
    """ "first second" for each two Arabic words in a row, by tokens (so not across a number)."""
    tokens = text_tokens(text)
    return [
        f"{a} {b}"
        for a, b in itertools.pairwise(tokens)
        if ARABIC_WORD.fullmatch(a) and ARABIC_WORD.fullmatch(b)
    ]


def title_edges(title: str) -> tuple[str | None, str | None]:
    """The title's first and last words, when a letter starts or ends it (else None)."""
    text = normalise(clean(title)).strip()
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return None, None
    first, last = tokens[0], tokens[-1]
    starts = first.start() == 0 and ARABIC_WORD.fullmatch(first.group())
    ends = last.end() == len(text) and ARABIC_WORD.fullmatch(last.group())
    return (first.group() if starts else None), (last.group() if ends else None)


def count(corpus: Path):
    """Word and word-pair counts of the counted part, and each title word's [titles, first, last]."""
    words, pairs = collections.Counter(), collections.Counter()
    titled = collections.defaultdict(lambda: [0, 0, 0])
    for article in counted_articles(corpus):
        title, text = article.get("title") or "", article.get("text") or ""
        words.update(text_words(text))
        pairs.update(word_pairs(text))
        pairs.update(word_pairs(title))
        in_title = text_words(title)
        words.update(in_title)
        for word in in_title:
            titled[word][0] += 1
        first, last = title_edges(title)
        if first:
            titled[first][1] += 1
        if last:
            titled[last][2] += 1
    return words, pairs, titled


def collocations(words, pairs, min_count: int, min_pmi: float) -> list[int]:
    """The sorted pair_hash keys of the pairs seen ``min_count`` times whose
    pointwise mutual information is above ``min_pmi`` (natural log)."""
    total = sum(words.values())
    keys = set()
    for pair, n in pairs.items():
        if n >= min_count:
            first, second = pair.split(" ")
            if math.log(n * total / (words[first] * words[second])) > min_pmi:
                keys.add(splitter.pair_hash(first, second))
    return sorted(keys)


def write_pairs(keys: list[int]) -> None:
    stored = array.array("I", keys)
    if sys.byteorder == "big":
        stored.byteswap()  # the file is little-endian
    (DATA / splitter.PAIRS).write_bytes(stored.tobytes())
    print(f"{len(keys)} collocations")


def write_tables(words, titled, words_kept: int, min_count: int, min_titles: int) -> None:
    # Ties broken alphabetically so that the files are reproducible.
    ranked = sorted(words.items(), key=lambda item: (-item[1], item[0]))
    kept = [(w, c) for w, c in ranked[:words_kept] if c >= min_count]
    (DATA / splitter.LEXICON).write_text("".join(f"{w}\t{c}\n" for w, c in kept), encoding="utf-8")
    totals = [sum(counts[i] for counts in titled.values()) for i in range(3)]
    rows = sorted((w, c) for w, c in titled.items() if c[0] >= min_titles)
    lines = [[splitter.TOTALS, *totals], *([w, *c] for w, c in rows)]
    (DATA / splitter.TITLE_WORDS).write_text(
        "".join("\t".join(map(str, line)) + "\n" for line in lines), encoding="utf-8"
    )
    trigrams = letter_trigrams(words, min_count)
    total = sum(words.values())
    unlisted = total - sum(c for _, c in kept)
    (DATA / splitter.TRIGRAMS).write_text(
        f"{splitter.TOTALS}\t{unlisted}\t{total}\n"
        + "".join(f"{g}\t{n}\n" for g, n in sorted(trigrams.items())),
        encoding="utf-8",
    )
    print(
        f"{len(kept)} words, {len(rows)} title words, {len(trigrams)} trigrams; title totals {totals}"
    )


def letter_trigrams(words: collections.Counter, min_count: int) -> collections.Counter:
    """In how many distinct words (seen ``min_count`` times) each padded letter trigram is."""
    # Distinct words, not occurrences: the letters judge the unlisted, rare
    # words, whose shapes the frequent few would drown.
    trigrams = collections.Counter()
    for word, n in words.items():
        if n >= min_count:
            padded = f"^^{word}$"
            trigrams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return trigrams


def tuning_tickers(corpus: Path) -> list[list[str]]:
    """The tuning part's cleaned titles glued in runs of 5-20, like the benchmark's.

    As there, a title also in the counted part is left out: its words would be
    in the title table, and the weights would trust that table too much."""
    counted = {title_key(a.get("title") or "") for a in counted_articles(corpus)}
    titles = []
    for article in tuning_articles(corpus):
        title, key = clean(article.get("title") or ""), title_key(article.get("title") or "")
        if key and key not in counted:
            counted.add(key)
            titles.append(title)
    rng = random.Random(TUNING_SEED)
    rng.shuffle(titles)
    runs = []
    while len(titles) >= 20:
        size = rng.randint(5, 20)
        runs.append(titles[:size])
        titles = titles[size:]
    return runs


def title_key(title: str) -> str:
    """A title as compared for duplicates: cleaned, normalised, spaced once."""
    return " ".join(normalise(clean(title)).split())


def examples(runs: list[list[str]]) -> list[tuple[tuple[float, ...], int]]:
    """Every cut the splitter weighs in the tickers, and whether a title starts there."""
    tables = splitter.tables()
    result = []
    for run in runs:
        line = "".join(run)
        starts, offset = set(), 0
        for title in run:
            starts.add(offset)
            offset += len(title)
        for place in splitter.unmarked_words(line, splitter.marked_boundaries(line)):
            for cut, features in splitter.candidate_cuts(place, tables):
                result.append((features, int(place.start + cut in starts)))
    return result


def exact_titles(runs: list[list[str]], m: splitter.Model) -> float:
    """The share of the titles that ``m`` cuts out of their tickers exactly."""
    exact = total = 0
    for run in runs:
        line = "".join(run)
        cuts = [0, *splitter.boundaries(line, m), len(line)]
        spans = set(itertools.pairwise(cuts))
        offset = 0
        for title in run:
            exact += (offset, offset + len(title)) in spans
            offset += len(title)
        total += len(run)
    return exact / total


def best_weight(runs: list[list[str]], weights: list[float], feature: str, values) -> list[float]:
    """The weights with the value of ``feature``'s weight that cuts the most titles exactly."""
    tables, at = splitter.tables(), splitter.FEATURES.index(feature)
    scored = []
    for value in values:
        trial = [*weights[:at], value, *weights[at + 1 :]]
        scored.append((exact_titles(runs, splitter.Model(tables, tuple(trial))), value, trial))
        print(f"{feature} {value:.3f}: {scored[-1][0]:.4f} of tuning titles exact")
    return max(scored)[2]


def best_bias(runs: list[list[str]], weights: list[float]) -> list[float]:
    """The weights with the constant that cuts the most titles exactly.

    The regression judges each cut alone, but the splitter keeps only a word's
    best cut: a lower bar than even odds serves it better."""
    return best_weight(
        runs,
        weights,
        "bias",
        [weights[0] + shift for shift in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5)],
    )


def best_part_penalty(runs: list[list[str]], weights: list[float]) -> list[float]:
    """The weights with the penalty on a second cut in a word's part that cuts the most titles exactly.

    The regression sees only the cuts of whole words: a cut in a part, which
    makes a one-word title, is weighed by the titles it cuts out."""
    return best_weight(runs, weights, "in_part", (0.0, -0.5, -1.0, -2.0, -3.0))


def fit_logistic(data: list[tuple[tuple[float, ...], int]], iterations: int = 12) -> list[float]:
    """Weights maximising the ridge-penalised log likelihood, by Newton's method."""
    size = len(data[0][0])
    weights = [0.0] * size
    for _ in range(iterations):
        gradient = [-L2 * w for w in weights]
        hessian = [[(L2 if i == j else 0.0) for j in range(size)] for i in range(size)]
        for features, label in data:
            z = sum(w * f for w, f in zip(weights, features))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(size):
                gradient[i] += (label - p) * features[i]
                scaled = p * (1 - p) * features[i]
                row = hessian[i]
                for j in range(size):
                    row[j] += scaled * features[j]
        step = _solve(hessian, gradient)
        weights = [w + s for w, s in zip(weights, step)]
    return weights


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix·x = vector, by Gaussian elimination (matrix positive definite)."""
    n = len(vector)
    rows = [matrix[i][:] + [vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWS)
    parser.add_argument("--words", type=int, default=150_000, help="words kept at most")
    parser.add_argument("--min-count", type=int, default=2, help="least count kept")
    parser.add_argument(
        "--min-pair-count", type=int, default=3, help="least count of a collocation"
    )
    parser.add_argument("--min-pmi", type=float, default=1.5, help="least PMI of a collocation")
    parser.add_argument(
        "--min-titles", type=int, default=2, help="titles a title word is in, at least"
    )
    args = parser.parse_args(argv)
    words, pairs, titled = count(args.corpus)
    write_tables(words, titled, args.words, args.min_count, args.min_titles)
    write_pairs(collocations(words, pairs, args.min_pair_count, args.min_pmi))
    del pairs
    runs = tuning_tickers(args.corpus)
    data = examples(runs)
    weights = best_part_penalty(runs, best_bias(runs, fit_logistic(data)))
    (DATA / splitter.WEIGHTS).write_text(
        json.dumps(
            {"features": splitter.FEATURES, "weights": [round(w, 4) for w in weights]}, indent=1
        )
        + "\n"
    )
    positives = sum(label for _, label in data)
    print(
        f"{len(data)} cuts weighed ({positives} true) -> weights "
        + ", ".join(f"{f} {w:.3f}" for f, w in zip(splitter.FEATURES, weights))
    )


if __name__ == "__main__":
    main()
