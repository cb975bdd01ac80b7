"""HTML pages and RSS/Atom feeds: what is read from them, what is left out, and bad input.

The pages in tests/data are written as an Arabic news site's pages are (RTL
markup, a breaking-news ticker, menus, share buttons, related articles,
comments and a comment form, a footer); the feeds as its RSS and Atom.
"""

import shutil
import socket
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from indexer.catalog import Catalog
from indexer.document import Document
from indexer.errors import BadDocument
from indexer.read import SearchRequest
from indexer.read import Searcher
from indexer.settings import Settings
from indexer.write.ingest.feeds import parse_feed
from indexer.write.ingest.html_pages import parse_html
from indexer.write.ingest.sources import read_sources
from tests.conftest import SEEDS
from tests.conftest import SEED_HEADLINES
from tests.test_reindex import bahth

DATA = Path(__file__).resolve().parent / "data"
ALEPPO, HOMS = DATA / "aleppo-water.html", DATA / "homs-exams.html"
RSS, ATOM = DATA / "feed.xml", DATA / "feed.atom"
TAG_PAGE = DATA / "tag-aleppo.html"  # menus, a list of links, a comment form: no article
SITE = "أخبار الضفتين"
# Words that appear only in the pages' and feeds' boilerplate, one per kind of it.
BOILERPLATE_WORDS = {
    "كاريكاتير": "a menu item",
    "واتساب": "a share button",
    "فيسبوك": "a share button, and a share link in a feed entry",
    "الكتاب": "a related article's title",
    "الميسر": "a reader's comment",
    "الإلكتروني": "the comment form",
    "تعليقك": "the comment form",
    "الحقوق": "the footer",
    "الخصوصية": "the footer's menu",
    "يوتيوب": "a sidebar",
}


def records(*paths):
    return list(read_sources([Path(p) for p in paths]))


def articles(*paths):
    return [r for r in records(*paths) if r.kind == "article"]


# --- HTML pages ---------------------------------------------------------------------------


def test_a_page_gives_its_ticker_headlines_then_its_article():
    docs = records(ALEPPO)
    assert [d.kind for d in docs] == ["headline"] * 5 + ["article"]
    assert [d.title for d in docs[:5]] == SEED_HEADLINES[:5]
    assert (
        docs[4].url == "https://dafatayn.example.org/2024/12/16/kawaya/"
    )  # its link, made absolute
    article = docs[5]
    assert (article.id, article.title) == (
        "aleppo-water",
        "عودة ضخ المياه إلى أحياء حلب الشرقية بعد إصلاح محطة الخفسة",
    )
    assert (article.date, article.url, article.source, article.section) == (
        "2024-12-17",
        "https://dafatayn.example.org/2024/12/17/aleppo-water/",
        SITE,
        "أخبار سورية",
    )
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("أعلنت المؤسسة العامة لمياه الشرب في حلب")
    assert paragraphs[-1].endswith("بسبب انقطاع الكهرباء وتراجع منسوب النهر.")


def test_a_glued_ticker_is_split_as_the_seed_page_is():
    seed_headlines = [d for d in records(SEEDS) if d.kind == "headline"]
    page_headlines = [d for d in records(HOMS) if d.kind == "headline"]
    assert [d.title for d in page_headlines] == SEED_HEADLINES  # the ticker's label left out
    # The same headline has the same id whatever page or format it came from.
    assert [d.id for d in page_headlines] == [d.id for d in seed_headlines]


def test_a_page_without_a_canonical_link_takes_its_og_url_and_time():
    [article] = articles(HOMS)
    assert article.title == "جامعة حمص تستأنف امتحانات الفصل الأول بعد تأجيلها أسبوعين"
    assert (article.date, article.url, article.source) == (
        "2024-12-18",
        "https://dafatayn.example.org/2024/12/18/homs-exams/",
        SITE,
    )
    assert article.body.startswith("حددت رئاسة جامعة حمص يوم السبت المقبل")
    assert article.body.endswith("إضافة إلى فروعها في تدمر والقصير.")


def test_a_page_without_a_date_gets_none_rather_than_a_guess(tmp_path):
    page = tmp_path / "undated.html"
    html = HOMS.read_text(encoding="utf-8")
    # No <time>, no date in its URL: its related links and footer still hold dates.
    html = html.replace('datetime="2024-12-18T14:05:00+03:00"', "").replace("2024/12/18/", "")
    page.write_text(html, encoding="utf-8")
    [article] = articles(page)
    assert (article.date, article.url) == ("", "https://dafatayn.example.org/homs-exams/")


