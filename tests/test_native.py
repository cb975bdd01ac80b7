"""The compiled analysis core gives what the Python chain gives: terms, offsets, streams, matches.

The chain (``indexer.analysis.chain``) is the reference; any difference is a
bug in one of them.  Where the core is required (``BAHTH_REQUIRE_NATIVE=1``,
as the test command sets it when cargo is present) its absence fails
instead of skipping.
"""

import gzip
import json
import os
from collections import Counter
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from indexer import analysis
from indexer import vocabulary
from indexer.analysis import chain
from indexer.analysis import native
from indexer.analysis.normalise import normalise
from indexer.errors import ConfigError
from indexer.read import highlight
from indexer.read.collapse import THRESHOLD
from indexer.read.collapse import reference_group
from indexer.read.highlight import Matcher
from indexer.settings import Settings
from indexer.signature import SHINGLE_WORDS
from indexer.signature import SKETCH_SIZE
from indexer.signature import signature
from indexer.signature import terms_signature
from tests.conftest import SEED_PAGE

if not native.available():
    if os.environ.get("BAHTH_REQUIRE_NATIVE") == "1":
        pytest.fail(
            "BAHTH_REQUIRE_NATIVE=1 but the native core (bahth_native) is not installed",
            pytrace=False,
        )
    pytest.skip("the native core is not installed", allow_module_level=True)

NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "corpus.jsonl.gz"
LEAD = 30


@pytest.fixture(scope="module")
def core():
    return native.core()


def reference_spans(text):
    return [(t.exact, t.stem, t.root, start, end) for t, start, end in chain.analyse_spans(text)]


def reference_streams(title, body):
    streams = chain.field_streams(title, body, LEAD)
    return tuple(streams) if streams else None


def reference_matches(text, query):
    return chain_only(lambda: Matcher(chain.analyse(query)).spans(text))


def assert_same(core, title, body):
    for text in (title, body):
        assert core.analyse_spans(text) == reference_spans(text), text[:200]
    assert core.document_streams(title, body, LEAD) == reference_streams(title, body), title


def test_the_seed_page_analyses_alike(core):
    text = SEED_PAGE.read_text(encoding="utf-8")
    assert_same(core, text.splitlines()[0], text)
    assert len(core.analyse_spans(text)) > 250


@pytest.mark.corpus
@pytest.mark.skipif(not NEWS.exists(), reason="the news corpus is not beside the project")
def test_the_whole_news_corpus_analyses_alike(core):
    """Every title and body of the 30,017 articles: identical chunks, terms, offsets, streams
    and vocabulary.

    Both sides analyse a text chunk by chunk (white space never falls inside
    a word), so each distinct chunk is compared once, with its terms and
    offsets, and each text's chunks with their offsets: a tenth of the work
    of comparing every text whole, for the same coverage.
    """
    count, distinct = 0, Counter()
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            for text in (article["title"], article["text"]):
                found = core.chunks_of(text)
                assert found == [(c, at) for c, at in zip(*chain.chunks(text)) if c], text[:200]
                distinct.update(c for c, _ in found)
            assert core.document_streams(
                article["title"], article["text"], LEAD
            ) == reference_streams(article["title"], article["text"]), article["id"]
            count += 1
    assert count == 30_017
    for chunk in distinct:
        assert core.analyse_spans(chunk) == reference_spans(chunk), chunk
    assert vocabulary._forms_of(distinct) == vocabulary._chunk_counts_forms(distinct)


def test_real_sentences_analyse_alike_word_for_word(core):
    sentence = "وَقَالَ الرَّئِيسُ: «إنّ المدنيين في غزّة ولبنان يحتاجون ١٢٥٧ شاحنة» ﷺ"
    assert core.analyse_spans(sentence) == reference_spans(sentence)
    assert [t for t, *_ in core.analyse_spans(sentence)][:3] == ["وقال", "الرييس", "المدنيين"]
    assert core.word("المدنيين") == tuple(chain.analyse_word("المدنيين"))
    assert core.word("الذي") is None  # a stop word


def test_the_highlighter_marks_the_same_words(core):
    text = "قال الرَّئِيسُ إن الرؤساء التقوا رئيسًا سابقاً في بيروت، ثم عاد الرئيسُ."
    found = core.match_spans(text, sorted(Matcher(chain.analyse("الرئيس")).stems))
    assert found == reference_matches(text, "الرئيس")
    assert [text[s:e] for s, e in found] == ["الرَّئِيسُ", "رئيسًا", "الرئيسُ"]


def test_a_lone_surrogate_is_refused_by_the_core_and_analysed_by_the_chain(core):
    text = "الرئيس \ud800 يصل"
    with pytest.raises(ValueError, match="surrogate"):
        core.analyse_spans(text)
    assert analysis.analyse(text) == chain.analyse(text)
    assert [t.stem for t in analysis.analyse(text)] == ["رييس", "يصل"]


