"""How often a word typed in Latin letters is read back as the Arabic word meant.

    python -m bench.transliteration [--corpus PATH] [--words 400] [--seed 1] [--failures 20]
                                    [--index DIR]

The lexicon is the news corpus's display vocabulary, counted as a reindex
counts it (every title and body).  The words are drawn from the corpus's
titles (content words of three letters or more, seen at least MIN_COUNT
times), and each is written in Latin letters by ``romanise``, the way people
chat or transliterate news names: one of four styles per word (digits for
ع ح ء خ ص ط, or none; short vowels mostly written, or mostly not; sh or ch,
j or dj or g, ou or u), with q as 2, k or g, ث as th, s or t, the article
as al, el, l or assimilated (ash-sham), each choice drawn per letter from a
generator seeded by the word.  It is written from the Arabic with its own
table, not by inverting ``indexer.read.transliterate``'s, and some of its
spellings (q as 2 or g, ث as s) are ones that table does not read.

Reported: how often the intended word comes first (top-1), in the first three
(top-3), anywhere, per style and overall; the same for the exact Buckwalter
spelling; the time ``candidates`` takes per word (p50, p99); a JSON line per
figure.  With ``--index`` (an index of the same corpus, built by ``bahth
reindex``), each word is also searched through ``Searcher.search``, each
query once (uncached): as Arabic with transliteration on and off (what an
Arabic query pays for it), and as typed in Latin letters; reported are the
latencies and how often the Latin query's first hit is the Arabic word's.
"""

import argparse
import json
import random
import statistics
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

from bench.datasets import NEWS
from bench.datasets import read_corpus
from indexer.analysis import analyse_word
from indexer.analysis.normalise import normalise_word
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.read.suggest import Vocabulary
from indexer.read.transliterate import BUCKWALTER
from indexer.read.transliterate import candidates
from indexer.settings import Settings
from indexer.vocabulary import FormCounter
from indexer.vocabulary import VocabularyBuilder
from indexer.vocabulary import display_form

MIN_COUNT = 5  # a word seen this often in the corpus is one a reader may look for
STYLES = ("chat", "sparse", "press", "french")
SUN_LETTERS = set("تثدذرزسشصضطظلن")
CONSONANTS = set("بتثجحخدذرزسشصضطظعغفقكلمنهءأإآؤئ")

