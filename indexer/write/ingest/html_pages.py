"""HTML pages: the article's main text and metadata, and the headline ticker.

trafilatura finds the main text and drops navigation, share buttons, related
lists, comments and the footer; it reads the title, the date and the
canonical URL from the page's metadata.  The ticker is boilerplate to it, so
it is read here: its items are split like a seed page's ticker line.
"""

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import trafilatura
from lxml.html import HtmlElement

from indexer.document import Document
from indexer.document import iso_date
from indexer.errors import BadDocument
from indexer.write.ingest.clean import clean
from indexer.write.ingest.seeds import headline_id
from indexer.write.ingest.splitter import split_ticker

# Class or id of a ticker (Jannah's "breaking", "news-ticker"...), and of its label (عاجل).
_TICKER = re.compile(r"ticker|breaking", re.IGNORECASE)
_LABEL = re.compile(r"title|label|heading", re.IGNORECASE)
# Precision over recall: a page of links (a tag or section page) gives no
# article rather than its menus.  The date from the page's metadata, <time>
# or URL only: a search of the text takes a related link's date for it.
EXTRACTION = {
    "with_metadata": True,
    "include_comments": False,
    "favor_precision": True,
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}


def parse_html(text: str, source: str, page_id: str) -> Iterator[Document | BadDocument]:
    """Headline documents of the page's ticker, then its article."""
    tree = trafilatura.load_html(text)
    if tree is None or tree.find(".//body") is None:
        yield BadDocument(source, 1, "not an HTML page")
        return
    line = tree.find(".//body").sourceline or 1
    page = trafilatura.bare_extraction(tree, **EXTRACTION)
    url = (page.url if page else "") or ""
    yield from _headlines(tree, source, url)
    paragraphs = [p for p in map(clean, (page.text if page else "").splitlines()) if p]
    if not paragraphs:
        yield BadDocument(source, line, "no main text (only menus, links or comments)")
        return
    title = clean(page.title or "")
    if paragraphs[0] == title:  # the headline repeated as the body's first line
        paragraphs = paragraphs[1:]
    yield Document(
        page_id,
        "article",
        title,
        "\n\n".join(paragraphs),
        date=iso_date(page.date or ""),
        url=url,
        source=clean(page.sitename or page.hostname or ""),
        section=clean((page.categories or [""])[0]),
        origin=(source, line),
    )


def _tickers(tree: HtmlElement) -> list[HtmlElement]:
    """The outermost elements marked as a ticker (one inside another is the same ticker)."""
    found = []  # in document order
    for element in tree.iter("div", "ul", "section", "aside", "marquee", "p"):
        names = _names(element)
        if not (element.tag == "marquee" or _TICKER.search(names)) or _LABEL.search(names):
            continue
        # A page may mark its article "breaking": a ticker holds no article.
        holds_article = element.find(".//h1") is not None or element.find(".//article") is not None
        if not holds_article and not any(a in found for a in element.iterancestors()):
            found.append(element)
    return found


def _headlines(tree: HtmlElement, source: str, base_url: str) -> Iterator[Document]:
    for ticker in _tickers(tree):
        # One item per list entry or link; a ticker of bare text is one glued line.
        items = ticker.findall(".//li") or ticker.findall(".//a")
        if not items:
            for label in [e for e in ticker.iterdescendants() if _LABEL.search(_names(e))]:
                label.drop_tree()  # "عاجل", "آخر الأخبار"
            items = [ticker]
        for item in items:
            link = item if item.tag == "a" else item.find(".//a")
            href = link.get("href", "") if link is not None else ""
            url = urljoin(base_url, href) if href and not href.startswith("#") else ""
            url = url if url.startswith(("http://", "https://")) else ""  # no page to link to
            for headline in split_ticker(clean(item.text_content())):
                yield Document(
                    headline_id(headline),
                    "headline",
                    headline,
                    url=url,
                    origin=(source, item.sourceline or 0),
                )


def _names(element: HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"
