"""The analysis chain, one function at a time, on real Arabic words."""

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.analysis import analyse
from indexer.analysis import analyse_spans
from indexer.analysis import native
from indexer.analysis import normalise
from indexer.analysis import root
from indexer.analysis import stem
from indexer.analysis import words
from indexer.analysis.stopwords import is_stop_word


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("الْعَرَبِيَّةُ", "العربيه"),  # harakat and shadda
        ("المكتبـــة", "المكتبه"),  # tatweel, teh marbuta
        ("أحمد", "احمد"),  # hamza above (pyarabic's default would give ءحمد)
        ("إسلام", "اسلام"),  # hamza below
        ("آمنة", "امنه"),  # madda
        ("ٱلرَّحْمَٰنِ", "الرحمن"),  # wasla and dagger alef
        ("مستشفى", "مستشفي"),  # alef maksura to yeh, not to alef
        ("مسؤول", "مسوول"),
        ("مسئول", "مسيول"),  # ئ→ي as Snowball does: مسؤول and مسئول stay apart
        ("کتاب", "كتاب"),  # Persian keheh
        ("فارسی", "فارسي"),  # Persian yeh
        ("١٢٥٧", "1257"),  # Arabic-Indic digits
        ("۱۲۵۷", "1257"),  # Persian digits
        ("ﻻ", "لا"),  # lam-alef ligature (NFKC)
        ("ﺑﺴﻢ", "بسم"),  # presentation forms
        ("ذَٰلِكَ", "ذلك"),  # dagger alef
        ("ا\u0654", "ا"),  # decomposed hamza (NFD input)
        ("ص\u06d6لى", "صلي"),  # Quranic small high ligature
        ("ن\u200cو", "نو"),  # zero-width non-joiner inside a word
        ("COVID", "covid"),  # Latin is lower-cased
        ("كتاب", "كتاب"),  # unchanged
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_normalise_breaks_words_at_invisible_separators():
    assert words("سوريا\u200bالعراق") == ["سوريا", "العراق"]
    assert words("\u202bالرياض\u202c") == ["الرياض"]


@pytest.mark.parametrize(
    "word, expected",
    [
        ("الكتاب", "كتاب"),
        ("والمكتبات", "مكتب"),
        ("بالمدرسه", "مدرس"),
        ("للاخر", "اخر"),
        ("زوجها", "زوج"),
        ("مدرستهم", "مدرس"),  # pronoun suffix light10 misses; teh restored
        ("كتابهم", "كتاب"),
        ("الانتخابات", "انتخاب"),
        ("الفلسطينيين", "فلسطين"),
        ("مدنيين", "مدن"),
        ("المدنيون", "مدن"),
        ("مدنيا", "مدن"),  # accusative tanween alef (مدنياً)
        ("لبنان", "لبنان"),  # protected: light10 gives لبن (yoghurt)
        ("ولبنان", "لبنان"),
        ("غزه", "غزه"),  # protected: light10 gives غز
        ("وزاره", "وزاره"),  # protected: light10 gives زار
        ("والعراق", "العراق"),  # protected with its article: a clitic before it changes nothing
        ("بالعراق", "العراق"),
        ("للعراق", "العراق"),
        ("بالولايات", "الولايات"),
        ("عراق", "عراق"),  # no article: not the listed name
        ("الو", "الو"),  # too short to strip
        ("english", "english"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_root_joins_derived_forms():
    assert root("والمكتبات") == root("يكتبون") == "كتب"
    assert root("لبنان") == "لبنان"  # protected names keep their form


def test_a_name_listed_with_its_article_is_found_after_a_clitic():
    query = {t.stem for t in analyse("العراق والولايات المتحدة")}
    text = {
        t.stem
        for t in analyse(
            "وصل الوفد إلى بغداد قادماً من واشنطن، وقال إن للعراق مصالح مشتركة بالولايات المتحدة"
        )
    }
    assert query <= text


def test_stop_words_are_normalised_like_tokens():
    assert is_stop_word("الذي") and is_stop_word("الي")  # إلى after normalisation
    assert not is_stop_word("سوريا")


def test_analyse_drops_stop_words_and_keeps_three_forms():
    terms = analyse("وَقَالَ الرَّئِيسُ إنّ المدنيين في لبنان")
    assert [t.exact for t in terms] == ["وقال", "الرييس", "المدنيين", "لبنان"]
    assert [t.stem for t in terms] == ["قال", "رييس", "مدن", "لبنان"]


def test_vowelled_and_plain_text_analyse_alike():
    vowelled = "اِعْتَرَفَ التَّحَالُفُ الدَّوْلِيُّ بِقَتْلِهِ ١٢٥٧ مَدَنِيًّا"
    plain = "اعترف التحالف الدولي بقتله 1257 مدنيا"
    assert analyse(vowelled) == analyse(plain)


def test_mixed_arabic_and_latin():
    assert [t.exact for t in analyse("لقاح COVID-19 من Pfizer")] == [
        "لقاح",
        "covid",
        "19",
        "pfizer",
    ]


def test_spans_point_into_the_original_text():
    text = "قال الرَّئِيسُ: «المدنيون»"
    found = [(term.exact, text[s:e]) for term, s, e in analyse_spans(text)]
    assert found == [("قال", "قال"), ("الرييس", "الرَّئِيسُ"), ("المدنيون", "المدنيون")]


def test_spans_and_fast_path_agree_on_the_seed(seed_text):
    assert [t for t, _, _ in analyse_spans(seed_text)] == analyse(seed_text)


def test_terms_pickle():
    terms = analyse("المدنيين")
    assert pickle.loads(pickle.dumps(terms)) == terms


def test_isri_root_matches_the_reference_stemmer_on_the_lexicon_and_the_seeds(seed_text):
    # The fast ISRI must root every word as Whoosh's (NLTK's) does, raw or normalised.
    from importlib import resources

    from whoosh.lang.isri import ISRIStemmer

    from indexer.analysis.isri import isri_root

    lexicon = (
        resources.files("indexer.write.ingest").joinpath("data/lexicon.tsv").read_text("utf-8")
    )
    vocabulary = {line.split("\t")[0] for line in lexicon.splitlines()} | set(seed_text.split())
    vocabulary |= {w for raw in list(vocabulary) for w in words(raw)}
    reference = ISRIStemmer()
    assert len(vocabulary) > 50_000
    assert [w for w in sorted(vocabulary) if isri_root(w) != reference.stem(w)] == []


def test_pyarabics_mark_tables_are_unicodes():
    """Normalisation deletes pyarabic's harakat and tatweel: the same characters as Unicode's block."""
    from indexer.analysis.normalise import HARAKAT
    from indexer.analysis.normalise import TATWEEL

    assert HARAKAT == "".join(map(chr, range(0x064B, 0x0653)))  # fathatan .. sukun, shadda
    assert TATWEEL == "\u0640"
    assert normalise("مُحَمَّـــد") == "محمد"


def test_a_compiled_core_of_another_version_is_left_unused():
    """A core built from an older native/ would stem otherwise: the chain serves instead."""
    probe = (
        "import sys, types\n"
        "stale = types.ModuleType('bahth_native')\n"
        "stale.VERSION = {version}\n"
        "sys.modules['bahth_native'] = stale\n"
        "from indexer.analysis import native\n"
        "print(native.available())\n"
    )
    for version, expected in ((native.CORE_VERSION - 1, "False"), (native.CORE_VERSION, "True")):
        found = subprocess.run(
            [sys.executable, "-c", probe.format(version=version)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert found.stdout.strip() == expected