# Per style, each letter's spellings and how often each is chosen.
# fmt: off
_COMMON = {
    "ب": {"b": 98, "p": 2}, "ت": {"t": 1}, "ج": {"j": 80, "g": 15, "dj": 5}, "د": {"d": 1},
    "ر": {"r": 1}, "ز": {"z": 1}, "س": {"s": 1}, "ش": {"sh": 1}, "ف": {"f": 98, "v": 2},
    "ك": {"k": 1}, "ل": {"l": 1}, "م": {"m": 1}, "ن": {"n": 1}, "ه": {"h": 1},
    "ث": {"th": 60, "s": 25, "t": 15}, "ذ": {"th": 40, "dh": 25, "z": 25, "d": 10},
    "ض": {"d": 70, "dh": 30}, "ظ": {"z": 50, "dh": 30, "th": 20}, "غ": {"gh": 90, "g": 10},
    "ق": {"q": 60, "k": 15, "g": 15, "2": 10}, "خ": {"kh": 1}, "ح": {"h": 1}, "ع": {"'": 40, "": 60},
    "ص": {"s": 1}, "ط": {"t": 1}, "ء": {"'": 50, "": 50},
}
_STYLE = {
    "chat": {"ح": {"7": 1}, "خ": {"5": 40, "kh": 50, "7'": 10}, "ع": {"3": 1},
             "غ": {"gh": 70, "3'": 30}, "ء": {"2": 80, "'": 20}, "ص": {"s": 65, "9": 35},
             "ط": {"t": 60, "6": 40}, "ق": {"q": 50, "2": 30, "k": 10, "g": 10},
             "ض": {"d": 60, "dh": 25, "9'": 15}},
    "sparse": {"ح": {"7": 1}, "خ": {"5": 50, "kh": 50}, "ع": {"3": 1}, "ء": {"2": 1},
               "ص": {"s": 70, "9": 30}, "ط": {"t": 70, "6": 30}},
    "press": {},
    "french": {"ش": {"ch": 1}, "ج": {"dj": 50, "j": 50}, "خ": {"kh": 1}, "ع": {"": 70, "'": 30},
               "ق": {"k": 50, "q": 50}, "ك": {"k": 90, "c": 10}},
}
# Short vowels heard between consonants, written this often, as these letters.
_SHORT_VOWELS = {
    "chat": (0.7, {"a": 60, "e": 20, "i": 10, "o": 5, "u": 5}),
    "sparse": (0.15, {"a": 70, "e": 20, "i": 10}),
    "press": (0.75, {"a": 60, "i": 15, "u": 15, "e": 10}),
    "french": (0.7, {"a": 45, "e": 40, "i": 10, "ou": 5}),
}
_LONG = {  # long vowels by style
    "ا": {"chat": {"a": 85, "aa": 15}, "sparse": {"a": 1}, "press": {"a": 95, "aa": 5},
          "french": {"a": 1}},
    "و": {"chat": {"o": 45, "ou": 25, "u": 20, "oo": 10}, "sparse": {"o": 40, "w": 40, "u": 20},
          "press": {"u": 60, "o": 25, "ou": 15}, "french": {"ou": 80, "o": 20}},
    "ي": {"chat": {"i": 55, "ee": 25, "y": 15, "e": 5}, "sparse": {"y": 60, "i": 40},
          "press": {"i": 80, "ee": 15, "y": 5}, "french": {"i": 90, "y": 10}},
}
_ENDINGS = {  # ة and ى at the end of a word
    "ة": {"chat": {"a": 60, "e": 15, "eh": 10, "ah": 15}, "sparse": {"a": 50, "h": 30, "e": 20},
          "press": {"a": 55, "ah": 45}, "french": {"a": 60, "e": 40}},
    "ى": {"chat": {"a": 70, "aa": 10, "y": 20}, "sparse": {"a": 60, "y": 40},
          "press": {"a": 1}, "french": {"a": 1}},
}
_ARTICLE = {"chat": {"al": 45, "el": 40, "l": 15}, "sparse": {"al": 50, "l": 50},
            "press": {"al-": 60, "al": 40}, "french": {"el": 60, "el-": 40}}
# fmt: on


def _pick(rng: random.Random, choices: dict[str, int]) -> str:
    return rng.choices(list(choices), weights=list(choices.values()))[0]


def romanise(word: str, seed: int = 0) -> tuple[str, str]:
    """``word`` (Arabic, as written) in Latin letters, and the style chosen; the same every time."""
    rng = random.Random(zlib.crc32(word.encode("utf-8")) ^ seed)
    style = STYLES[rng.randrange(len(STYLES))]
    letters = _COMMON | _STYLE[style]
    chance, vowels = _SHORT_VOWELS[style]
    out = []
    rest = word
    for clitic in ("و", "ب", "ل", "ف"):  # a conjunction or preposition before the article
        if rest.startswith(clitic + "ال") and len(rest) > 4:
            out.append(
                {"و": "w", "ب": "b", "ل": "l", "ف": "f"}[clitic]
                + ("e" if rng.random() < 0.5 else "a")
            )
            rest = rest[1:]
            break
    if rest.startswith("ال") and len(rest) > 3:
        article = _pick(rng, _ARTICLE[style])
        if style == "press" and rest[2] in SUN_LETTERS and rest[2] != "ل" and rng.random() < 0.5:
            first = letters[rest[2]]
            article = "a" + _pick(rng, first) + "-"  # ash-sham, ad-dawla
        out.append(
            article[1:] if out and article.startswith(("a", "e")) and article != "l" else article
        )
        rest = rest[2:]
    previous_consonant = False
    for i, char in enumerate(rest):
        last = i == len(rest) - 1
        nxt = rest[i + 1] if not last else ""
        if char in ("ة", "ى") and last:
            out.append(_pick(rng, _ENDINGS[char][style]))
            break
        if char in ("و", "ي") and i > 0 and previous_consonant and nxt not in ("ا", "و", "ي"):
            out.append(_pick(rng, _LONG[char][style]))  # a long vowel
            previous_consonant = False
            continue
        if char == "ا" or char == "آ":
            spelt = _pick(rng, _LONG["ا"][style])
            out.append(
                ("2" if style in ("chat", "sparse") and i == 0 and rng.random() < 0.3 else "")
                + spelt
            )
            previous_consonant = False
            continue
        if char in ("أ", "إ", "ؤ", "ئ"):
            if i == 0:
                out.append(
                    {
                        "أ": _pick(rng, {"a": 80, "2a": 20 if style == "chat" else 0, "o": 10}),
                        "إ": _pick(rng, {"e": 50, "i": 50}),
                    }.get(char, "a")
                )
                previous_consonant = False
            else:
                out.append(_pick(rng, letters["ء"]))
                previous_consonant = True
            continue
        if char == "و":
            out.append("w")
        elif char == "ي":
            out.append("y")
        elif char == "ع" and i == 0 and style in ("press", "french"):
            out.append(_pick(rng, {"a": 60, "o": 20, "i": 20}))  # omar, iraq
            previous_consonant = False
            continue
        elif char in letters:
            spelt = _pick(rng, letters[char])
            if (
                i and spelt.isalpha() and rng.random() < 0.04
            ):  # a doubled letter, as a shadda is heard
                spelt += spelt[-1]
            out.append(spelt)
        else:
            out.append(char)
        previous_consonant = True
        if not last and nxt not in ("ا", "و", "ي", "ى", "ة", "آ") and rng.random() < chance:
            out.append(_pick(rng, vowels))
    latin = "".join(out)
    if style == "press" and rng.random() < 0.5:
        latin = latin[:1].upper() + latin[1:]
    return latin, style


