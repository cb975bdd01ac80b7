"""Properties over arbitrary Unicode: the analysis and the query parser never fail."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from indexer.analysis import EDGE_PUNCTUATION
from indexer.analysis import analyse
from indexer.analysis import analyse_chunk
from indexer.analysis import analyse_spans
from indexer.analysis import chunk_stems
from indexer.analysis import normalise
from indexer.analysis import spans
from indexer.analysis import stem
from indexer.analysis import trim
from indexer.analysis import words
from indexer.read.highlight import Matcher
from indexer.read.highlight import highlight
from indexer.read.highlight import snippet
from indexer.read.query import parse_query

# Arabic letters, marks, tatweel, digits, bidi and zero-width characters mixed
# with everything else Unicode has: the odd input real pages carry.
ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
ODD = st.sampled_from(
    list('\u200b\u200c\u200d\u202b\u202c\u202e\u2066\ufeff\u0640\ufefb\ufdfa ـ"«»-:')
)
TEXT = st.text(st.one_of(ARABIC, ODD, st.characters()), max_size=80)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_tokens_are_never_empty_and_spans_point_into_the_text(text):
    assert all(words(text))
    for span in spans(text):
        assert span.text and 0 <= span.start < span.end <= len(text)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_both_analysis_paths_agree(text):
    assert [t for t, _, _ in analyse_spans(text)] == analyse(text)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_the_query_parser_never_fails(text):
    parsed = parse_query(text)
    assert all(all(t.exact for t in p) for p in parsed.phrases + parsed.excluded)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_highlighting_escapes_everything_but_its_marks(text, query):
    html = highlight(text, Matcher(analyse(query)))
    plain = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in plain and ">" not in plain
    snippet(text, Matcher(analyse(query)))


@settings(max_examples=1000, deadline=None)
@given(
    st.text(st.sampled_from("ابتثجحخدذرسشصضطظعغفقكلمنهويةىءآأإؤئ\u064e\u0650\u0651"), max_size=12)
)
def test_isri_root_matches_the_reference_stemmer(word):
    from whoosh.lang.isri import ISRIStemmer

    from indexer.analysis.isri import isri_root

    assert isri_root(word) == ISRIStemmer().stem(word)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("ابتثجحخدذرسشصضطظعغفقكلمنهويةىءآأإؤئ"), min_size=1, max_size=12))
def test_a_plain_word_is_one_span_of_its_normal_form(word):
    assert spans(word) == [(normalise(word), 0, len(word))]
    assert spans(f"«{word}»") == [(normalise(word), 1, len(word) + 1)]


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(0, 5))
def test_matches_are_the_words_with_a_query_stem(text, every):
    """The snippet's fast scan finds exactly the words analyse_spans gives with a query word's stem."""
    terms = analyse_spans(text)
    query = [term for i, (term, _, _) in enumerate(terms) if every and i % every == 0]
    stems = {t.stem for t in query}
    assert Matcher(query).spans(text) == [(s, e) for term, s, e in terms if term.stem in stems]


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from("ابتثجحخدذرسشصضطظعغفقكلمنهويةىءآأإؤئ"), min_size=1, max_size=14))
def test_a_light_stem_is_a_substring_of_its_word(word):
    # The highlighter finds candidate words by their stem's letters.
    word = normalise(word)
    assert stem(word) in word


# News-like text: Arabic letters and their variants, the marks, tatweel and
# ligatures normalisation deletes or expands, digits of several scripts,
# Latin look-alikes of Arabic code points (J is U+004A, ي U+064A), spaces.
NEWSLIKE = st.text(
    st.one_of(
        st.sampled_from("ابتجحدرسعفقكلمنهويةىءآأإؤئ"),
        st.sampled_from(list("  \n\u00a0")),
        st.sampled_from(list('\u064b\u064e\u0651\u0640\ufefb\ufe8d\u200c\u200b«»،.:-"#J')),
        st.sampled_from(list("0123456789٠١٢٣٤٥٦٧٨٩۱۲۳४")),
    ),
    max_size=120,
)


@settings(max_examples=600, deadline=None)
@given(NEWSLIKE, st.integers(1, 4))
def test_matches_in_news_like_text_are_the_words_with_a_query_stem(text, every):
    terms = analyse_spans(text)
    query = [term for i, (term, _, _) in enumerate(terms) if i % every == 0]
    stems = {t.stem for t in query}
    assert Matcher(query).spans(text) == [(s, e) for term, s, e in terms if term.stem in stems]


def test_every_word_of_the_seed_page_is_found_where_the_analysis_puts_it(seed_text):
    terms = analyse_spans(seed_text)
    for term in {t for t, _, _ in terms}:
        expected = [(s, e) for t, s, e in terms if t.stem == term.stem]
        assert Matcher([term]).spans(seed_text) == expected, term


CHUNK = st.text(
    st.one_of(ARABIC, ODD, st.characters(exclude_categories=["Zs", "Zl", "Zp", "Cc"])), max_size=20
)


@settings(max_examples=600, deadline=None)
@given(
    st.text(st.sampled_from(EDGE_PUNCTUATION), max_size=3),
    CHUNK,
    st.text(st.sampled_from(EDGE_PUNCTUATION), max_size=3),
)
def test_punctuation_at_a_chunks_ends_changes_none_of_its_terms(before, chunk, after):
    assert (
        analyse_chunk(trim(before + chunk + after)).terms
        == analyse_chunk(before + chunk + after).terms
    )


@settings(max_examples=300, deadline=None)
@given(CHUNK)
def test_a_chunks_stems_are_those_of_its_full_analysis(chunk):
    terms, offsets = analyse_chunk(chunk)
    assert chunk_stems(chunk) == (tuple(t.stem for t in terms), offsets)
