"""Completions and did-you-mean from a vocabulary written as reindex writes it."""

import pytest

from indexer.read.suggest import Vocabulary
from indexer.vocabulary import VOCABULARY
from indexer.vocabulary import FormCounter
from indexer.vocabulary import VocabularyBuilder

TEXTS = [
    "أعلن الرئيس استقالة الحكومة بعد اجتماع مجلس الوزراء",
    "قبل الرئيس استقالة وزير المالية، وقالت الحكومة إن الاستقالة نهائية",
    "استقبل الرئيس وفدا من البرلمان الأوروبي",
]


def table(texts) -> bytes:
    """The vocabulary counts of ``texts``, as a reindex worker hands them in."""
    counter = FormCounter()
    for text in texts:
        counter.add(text)
    return counter.table()


@pytest.fixture
def directory(tmp_path):
    builder = VocabularyBuilder()
    builder.add_forms(table(TEXTS))
    builder.add_title("1", "article", "استقالة الحكومة")
    builder.add_title("2", "headline", "استقبال رسمي للوفد الأوروبي")
    builder.write(tmp_path)
    return tmp_path


def test_completions_are_titles_then_frequent_written_words(directory):
    completions = Vocabulary(directory).complete("است")
    assert completions[:2] == ["استقالة الحكومة", "استقبال رسمي للوفد الأوروبي"]
    # استقالة (twice) before its rarer neighbours, in its written form (not استقاله).
    assert completions[2:] == ["استقالة", "استقبل"]


def test_a_misspelt_word_becomes_the_known_word_one_edit_away(directory):
    vocabulary = Vocabulary(directory)
    assert vocabulary.correct("استقلاة الرئيس") == "استقالة الرئيس"
    assert vocabulary.correct("البرلمانن الاوروبي") == "البرلمان الأوروبي"
    assert vocabulary.correct("استقالة الحكومة") is None  # nothing to correct


def test_a_vocabulary_written_most_frequent_first_still_loads(directory):
    path = directory / VOCABULARY
    rows = path.read_text(encoding="utf-8").splitlines()
    rows.sort(key=lambda row: -int(row.split("\t")[2]))
    assert rows != sorted(rows)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    vocabulary = Vocabulary(directory)
    assert vocabulary.correct("استقلاة") == "استقالة"
    assert vocabulary.complete("الرئ") == ["الرئيس"]


def test_a_line_of_another_width_is_skipped_and_the_rest_loads(directory):
    path = directory / VOCABULARY
    rows = path.read_text(encoding="utf-8").splitlines()
    # Lines torn and run together in the middle, and no line break at the end.
    path.write_text(
        "\n".join(rows[:2] + ["مجلس\t3", "مجلس\tمجلس\t3\t3"] + rows[2:]), encoding="utf-8"
    )
    vocabulary = Vocabulary(directory)
    assert vocabulary.correct("استقلاة") == "استقالة"
    assert vocabulary.complete("مجل") == ["مجلس"]


def test_the_written_form_does_not_depend_on_the_counting_order(tmp_path):
    # Reindex workers hand in their counts in any order; a tie between two
    # written forms of one word must still pick the same one.
    texts = ["قال الرئيس ١٢٥٧", "قال الرئيس 1257"]
    files = []
    for order in (texts, texts[::-1]):
        builder = VocabularyBuilder()
        for text in order:
            builder.add_forms(table([text]))
        where = tmp_path / str(len(files))
        where.mkdir()
        builder.write(where)
        files.append((where / VOCABULARY).read_text(encoding="utf-8"))
    assert files[0] == files[1]
    assert "1257\t1257\t2\n" in files[0]