@pytest.mark.parametrize("page", [ALEPPO, HOMS], ids=["aleppo", "homs"])
def test_menus_shares_related_comments_and_footer_are_left_out(page):
    [article] = articles(page)
    for word, where in BOILERPLATE_WORDS.items():
        assert word not in article.text, where
    for text in ("اتصل بنا", "اترك تعليقاً", "أبو محمد", "الأكثر قراءة", "اقرأ أيضاً", "عاجل"):
        assert text not in article.text


def test_pages_and_feeds_are_recognised_by_content_without_an_extension(tmp_path):
    shutil.copy(ALEPPO, tmp_path / "aleppo-water")  # saved as the crawler found them
    shutil.copy(RSS, tmp_path / "feed")
    (tmp_path / "atom").write_text(
        ATOM.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8"
    )  # without its XML declaration
    assert [d.id for d in articles(tmp_path / "aleppo-water")] == ["aleppo-water"]
    assert len(articles(tmp_path / "feed")) == 3
    assert len(articles(tmp_path / "atom")) == 2


def test_a_crawled_folder_of_index_pages_names_each_by_its_folder(tmp_path):
    for name, page in (("aleppo-water", ALEPPO), ("homs-exams", HOMS)):
        (tmp_path / name).mkdir()
        shutil.copy(page, tmp_path / name / "index.html")
    (tmp_path / "aleppo-water" / "up").symlink_to(tmp_path)  # a link back up is not followed
    assert [d.id for d in articles(tmp_path)] == ["aleppo-water", "homs-exams"]


# --- feeds --------------------------------------------------------------------------------


def test_rss_items_are_articles_with_date_link_and_source():
    docs = records(RSS)
    assert [d.kind for d in docs] == ["article"] * 3
    flood = docs[0]
    assert flood.id == "https://dafatayn.example.org/?p=3604"  # the guid
    assert flood.title == "الأمطار الغزيرة تغمر مخيمات النازحين في ريف إدلب الشمالي"
    assert (flood.date, flood.url, flood.source, flood.section) == (
        "2024-12-19",
        "https://dafatayn.example.org/2024/12/19/idlib-camps-flood/",
        SITE,
        "أخبار سورية",
    )
    # The full text (content:encoded), not the teaser; its share link left out.
    assert flood.body.split("\n\n")[0].startswith("غمرت مياه الأمطار الغزيرة التي هطلت ليلة أمس")
    assert flood.body.split("\n\n")[-1].endswith("مواد تدفئة قبل اشتداد البرد.")
    assert "فيسبوك" not in flood.body
    assert docs[2].body.startswith("أعلنت وزارة التربية أن امتحانات الشهادة الثانوية")  # plain text
    assert docs[1].origin == (str(RSS), 22)  # the line of its <item>


def test_atom_entries_are_articles():
    poetry, souq = records(ATOM)
    assert poetry.id == "tag:dafatayn.example.org,2024:culture-118"
    assert (poetry.date, poetry.url, poetry.source) == (
        "2024-12-16",
        "https://dafatayn.example.org/culture/2024/12/16/latakia-poetry/",
        "نشرة الضفتين الثقافية",
    )
    assert poetry.body.startswith("انطلقت في مدينة اللاذقية أمسيات مهرجان الشعر العربي")
    assert souq.date == "2024-12-15"  # no <published>: its <updated>
    assert souq.body.split("\n\n") == [
        (
            "دخلت أعمال ترميم سوق المدينة الأثري في حلب مرحلتها الأخيرة، بعد إعادة تأهيل أكثر من "
            "مئتي محل تجاري في الأسواق المسقوفة."
        ),
        "ويأمل الحرفيون أن تعود الحركة إلى السوق قبل شهر رمضان المقبل.",
    ]


def rss(*items: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        "<title>أخبار الضفتين</title>\n" + "".join(items) + "</channel></rss>\n"
    )


def test_the_date_is_the_day_the_writer_gave(tmp_path):
    # 01:30 in Damascus is still the day before in UTC.
    feed = tmp_path / "night.rss"
    feed.write_text(
        rss(
            "<item><title>قصف ليلي على ريف حماة</title><link>https://x.example/1</link>"
            "<pubDate>Thu, 19 Dec 2024 01:30:00 +0300</pubDate></item>\n"
        ),
        encoding="utf-8",
    )
    [doc] = records(feed)
    assert (doc.id, doc.date, doc.body) == ("https://x.example/1", "2024-12-19", "")