_INVERSE_BUCKWALTER = {arabic: latin for latin, arabic in BUCKWALTER.items()}


def to_buckwalter(word: str) -> str:
    return "".join(_INVERSE_BUCKWALTER[c] for c in word)


def build_vocabulary(corpus: Path, directory: Path) -> tuple[Vocabulary, Counter]:
    """The display vocabulary of ``corpus`` as reindex writes it, and its title words' display forms."""
    forms, title_words = FormCounter(), Counter()
    for record in read_corpus(corpus):
        title = record.get("title") or ""
        forms.add(title)
        forms.add(record.get("text") or "")
        forms.settle()
        title_words.update(display_form(w) for w in title.split())
    builder = VocabularyBuilder()
    builder.add_forms(forms.table())
    builder.write(directory)
    return Vocabulary(directory), title_words


def intended_words(
    vocabulary: Vocabulary, title_words: Counter, count: int, seed: int
) -> list[str]:
    """``count`` distinct content words of the titles, drawn with ``seed``."""
    pool = sorted(
        word
        for word in title_words
        if len(word) >= 3
        and all(c in _INVERSE_BUCKWALTER and c != "ـ" for c in word)
        and (term := analyse_word(normalise_word(word))) is not None
        and vocabulary.count(term.exact) >= MIN_COUNT
    )
    rng = random.Random(seed)
    return rng.sample(pool, count)


def rank(word: str, spelt: str, vocabulary: Vocabulary) -> tuple[int | None, float]:
    """Where the intended word comes among the candidates of ``spelt`` (1-based), and the ms taken."""
    intended = normalise_word(word)
    started = time.perf_counter()
    found = candidates(spelt, vocabulary)
    took = (time.perf_counter() - started) * 1000
    return (found.index(intended) + 1 if intended in found else None), took


def summary(ranks: list[int | None]) -> dict:
    n = len(ranks)
    return {
        "queries": n,
        "top1": sum(r == 1 for r in ranks) / n,
        "top3": sum(r is not None and r <= 3 for r in ranks) / n,
        "found": sum(r is not None for r in ranks) / n,
    }


