"""RSS and Atom feeds: each entry an article, with its date, link and the feed as source.

feedparser reads every RSS and Atom version; lxml gives each entry's line
for error messages.  An entry's HTML is the publisher's article, not a page
with menus, so all its text is kept except blocks that are only links
(share and "read more" links).
"""

import email.utils
import re
import time
from collections.abc import Iterator
from xml.sax import SAXParseException

import feedparser
import lxml.etree
import lxml.html

from indexer.document import Document
from indexer.document import iso_date
from indexer.errors import BadDocument
from indexer.write.ingest.clean import clean

_BLOCKS = ("p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br")
_DECLARATION = re.compile(r"<\?xml[^>]*\?>")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not allowed in lxml's input


def parse_feed(text: str, source: str) -> Iterator[Document | BadDocument]:
    data = _declared_utf8(text)
    feed = feedparser.parse(data)
    error = feed.get("bozo_exception")
    if isinstance(error, SAXParseException):  # feedparser's loose parser would guess on
        yield BadDocument(source, error.getLineNumber(), f"malformed feed: {error.getMessage()}")
        return
    if not feed.version:
        yield BadDocument(source, 1, "not an RSS or Atom feed")
        return
    if not feed.entries:
        yield BadDocument(source, 1, "empty feed: no entries")
        return
    lines = _entry_lines(data, len(feed.entries))
    name = clean(feed.feed.get("title", ""))
    for number, (entry, line) in enumerate(zip(feed.entries, lines), 1):
        yield _article(entry, name, source, line, number)


def _article(entry, feed_name: str, source: str, line: int, number: int) -> Document | BadDocument:
    link = entry.get("link", "").strip()
    doc_id = entry.get("id", "").strip() or link
    if not doc_id:
        return BadDocument(source, line, f"entry {number}: no id and no link")
    contents = entry.get("content") or []
    markup = contents[0].get("value", "") if contents else entry.get("summary", "")
    title, body = clean(entry.get("title", "")), "\n\n".join(_paragraphs(markup))
    if not (title or body):
        return BadDocument(source, line, f"entry {number}: no title and no text")
    section = clean((entry.get("tags") or [{}])[0].get("term") or "")
    return Document(
        doc_id,
        "article",
        title,
        body,
        date=_date(entry),
        url=link,
        source=feed_name,
        section=section,
        origin=(source, line),
    )


def _paragraphs(markup: str) -> list[str]:
    """The text of an HTML fragment, a paragraph per block; blocks that are only links dropped."""
    try:
        body = lxml.html.document_fromstring(_CONTROL.sub(" ", markup)).body
    except lxml.etree.ParserError:  # blank, or only comments
        return []
    if body is None:
        return []
    for block in list(body.iterdescendants(*_BLOCKS)):
        links = "".join(a.text_content() for a in block.iter("a")).strip()
        if links and links == block.text_content().strip():
            block.drop_tree()
    for block in body.iterdescendants(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    return [p for p in map(clean, body.text_content().splitlines()) if p]


def _date(entry) -> str:
    """The date as published (the writer's local day), or "" if it has none."""
    for key in ("published", "updated"):
        written = entry.get(key, "")
        if iso_date(written):  # Atom: 2024-12-16T19:30:00+03:00
            return iso_date(written)
        try:  # RSS: Thu, 19 Dec 2024 07:45:00 +0300
            return email.utils.parsedate_to_datetime(written).date().isoformat()
        except (TypeError, ValueError):
            pass
        parsed = entry.get(f"{key}_parsed")  # another format feedparser knows, in UTC
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return ""


def _entry_lines(data: bytes, count: int) -> list[int]:
    """The line of each entry (item or entry element), or 0s if they cannot be matched."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    root = lxml.etree.fromstring(data, parser)
    lines = [] if root is None else [e.sourceline or 0 for e in root.iter("{*}item", "{*}entry")]
    return lines if len(lines) == count else [0] * count


def _declared_utf8(text: str) -> bytes:
    """The feed as bytes declaring UTF-8, as it was read, on its first line: without a
    declaration feedparser adds one on a line of its own, and its error lines are one off."""
    text = text.removeprefix("\ufeff")
    declaration = _DECLARATION.match(text)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        + (text[declaration.end() :] if declaration else text)
    ).encode("utf-8")