def test_a_feed_is_read_as_the_utf8_it_is_whatever_it_declares(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        rss("<item><title>خبر عاجل</title><link>https://x.example/1</link></item>\n").replace(
            'encoding="UTF-8"', 'encoding="windows-1256"'
        ),
        encoding="utf-8-sig",
    )
    [doc] = records(feed)
    assert (doc.title, doc.source, doc.origin) == ("خبر عاجل", SITE, (str(feed), 4))


# --- bad input ----------------------------------------------------------------------------


def test_an_entry_without_id_or_text_says_file_line_entry_and_reason(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        rss(
            "<item><title>خبر سليم</title><link>https://x.example/1</link></item>\n",
            "<item><title>خبر بلا رابط</title></item>\n",
            "<item><link>https://x.example/3</link><description> </description></item>\n",
        ),
        encoding="utf-8",
    )
    good, no_link, no_text = records(feed)
    assert good.title == "خبر سليم"
    assert no_link.message == f"{feed}:5: entry 2: no id and no link"
    assert no_text.message == f"{feed}:6: entry 3: no title and no text"


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "broken.xml",
            rss("<item><title>خبر</title>\n<link>https://x.example/1</item>\n"),
            "5: malformed feed: mismatched tag",
        ),
        (
            "undeclared.rss",
            '<rss version="2.0"><channel>\n<item><title>خبر\n</channel></rss>\n',
            "3: malformed feed: mismatched tag",
        ),
        (
            "sitemap.xml",
            '<?xml version="1.0"?>\n<urlset><url><loc>https://x.example/</loc></url></urlset>\n',
            "1: not an RSS or Atom feed",
        ),
        ("quiet.rss", rss(), "1: empty feed: no entries"),
        (
            "tag.html",
            TAG_PAGE.read_text(encoding="utf-8"),
            "3: no main text (only menus, links or comments)",
        ),
        ("blank.htm", "\n  \n", "1: empty page"),
    ],
)
def test_a_bad_feed_or_page_says_file_line_and_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [bad] = [r for r in records(path) if isinstance(r, BadDocument)]
    assert bad.message == f"{path}:{message}"


def test_a_page_not_in_utf8_or_binary_is_refused(tmp_path):
    page = tmp_path / "cp1256.html"
    page.write_bytes("<html>\n<body>\n<p>عودة المياه</p></body></html>".encode("cp1256"))
    image = tmp_path / "logo.html"
    image.write_bytes(b"\n\nGIF89a\x00\x01")
    assert [r.message for r in records(page, image)] == [
        f"{page}:3: invalid UTF-8 at byte 3",
        f"{image}:3: NUL byte: binary data, not text",
    ]


# --- a real reindex and search ------------------------------------------------------------


def search(index: Path, query: str):
    return Searcher(Settings(index_dir=index)).search(SearchRequest(query))


@pytest.fixture(scope="module")
def site_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("site") / "index"
    result = bahth("reindex", "--index", index, ALEPPO, HOMS, RSS)
    assert result.returncode == 0, result.stderr
    # The five headlines of the first page's ticker are on the second's too: indexed once.
    assert result.stdout.startswith("indexed 20 documents (5 articles, 15 headlines)")
    return index


@pytest.mark.parametrize(
    "query, doc_id",
    [
        ("الخفسة", "aleppo-water"),  # the page's article
        ("صهاريج", "aleppo-water"),
        ("تدمر", "homs-exams"),
        ("أطمة", "https://dafatayn.example.org/?p=3604"),  # a feed item's full text
        ("الليرة", "https://dafatayn.example.org/?p=3598"),
    ],
)
def test_the_page_and_the_feed_are_found(site_index, query, doc_id):
    hit = search(site_index, query).hits[0]
    assert hit["id"] == doc_id
    assert hit["url"].startswith("https://dafatayn.example.org/20")
    assert (hit["source"], hit["date"] is not None) == (SITE, True)


def test_the_ticker_headlines_are_found_with_their_links(site_index):
    hit = search(site_index, "كواية").hits[0]
    assert (hit["kind"], hit["title"]) == ("headline", SEED_HEADLINES[4])
    assert hit["url"] == "https://dafatayn.example.org/2024/12/16/kawaya/"


