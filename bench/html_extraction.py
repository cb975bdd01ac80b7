"""HTML extraction: trafilatura (what the reindex uses) beside readability-lxml.

    python -m bench.html_extraction [--repeat N]

Pages: the news pages of tests/data (two articles and a tag page of links
that has no article), and the seed article laid into the first one's markup
(its ticker, menus, share buttons, related list, comments and footer kept).
For each extractor and page it prints the paragraphs of the article found (of
those in the page's article markup), the boilerplate phrases that leaked into
the text, whether the title, date and canonical URL were read, and the median
time per page.  Needs the bench extra (`pip install -e '.[bench]'`).
"""

import argparse
import re
import statistics
import time
from pathlib import Path

import lxml.html
import trafilatura
from readability import Document as Readability

from indexer.write.ingest.clean import clean
from indexer.write.ingest.html_pages import EXTRACTION

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED_PAGE = next((ROOT / "indexer" / "seeds").glob("*.txt"))
# Phrases found only in the pages' menus, tickers, share bars, tags, related
# lists, comments, comment forms, sidebars and footers.
BOILERPLATE = (
    "عاجل",
    "آخر الأخبار",
    "كاريكاتير",
    "اتصل بنا",
    "تسجيل الدخول",
    "ثقافة وفنون",
    "فيسبوك",
    "واتساب",
    "تيليجرام",
    "نسخ الرابط",
    "شارك",
    "شارك الخبر",
    "الوسوم",
    "مقالات ذات صلة",
    "معرض الكتاب",
    "اقرأ أيضاً",
    "منح دراسية",
    "صحفية تغطي",
    "أبو محمد",
    "الميسر",
    "اترك تعليقاً",
    "بريدك الإلكتروني",
    "إرسال التعليق",
    "أضف تعليقك",
    "أرسل التعليق",
    "الأكثر قراءة",
    "النشرة البريدية",
    "تابعونا",
    "جميع الحقوق محفوظة",
    "سياسة الخصوصية",
    "زر الذهاب إلى الأعلى",
    "الوسم: حلب",
)
ARTICLE_XPATH = "//div[contains(@class, 'entry-content') or contains(@class, 'post-content')]/p"


def seed_as_html() -> str:
    """The seed article in the markup of tests/data/aleppo-water.html."""
    lines = [clean(line) for line in SEED_PAGE.read_text("utf-8").splitlines()]
    blocks = [line for line in lines if line]
    title, paragraphs = blocks[1], blocks[2 : blocks.index("اترك تعليقاً")]
    tree = lxml.html.fromstring((DATA / "aleppo-water.html").read_bytes())
    tree.find(".//title").text = title
    tree.find(".//h1").text = title
    tree.xpath("//meta[@property='og:title']")[0].set("content", title)
    content = tree.xpath(ARTICLE_XPATH)[0].getparent()
    for p in list(content):
        content.remove(p)
    for text in paragraphs:
        lxml.html.etree.SubElement(content, "p").text = text
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def pages() -> dict[str, str]:
    return {
        "aleppo-water.html": (DATA / "aleppo-water.html").read_text("utf-8"),
        "homs-exams.html": (DATA / "homs-exams.html").read_text("utf-8"),
        "seed article in the site's markup": seed_as_html(),
        "tag page (no article)": (DATA / "tag-aleppo.html").read_text("utf-8"),
    }


def with_trafilatura(html: str, **options) -> dict:
    page = trafilatura.bare_extraction(html, **options)
    if page is None:
        return {"text": "", "title": "", "date": "", "url": ""}
    return {
        "text": page.text or "",
        "title": page.title or "",
        "date": page.date or "",
        "url": page.url or "",
    }


def with_readability(html: str) -> dict:
    # Main text and title only: readability reads no date or canonical URL.
    document = Readability(html)
    text = lxml.html.fromstring(document.summary(html_partial=True)).text_content()
    return {"text": text, "title": document.short_title(), "date": "", "url": ""}


EXTRACTORS = {
    "trafilatura, as indexed": lambda html: with_trafilatura(html, **EXTRACTION),
    "trafilatura, defaults": lambda html: with_trafilatura(
        html, with_metadata=True, include_comments=False
    ),
    "readability-lxml": with_readability,
}


def expected(html: str) -> tuple[list[str], str]:
    tree = lxml.html.fromstring(html.encode("utf-8"))
    h1 = tree.find(".//h1")
    return [clean(p.text_content()) for p in tree.xpath(ARTICLE_XPATH)], clean(h1.text_content())


def timed(pages_html: dict[str, str], repeat: int) -> dict[tuple[str, str], float]:
    """Median ms per (extractor, page), the extractors taking turns so that a
    change in the machine's load falls on all of them alike."""
    times = {(name, page): [] for name in EXTRACTORS for page in pages_html}
    for _ in range(repeat):
        for page, html in pages_html.items():
            for name, extract in EXTRACTORS.items():
                started = time.perf_counter()
                extract(html)
                times[name, page].append((time.perf_counter() - started) * 1000)
    return {key: statistics.median(values) for key, values in times.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="runs per page and extractor")
    args = parser.parse_args(argv)
    print(
        "| extractor | page | article paragraphs found | boilerplate leaked | title | date | URL "
        "| ms per page |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    pages_html = pages()
    ms = timed(pages_html, args.repeat)
    for name, extract in EXTRACTORS.items():
        for page_name, html in pages_html.items():
            paragraphs, title = expected(html)
            result = extract(html)
            text = " ".join(clean(result["text"]).split())
            found = sum(" ".join(p.split()) in text for p in paragraphs)
            leaked = [
                phrase
                for phrase in BOILERPLATE
                if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
            ]
            found_cell = (
                f"{found}/{len(paragraphs)}" if paragraphs else f"{len(text)} chars of text"
            )
            title_cell = (
                "yes"
                if clean(result["title"]) == title and paragraphs
                else (repr(result["title"]) if result["title"] else "no")
            )
            print(
                f"| {name} | {page_name} | {found_cell} | {len(leaked)}"
                f"{': ' + '، '.join(leaked) if leaked else ''} | {title_cell} "
                f"| {result['date'] or 'no'} | {'yes' if result['url'] else 'no'} | {ms[name, page_name]:.1f} |"
            )


if __name__ == "__main__":
    main()
