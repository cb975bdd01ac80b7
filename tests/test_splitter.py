"""The headline-ticker splitter on real Arabic headlines."""

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from indexer.write.ingest.affixes import affixed
from indexer.write.ingest.splitter import split_ticker
from tests.conftest import SEED_HEADLINES
from tests.conftest import SEED_PAGE as SEED


def seed_ticker() -> str:
    return SEED.read_text(encoding="utf-8").splitlines()[0]


def test_seed_ticker_splits_into_its_15_headlines():
    assert split_ticker(seed_ticker()) == SEED_HEADLINES


@pytest.mark.parametrize(
    "headlines",
    [
        # an exclamation mark, then a headline with "..." inside
        ["برشلونة يتخطى روما بسهولة.. وميسي ينطح!", "تعزيز الوحدة الوطنية... تاريخنا مادته"],
        # end marks, then an opening quote
        ["جامعة طيبة وإثبات السكن !!", "«أخضر الطائرة» يبدأ مشوار «العربية» باختبار قطر"],
        # an opening quote glued to a word
        ["جوتيريز يغربل الشباب", "«أخضر الطائرة» يبدأ مشوار «العربية» باختبار قطر"],
        # ة inside a word
        [
            "الأرصاد تتوقع طقساً شديد الحرارة على مكة والمدينة",
            "رياضي / النصر والهلال يفتتحان الموسم الرياضي بكأس السوبر",
        ],
        # fathatan and its alef inside a word
        [
            "أسرة تدفع 1.6 مليون بعد تزويج رضيعة عمرها 11 شهرًا",
            "عبور 65 سفينة للمجرى الملاحي لقناة السويس",
        ],
        # a number glued to the last word
        [
            "الفيصل ومتعب بن عبدالله يعزون آل الجفالي بجدة",
            "800 ألف ريال حجم مبيعات مهرجان العسل الدولي بالباحة",
        ],
    ],
)
def test_marked_joins(headlines):
    assert split_ticker("".join(headlines)) == headlines


@pytest.mark.parametrize(
    "headlines",
    [
        ["البحرين تدين العمل الإرهابي", "الزعيم يصحو مبكرا على غير العادة"],
        [
            "مدير تعليم نجران يؤكد انطلاق الدراسة في موعدها المحدد",
            "إحباط تهريب 87 كبسولة كوكائين و89 كبسولة هيروين",
        ],
        [
            "إصابة الإعلامي منهل عبد القادر ومقتل زوجته في بيروت",
            "الصقور السعودية تواصل عروضها في سماء الباحة",
        ],
        ['"الصحة": إصابة مواطن بـ"كورونا" في الرياض', "الطلاق العاطفي.. عندما تذبل شجرة المودة"],
    ],
)
def test_unmarked_joins_found_with_the_lexicon(headlines):
    assert split_ticker("".join(headlines)) == headlines


@pytest.mark.parametrize(
    "headline",
    [
        "مجلس الأمن يصادق على «الاتفاق النووي».. وإيران تقول إنه «غير مقبول»",
        "السعودية تطيح خلايا عنقودية مرتبطة بـ«داعش».. وتديرها دول",
        '"الصحة": إصابة مواطن بـ"كورونا" في الرياض',
        "تونس تمدد حالة الطوارىء لشهرين",
        "تيلور سويفت وإد شيران يتصدران جوائز «إم.تي.في» للأغاني المصورة",
        "“السعودية للتموين” توصي بتوزيع أرباح نقدية بنسبة 17.5 % عن الربع الثاني 2015م",
        SEED_HEADLINES[0],
    ],
)
def test_a_single_headline_stays_whole(headline):
    assert split_ticker(headline) == [headline]


def test_surrounding_whitespace_is_stripped():
    assert split_ticker("  ما الذي جرى في ريف القرداحة؟ \n") == ["ما الذي جرى في ريف القرداحة؟"]


@pytest.mark.parametrize(
    "line", ["", "   ", "؟!…", '«»“”""', "Breaking news: markets fall!Stocks rise"]
)
def test_odd_input_does_not_raise(line):
    pieces = split_ticker(line)
    assert all(piece.strip() for piece in pieces)


