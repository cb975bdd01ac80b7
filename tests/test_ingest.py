"""Reading sources: the seed page, JSON Lines feeds, and bad input."""

import gzip
import json
from pathlib import Path

import pytest

from indexer.document import Document
from indexer.errors import BadDocument
from indexer.write.ingest.sources import read_sources
from tests.conftest import SEEDS
from tests.conftest import SEED_HEADLINES as HEADLINES
from tests.conftest import SEED_PAGE

ARTICLE_TITLE = "التحالف الدولي يعترف بقتله 1257 مدنياً عن طريق الخطأ في سورية والعراق"


def records(*paths):
    return list(read_sources([Path(p) for p in paths]))


def test_the_seed_page_gives_15_headlines_and_one_article():
    docs = records(SEEDS)
    assert [d.kind for d in docs] == ["headline"] * 15 + ["article"]
    assert [d.title for d in docs[:15]] == HEADLINES
    article = docs[15]
    assert article.id == SEED_PAGE.stem
    assert article.title == ARTICLE_TITLE
    assert article.body.startswith("اعترف التحالف الدولي الذي تقوده الولايات المتحدة")


def test_boilerplate_is_not_indexed():
    body = records(SEEDS)[15].body
    for footer in ("اترك تعليقاً", "بريدك الإلكتروني", "زر الذهاب إلى الأعلى"):
        assert footer not in body


def test_a_headline_on_many_pages_has_one_id(tmp_path, seed_text):
    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed_text, encoding="utf-8")
    docs = records(tmp_path)
    headline_ids = [d.id for d in docs if d.kind == "headline"]
    assert len(headline_ids) == 30 and len(set(headline_ids)) == 15


def test_a_page_without_a_ticker(tmp_path, seed_text):
    page = tmp_path / "page.txt"
    page.write_text(seed_text.split("\n", 1)[1], encoding="utf-8")
    docs = records(page)
    assert [(d.kind, d.title) for d in docs] == [("article", ARTICLE_TITLE)]


def test_a_page_with_only_a_ticker(tmp_path, seed_text):
    page = tmp_path / "ticker.txt"
    page.write_text(seed_text.split("\n", 1)[0] + "\n", encoding="utf-8")
    assert [d.title for d in records(page)] == HEADLINES


def write_jsonl(path, rows):
    path.write_text(
        "".join(
            r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    return path


def test_jsonl_feed_is_cleaned(tmp_path):
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {
                "id": "n1",
                "title": "\u202bأمطار غزيرة&quot;\u202c",
                "text": "هطلت  أمطار غزيرة على الرياض.",
                "date": "2015-07-21 02:51:32",
                "source": "spa",
                "url": "http://example.org/1",
            },
        ],
    )
    [doc] = records(feed)
    assert doc == Document(
        "n1",
        "article",
        'أمطار غزيرة"',
        "هطلت أمطار غزيرة على الرياض.",
        "2015-07-21",
        "http://example.org/1",
        "spa",
    )


def test_gzipped_feed(tmp_path):
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"id": "g1", "title": "", "text": "نص المقال"}) + "\n")
    assert [d.id for d in records(path)] == ["g1"]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("{not json\n", "invalid JSON"),
        ('["a list"]\n', "must be a JSON object"),
        ('{"title": "بلا معرف", "text": "نص"}\n', "missing 'id'"),
        ('{"id": "x", "title": "بلا نص"}\n', "missing 'text'"),
        ('{"id": "x", "text": 42}\n', "'text' must be a string, not int"),
        ('{"id": "x", "text": "نص", "date": ["2015"]}\n', "'date' must be a string, not list"),
        ('{"id": "x", "text": "ن\u0000ص"}\n', "NUL byte"),
    ],
)
def test_bad_records_say_file_line_and_reason(tmp_path, line, reason):
    feed = write_jsonl(tmp_path / "bad.jsonl", ['{"id": "ok", "text": "نص سليم"}\n', line])
    good, bad = records(feed)
    assert good.id == "ok"
    assert isinstance(bad, BadDocument)
    assert bad.message.startswith(f"{feed}:2: ")
    assert reason in bad.message


def test_invalid_utf8_and_binary_files(tmp_path):
    (tmp_path / "latin1.jsonl").write_bytes('{"id": "x", "text": "caf\xe9"}\n'.encode("latin-1"))
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    messages = sorted(r.message for r in records(tmp_path))
    assert messages == [
        f"{tmp_path}/empty.txt:1: empty page",
        f"{tmp_path}/image.txt:1: invalid UTF-8 at byte 0",
        f"{tmp_path}/latin1.jsonl:1: invalid UTF-8 at byte 24",
        f"{tmp_path}/notes.pdf:0: not a .txt page, a .jsonl/.jsonl.gz feed, an HTML page or an RSS/Atom feed",
    ]