def end_to_end(index_dir: Path, pairs: list[tuple[str, str]]) -> dict:
    """Latencies (ms) of the Arabic words searched with transliteration on and off and of their
    Latin spellings, and how often a Latin query's first hit is its Arabic word's."""
    searcher = Searcher(Settings(index_dir=index_dir))
    searcher.search(SearchRequest("warm up"))  # its reader and vocabulary, loaded once
    times = {"arabic": [], "arabic, off": [], "latin": []}
    same_first = transliterated = 0
    for n, (word, spelt) in enumerate(pairs):
        # On and off take turns going first: the second finds the engine's caches warm.
        turns = [
            ("arabic", SearchRequest(word)),
            ("arabic, off", SearchRequest(word, transliterate="off")),
        ]
        for name, request in turns if n % 2 else turns[::-1]:
            started = time.perf_counter()
            arabic = searcher.search(request)
            times[name].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        latin = searcher.search(SearchRequest(spelt))
        times["latin"].append((time.perf_counter() - started) * 1000)
        transliterated += latin.transliterated is not None
        first = [hit["id"] for hit in arabic.hits[:1]]
        same_first += bool(first) and first == [hit["id"] for hit in latin.hits[:1]]
    figures = {
        "queries": len(pairs),
        "transliterated": transliterated / len(pairs),
        "same_first_hit": same_first / len(pairs),
    }
    for name, taken in times.items():
        cuts = statistics.quantiles(taken, n=100)
        figures[f"{name} p50_ms"], figures[f"{name} p99_ms"] = cuts[49], cuts[98]
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWS)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--failures", type=int, default=20, help="Arabizi misses to print")
    parser.add_argument("--index", type=Path, help="an index of the corpus: search end to end too")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        vocabulary, title_words = build_vocabulary(args.corpus, Path(tmp))
        print(f"vocabulary of {args.corpus.name} counted in {time.perf_counter() - started:.1f} s")
        words = intended_words(vocabulary, title_words, args.words, args.seed)
        vocabulary.prefix_count("")  # its one-off table, built on the first transliteration
        by_style, times, misses, pairs = {style: [] for style in STYLES}, [], [], []
        for word in words:
            spelt, style = romanise(word, args.seed)
            pairs.append((word, spelt))
            position, took = rank(word, spelt, vocabulary)
            by_style[style].append(position)
            times.append(took)
            if position != 1:
                misses.append((word, spelt, style, position, candidates(spelt, vocabulary)[:3]))
        buckwalter = [rank(word, to_buckwalter(word), vocabulary)[0] for word in words]

    rows = [(style, summary(ranks)) for style, ranks in by_style.items() if ranks]
    rows.append(("arabizi, all", summary([r for ranks in by_style.values() for r in ranks])))
    rows.append(("buckwalter", summary(buckwalter)))
    print(f"\n{'spelling':<14} {'queries':>7} {'top-1':>7} {'top-3':>7} {'found':>7}")
    for name, figures in rows:
        print(
            f"{name:<14} {figures['queries']:>7} {figures['top1']:>7.1%} {figures['top3']:>7.1%} "
            f"{figures['found']:>7.1%}"
        )
    cuts = statistics.quantiles(times, n=100)
    print(f"\ncandidates per word: p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms")
    print(
        f"\nfirst {args.failures} Arabizi words not read first (word, as typed, style, rank, top 3):"
    )
    for word, spelt, style, position, top in misses[: args.failures]:
        shown = " ".join(vocabulary.written(t) for t in top)
        print(f"  {word}  {spelt}  {style}  {position or '-'}  {shown}")
    for name, figures in rows:
        print(
            json.dumps(
                {"bench": "transliteration", "spelling": name, **figures}, ensure_ascii=False
            )
        )
    print(json.dumps({"bench": "transliteration", "p50_ms": cuts[49], "p99_ms": cuts[98]}))
    if args.index:
        figures = end_to_end(args.index, pairs)
        print(f"\nsearched end to end ({figures['queries']} words, each query once, uncached):")
        for name in ("arabic", "arabic, off", "latin"):
            print(
                f"  {name:<12} p50 {figures[name + ' p50_ms']:.2f} ms, "
                f"p99 {figures[name + ' p99_ms']:.2f} ms"
            )
        print(
            f"  Latin queries searched in Arabic: {figures['transliterated']:.1%}; "
            f"first hit the Arabic word's: {figures['same_first_hit']:.1%}"
        )
        print(json.dumps({"bench": "transliteration", "end_to_end": figures}))


if __name__ == "__main__":
    main()