def test_empty_string_gives_no_headline():
    assert split_ticker("") == []


TICKER_TEXT = st.text(
    alphabet=st.sampled_from(
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى")
        + list("ًٌٍَُِّْـ")
        + list('؟?!.…،:"“”«»()%#')
        + list("0123456789٠١٢")
        + list("abcXYZ")
        + [" ", "\n", "\u200b", "\u202b"]
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TICKER_TEXT, st.text(max_size=200)))
def test_pieces_are_the_input_in_order(line):
    pieces = split_ticker(line)
    position = 0
    for piece in pieces:
        assert piece and piece == piece.strip()
        found = line.find(piece, position)
        assert found >= 0
        position = found + len(piece)
    # Nothing but white space is lost between or around the pieces.
    assert "".join("".join(pieces).split()) == "".join(line.split())


@pytest.mark.parametrize(
    "headlines",
    [
        # a two-letter first word: هل, لا, لم
        ["الهلال يواصل تدريباته في النمسا", "هل ينجح الأخضر في بلوغ النهائي"],
        ["أمطار غزيرة على مرتفعات عسير", "لا تأجيل لبدء العام الدراسي"],
        # an unlisted name ends the first headline, a collocation starts the next
        ["وزير الخارجية يستقبل سفير بوركينا فاسو", "ارتفاع أسعار الذهب في الأسواق المحلية"],
        # د. (doctor) starts the next headline
        ["جامعة الملك سعود تعايد منسوبيها", "د. العيسى يستقبل وفد الجامعات"],
        # a one-word headline between two others
        ["الأمير يفتتح مهرجان الصيف في أبها", "تأملات", "انطلاق بطولة المملكة للسباحة"],
    ],
)
def test_unmarked_joins_found_by_the_cut_model(headlines):
    assert split_ticker("".join(headlines)) == headlines


def test_a_bidi_mark_between_letters_ends_the_headline():
    headlines = [
        "وصول أول رحلة مباشرة إلى مطار أبوظبي\u200f",
        "الأمير يدشن مشروعات تنموية في جازان",
    ]
    assert split_ticker("".join(headlines)) == headlines


@pytest.mark.parametrize(
    "headline",
    [
        # ر between digits is a decimal comma: 7.5 and 92.0
        "زلزال بقوة 7ر5 درجات يضرب جزر سليمان",
        "ارتفاع مؤشر الأسهم 92ر0 % في ختام التداولات",
        # an unlisted inflection of a listed verb stays one word
        "المعلمون يتقاذفون المسؤولية عن تأخر الكتب",
    ],
)
def test_headlines_with_look_alike_joins_stay_whole(headline):
    assert split_ticker(headline) == [headline]


@pytest.mark.parametrize(
    ("word", "listed", "expected"),
    [
        ("بالمطلقات", {"مطلقه"}, True),  # بال + مطلقة + ات, the ة restored
        ("طايرتنا", {"طايره"}, True),  # طائرة + نا
        ("سيهزم", {"يهزم"}, True),  # the future س before a verb
        ("بهروب", {"هروب"}, True),
        ("بهروب", {"هر"}, False),  # a two-letter core is listed by chance
        ("سمير", {"مير"}, False),  # س only before a verb's person prefix
        ("مطلقات", {"مطلقات"}, False),  # nothing taken off is no affix
    ],
)
def test_affixed_words_are_listed_words_with_clitics_and_endings(word, listed, expected):
    assert affixed(word, listed) is expected


@pytest.mark.parametrize(
    "headline",
    [
        # rare forms of listed words: not two words glued
        "عقوبات رادعة للإبلاغ الكيدي بهروب العمالة",
        # a number inside guillemets belongs to the quoted name
        "شائعات تغلفان إطلاق «آيفون6S» في الأسواق",
    ],
)
def test_inflected_words_and_quoted_numbers_stay_whole(headline):
    assert split_ticker(headline) == [headline]


def test_a_bidi_mark_after_a_closing_quote_ends_the_headline():
    headlines = ["غارة جوية تستهدف «داعش»\u200f", "النقد المتداول يرتفع إلى مستوى قياسي"]
    assert split_ticker("".join(headlines)) == headlines
