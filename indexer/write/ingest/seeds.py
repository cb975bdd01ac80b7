"""Seed pages: scraped news pages as the site shows them.

    line 1     the headline ticker, headlines run together (split by ``split_ticker``)
    title      the article's title line
    paragraphs the article's body
    footer     the comment form and "back to top" link: boilerplate, never indexed

A page may lack the ticker or the article; a headline is identified by its
normalised text, so one that appears on many pages is indexed once.
"""

import hashlib
from collections.abc import Iterator

from indexer.analysis import normalise
from indexer.document import Document
from indexer.errors import BadDocument
from indexer.write.ingest.clean import clean
from indexer.write.ingest.splitter import split_ticker

# Normalised starts of the site's footer lines; the first one ends the article.
BOILERPLATE = tuple(
    normalise(line)
    for line in (
        "اترك تعليقاً",
        "اترك تعليقا",
        "لن يتم نشر عنوان بريدك الإلكتروني",
        "زر الذهاب إلى الأعلى",
    )
)
TITLE_MAX_CHARS = 250  # a title is one short line; a paragraph is not


def headline_id(text: str) -> str:
    digest = hashlib.sha1(" ".join(normalise(text).split()).encode("utf-8")).hexdigest()
    return f"headline-{digest[:16]}"


def _is_boilerplate(line: str) -> bool:
    return normalise(line).startswith(BOILERPLATE)


def _looks_like_title(line: str) -> bool:
    return len(line) <= TITLE_MAX_CHARS and not line.rstrip().endswith((".", ":", "،"))


def parse_page(lines: list[str], source: str, page_id: str) -> Iterator[Document | BadDocument]:
    """Headline documents then the article document of one page."""
    blocks = []  # (line number, cleaned text), boilerplate and what follows dropped
    for number, line in enumerate(lines, 1):
        text = clean(line)
        if not text:
            continue
        if _is_boilerplate(text):
            break
        blocks.append((number, text))

    # A ticker is the first block when a title follows it (or it stands alone
    # and holds several headlines); otherwise the page starts with its title.
    ticker = []
    if blocks:
        number, first = blocks[0]
        headlines = split_ticker(first)
        has_title_after = len(blocks) >= 3 and _looks_like_title(blocks[1][1])
        if has_title_after or (len(blocks) == 1 and len(headlines) > 1):
            ticker = [(number, h) for h in headlines]
            blocks = blocks[1:]

    for number, headline in ticker:
        yield Document(headline_id(headline), "headline", headline, origin=(source, number))

    if blocks:
        (number, title), paragraphs = blocks[0], blocks[1:]
        if not _looks_like_title(title):  # no title line: the body starts at once
            title, paragraphs = "", blocks
        body = "\n\n".join(text for _, text in paragraphs)
        yield Document(page_id, "article", title, body, source="seeds", origin=(source, number))