def test_the_back_end_is_chosen_by_the_settings():
    try:
        analysis.use("python")
        assert analysis.backend() == "python"
        analysis.use("auto")
        assert analysis.backend() == "native"
    finally:
        analysis.use("auto")
    with pytest.raises(ConfigError, match="BAHTH_ANALYSIS"):
        Settings(analysis="rust")


def test_the_character_table_folds_as_normalise_does():
    table = native.char_table()
    for char in "أإآٱىئةؤکیۀ١٥۳ـًٌٍَُِّْA":
        entry = table[ord(char)]
        assert not entry & native.UNSAFE, char
        folded = "" if entry & native.DELETED else chr(entry & 0x1FFFFF)
        assert folded == normalise(char), char
    for char in "ﻻﷺΣ\u0653İ":  # ligatures, presentation forms, final sigma, composing marks, İ
        assert table[ord(char)] & native.UNSAFE, char


# Arabic letters, marks, tatweel, digits, bidi and zero-width characters mixed
# with everything else Unicode has (presentation forms, Latin with combining
# marks, emoji, scripts past the BMP).
ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
PRESENTATION = st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF)
ODD = st.sampled_from(
    list(
        "\u200b\u200c\u200d\u202b\u202c\u202e\u2066\ufeff\u0640\u0653\u0654 \t\n\x1c"
        "Σσİ\u0301«»-:_٠١٢"
    )
)
TEXT = st.text(
    st.one_of(ARABIC, PRESENTATION, ODD, st.characters(exclude_categories=("Cs",))), max_size=80
)


@settings(max_examples=500, deadline=None)
@given(TEXT, TEXT)
@example("مدرستهم ٱلْكِتَاب", "ـــالكتاب")
@example("ΣΑΣ σ ﻻ\u0627\u0653", "ﷺ")
def test_arbitrary_unicode_analyses_alike(title, body):
    core = native.core()
    assert_same(core, title, body)
    for chunk in body.split():
        assert core.chunk_stems(chunk) == tuple(map(list, chain.chunk_stems(chunk)))


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_arbitrary_unicode_is_marked_alike(text, query):
    stems = sorted(Matcher(chain.analyse(query)).stems)
    assert native.core().match_spans(text, stems) == reference_matches(text, query)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.one_of(ARABIC, st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)), min_size=1
    )
)
def test_text_with_lone_surrogates_is_refused_cleanly(text):
    core = native.core()
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        with pytest.raises(ValueError):
            core.analyse_spans(text)
    assert analysis.analyse_spans(text) == chain.analyse_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=8))
@example(["الرَّئِيسُ يصل", "الرئيس", "ـالرئيسـ ﻻ «غزّة»"])
def test_the_vocabulary_counts_alike(texts):
    chunks = Counter(c for text in texts for c in chain.trimmed_chunks(text))
    assert vocabulary._forms_of(chunks) == vocabulary._chunk_counts_forms(chunks)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=8))
def test_the_core_counts_a_texts_chunks_as_the_chain_does(texts):
    counter = native.form_counter(native.core())
    for text in texts:
        counter.add(text)
    chunks = Counter(c for text in texts for c in chain.trimmed_chunks(text))
    assert vocabulary.table_counts(counter.table()) == vocabulary._chunk_counts_forms(chunks)


FORMS = st.tuples(
    st.sampled_from(["الرييس", "رييس", "1257", "مصر"]),
    st.sampled_from(["الرئيس", "الرئيـس", "1257", "١٢٥٧", "مصر"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(FORMS, st.integers(1, 3)), max_size=4))
def test_the_vocabulary_file_is_written_alike(counts):
    # Few forms, small counts: the ties between display forms that the file
    # must break alike, and one pair's counts in several tables summed.
    tables = [vocabulary._table(Counter(c)) for c in counts]
    expected = vocabulary._vocabulary_file(tables)
    assert native.bahth_native.vocabulary_file(tables) == expected
    again = [vocabulary._vocabulary_file(tables)]  # a vocabulary file is a table too
    assert (
        native.bahth_native.vocabulary_file(again) == vocabulary._vocabulary_file(again) == expected
    )


def chain_only(function, *args):
    """``function(*args)`` with the Python chain in use."""
    with_core = analysis._core
    analysis.use("python")
    try:
        return function(*args)
    finally:
        analysis._core = with_core


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.one_of(
            ARABIC, ODD, st.sampled_from(list("<>&\"' ")), st.characters(exclude_categories=("Cs",))
        ),
        max_size=900,
    ),
    TEXT,
    st.sampled_from([40, 240]),
)
@example("قال الرئيس إن " * 60 + "الرئيسُ <b>", "الرئيس", 240)
def test_snippets_and_marks_are_the_same_html(text, query, width):
    matcher = Matcher(chain.analyse(query))
    html = chain_only(highlight.snippet, text, matcher, width)
    assert highlight.snippet(text, matcher, width) == html
    # A hit's body may come as its UTF-8 bytes: the same snippet, by both.
    utf8 = text.encode("utf-8")
    assert highlight.snippet(utf8, matcher, width) == html
    assert chain_only(highlight.snippet, utf8, matcher, width) == html
    assert highlight.highlight(text, matcher) == chain_only(highlight.highlight, text, matcher)