@pytest.mark.parametrize("word", BOILERPLATE_WORDS)
def test_boilerplate_words_find_nothing(site_index, word):
    assert search(site_index, word).total == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "broken.rss",
            rss("<item><title>خبر</title>\n<link>https://x.example/1</item>\n").encode(),
            "5: malformed feed: mismatched tag",
        ),
        ("tag.html", TAG_PAGE.read_bytes(), "3: no main text (only menus, links or comments)"),
        (
            "cp1256.html",
            "<html>\n<body>\n<p>عودة المياه</p></body></html>".encode("cp1256"),
            "3: invalid UTF-8 at byte 3",
        ),
    ],
    ids=["malformed feed", "no main text", "not UTF-8"],
)
def test_a_bad_source_fails_the_run_and_leaves_the_served_index(
    tmp_path, site_index, name, content, message
):
    index = tmp_path / "index"
    shutil.copytree(site_index, index)
    before = Catalog(index).current_name()
    bad = tmp_path / name
    bad.write_bytes(content)
    result = bahth("reindex", "--index", index, ATOM, bad)
    assert result.returncode == 1
    assert result.stderr == f"bahth: {bad}:{message}\n"
    assert Catalog(index).current_name() == before
    assert Catalog(index).generations() == [before]
    assert search(index, "الخفسة").hits[0]["id"] == "aleppo-water"
    assert search(index, "اللاذقية").total == 0  # nothing of the failed run is served


def test_skip_bad_skips_the_bad_page_and_entries(tmp_path):
    index, sources = tmp_path / "index", tmp_path / "site"
    sources.mkdir()
    shutil.copy(HOMS, sources / "homs-exams.html")
    shutil.copy(TAG_PAGE, sources / "tag.html")
    (sources / "cp1256.htm").write_bytes("<p>عودة المياه</p>".encode("cp1256"))
    (sources / "feed.xml").write_text(
        rss(
            "<item><title>خبر بلا رابط</title></item>\n",
            "<item><title>ارتفاع منسوب نهر العاصي</title><link>https://x.example/2</link></item>\n",
        ),
        encoding="utf-8",
    )
    result = bahth("reindex", "--index", index, "--skip-bad", sources)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "indexed 17 documents (2 articles, 15 headlines), deleted 0, skipped 3 bad"
    )
    for line in (
        f"{sources / 'cp1256.htm'}:1: invalid UTF-8",
        f"{sources / 'feed.xml'}:4: entry 1",
        f"{sources / 'tag.html'}:3: no main text",
    ):
        assert line in result.stderr
    assert search(index, "جامعة حمص").hits[0]["id"] == "homs-exams"
    assert search(index, "العاصي").hits[0]["id"] == "https://x.example/2"


def test_nothing_is_fetched_while_reading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network use: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    found = records(DATA)  # the pages with their tickers, the feeds, the tag page
    assert [type(r).__name__ for r in found].count("Document") == 27
    assert [r.reason for r in found if isinstance(r, BadDocument)] == [
        "no main text (only menus, links or comments)"
    ]


# Markup pieces of pages and feeds, Arabic letters and any character, in any order:
# whatever a page or a feed holds, it gives documents or bad records, never an exception.
PIECES = st.one_of(
    st.sampled_from(
        [
            "<html>",
            "<body>",
            "</body>",
            "<p>",
            "</p>",
            '<div class="breaking">',
            "</div>",
            "<li>",
            "<a href='/x'>",
            "</a>",
            "<h1>",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "&amp;",
            "&hellip;",
            "&#0;",
            "<?xml version='1.0'?>",
            '<rss version="2.0">',
            "<channel>",
            "<item>",
            "</item>",
            "<title>",
            "</title>",
            "<link>",
            "<guid>",
            "<description>",
            "<feed xmlns='http://www.w3.org/2005/Atom'>",
            "<entry>",
            "<pubDate>Thu, 19 Dec 2024 07:45:00 +0300</pubDate>",
            "\n",
        ]
    ),
    st.text(
        st.one_of(
            st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
            st.characters(exclude_categories=["Cs"]),
        ),  # text decoded from UTF-8
        max_size=20,
    ),
)
MARKUP = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(MARKUP)
def test_any_page_or_feed_gives_records_not_exceptions(text):
    for record in [*parse_html(text, "page.html", "page"), *parse_feed(text, "feed.xml")]:
        assert isinstance(record, Document | BadDocument)