def test_a_seed_article_snippet_is_the_same_html():
    text = SEED_PAGE.read_text(encoding="utf-8")
    matcher = Matcher(chain.analyse("النفط السوري"))
    html = highlight.snippet(text, matcher)
    assert html == chain_only(highlight.snippet, text, matcher)
    assert "<mark>النفط</mark>" in html


SEED_WORDS = SEED_PAGE.read_text(encoding="utf-8").split()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(SEED_WORDS), st.sampled_from([" ", " ", " ", "\n", "، ", "  "])),
        min_size=100,
        max_size=1500,
    ),
    st.lists(st.sampled_from(SEED_WORDS), min_size=1, max_size=3),
    st.sampled_from([40, 240]),
    st.sampled_from([7, 60, 500]),
)
def test_snippets_deep_in_long_texts_are_the_same_html(words, query, width, block):
    """Long texts whose matches may come late: the scan doubles its block many
    times, and the core decodes the text only as far as it reads."""
    text = "".join(word + space for word, space in words)
    matcher = Matcher(chain.analyse(" ".join(query)))
    with patch.object(highlight, "_SCAN_BLOCK", block):
        html = chain_only(highlight.snippet, text, matcher, width)
        assert highlight.snippet(text, matcher, width) == html
        assert highlight.snippet(text.encode("utf-8"), matcher, width) == html


# Sketches as `indexer.signature` writes them, drawn to overlap: a story's
# copies share most hashes, other stories few.
HASHES = st.integers(0, 2**32 - 1)


@st.composite
def windows(draw):
    stories = draw(st.lists(st.lists(HASHES, min_size=1, max_size=80, unique=True), min_size=1))
    hits = []
    for _ in range(draw(st.integers(0, 30))):
        base = draw(st.sampled_from(stories))
        kept = draw(st.lists(st.sampled_from(base), max_size=len(base), unique=True))
        extra = draw(st.lists(HASHES, max_size=10))
        hits.append(" ".join(f"{h:08x}" for h in sorted(set(kept + extra))[:SKETCH_SIZE]))
    return hits


@settings(max_examples=500, deadline=None)
@given(windows(), st.sampled_from([0.5, 0.7, 0.9]))
def test_copies_of_a_story_are_grouped_alike(signatures, threshold):
    assert native.bahth_native.group(signatures, threshold, SKETCH_SIZE) == reference_group(
        signatures, threshold
    )


def test_a_signature_that_is_not_hex_is_refused():
    with pytest.raises(ValueError):
        native.bahth_native.group(["0000000g"], THRESHOLD, SKETCH_SIZE)


WORD = st.text(st.one_of(ARABIC, st.sampled_from("abc019٣")), min_size=1, max_size=6)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["وزير", "النفط", "يزور"]) | WORD, max_size=40), st.integers(0, 45))
@example(["وزير", "نفط"], 0)
@example(["وزير", "نفط", "يزور", "وزير", "نفط", "يزور"], 5)
def test_signatures_are_made_alike(words, skip):
    stream = " ".join(words)
    body = words[skip:]
    expected = terms_signature(body if len(body) >= SHINGLE_WORDS else words)
    assert (
        native.bahth_native.stream_signature(stream, skip, SHINGLE_WORDS, SKETCH_SIZE) == expected
    )


@pytest.mark.corpus
@pytest.mark.skipif(not NEWS.exists(), reason="the news corpus is not beside the project")
def test_the_news_corpus_stories_are_signed_and_grouped_alike():
    """Every article's sketch, in windows of 50 where copies of one story fall together
    (ordered by their smallest hash, which copies most often share)."""
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        signatures = [signature(json.loads(line)["text"]) for line in lines]
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        for line, expected in zip(lines, signatures, strict=True):
            stream = " ".join(json.loads(line)["text"].split())
            made = native.bahth_native.stream_signature(stream, 0, SHINGLE_WORDS, SKETCH_SIZE)
            assert made == expected, line[:80]
    signatures.sort(key=lambda s: s[:8])
    grouped = 0
    for start in range(0, len(signatures), 50):
        window = signatures[start : start + 50]
        found = native.bahth_native.group(window, THRESHOLD, SKETCH_SIZE)
        assert found == reference_group(window, THRESHOLD), start
        grouped += len(window) - len(found)
    assert grouped > 1_000  # copies of one story: 1,535 (of raw words; the index folds 3,477)
