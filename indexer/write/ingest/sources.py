"""Reading sources: seed pages (.txt), JSON Lines feeds (.jsonl, .jsonl.gz), HTML
pages (.html, .htm), RSS/Atom feeds (.xml, .rss, .atom), folders of them.

A file of another name is read as HTML or as a feed when it starts like one.

Readers yield a ``Document`` per good record and a ``BadDocument`` (not
raised) per bad one, so the caller decides: fail the run, or skip and count.
"""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from indexer.document import Document
from indexer.document import iso_date
from indexer.errors import BadDocument
from indexer.write.ingest.clean import clean
from indexer.write.ingest.feeds import parse_feed
from indexer.write.ingest.html_pages import parse_html
from indexer.write.ingest.seeds import parse_page

MAX_LINE_CHARS = 2_000_000  # longer than any real article; bounds memory and time
Record = Document | BadDocument
HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")  # RSS 2.0, Atom, RSS 1.0
SNIFF_BYTES = 1024  # enough for a doctype or an XML declaration and the root element


class FeedLine(NamedTuple):
    """A JSON Lines record not parsed yet: ``parsed`` turns it into its record."""

    text: str
    source: str
    number: int


def read_sources(paths: list[Path]) -> Iterator[Record]:
    """Every record of every source, folders (and the folders in them) expanded in name order."""
    return map(parsed, read_sources_unparsed(paths))


def parsed(item: Record | FeedLine) -> Record:
    """The record of an item of ``read_sources_unparsed``."""
    return _record(*item) if isinstance(item, FeedLine) else item


def read_sources_unparsed(paths: list[Path]) -> Iterator[Record | FeedLine]:
    """``read_sources``, with each JSON Lines record left unparsed (a ``FeedLine``).

    PERF: a reindex parses and cleans these in its analysis workers, not in the
    process that feeds the engine.
    """
    for path in paths:
        if path.is_dir():
            # A crawled site is a tree; a linked folder is left out (it may link back).
            entries = sorted(
                p
                for p in path.iterdir()
                if not p.name.startswith(".") and (p.is_file() or p.is_dir() and not p.is_symlink())
            )
            yield from read_sources_unparsed(entries)
        elif not path.exists():
            yield BadDocument(str(path), 0, "no such file or folder")
        elif reader := READERS.get(source_format(path)):
            yield from reader(path)
        else:
            yield BadDocument(
                str(path),
                0,
                "not a .txt page, a .jsonl/.jsonl.gz feed, an HTML page or an RSS/Atom feed",
            )


def source_format(path: Path) -> str | None:
    """ "jsonl", "page", "html" or "feed": by the file's name, else by how it starts."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith(".txt"):
        return "page"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(FEED_SUFFIXES):
        return "feed"
    try:
        with open(path, "rb") as stream:
            head = stream.read(SNIFF_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    except OSError:
        return None
    xml = head.startswith(b"<?xml")
    if head.startswith((b"<!doctype html", b"<html")) or xml and b"<html" in head:
        return "html"
    if head.startswith(FEED_ROOTS) or xml and any(root in head for root in FEED_ROOTS):
        return "feed"
    return None


def _lines(path: Path) -> Iterator[tuple[int, str | BadDocument]]:
    """Numbered decoded lines; a line that cannot be read becomes a BadDocument."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            for number, raw in enumerate(stream, 1):
                if b"\0" in raw:
                    yield number, BadDocument(str(path), number, "NUL byte: binary data, not text")
                elif len(raw) > MAX_LINE_CHARS * 4:
                    yield (
                        number,
                        BadDocument(str(path), number, "line longer than 2,000,000 characters"),
                    )
                else:
                    try:
                        yield number, raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        yield (
                            number,
                            BadDocument(str(path), number, f"invalid UTF-8 at byte {exc.start}"),
                        )
    except (OSError, EOFError) as exc:  # unreadable file, truncated gzip
        yield 0, BadDocument(str(path), 0, f"cannot read: {exc}")


def _read_whole(path: Path, parse, empty: str) -> Iterator[Record]:
    """``parse(lines)`` of a file read whole; one bad record if it cannot be read or is blank."""
    lines = []
    for _number, line in _lines(path):
        if isinstance(line, BadDocument):
            yield line
            return
        lines.append(line)
    if not any(line.strip() for line in lines):
        yield BadDocument(str(path), 1, empty)
        return
    yield from parse(lines)


def read_page(path: Path) -> Iterator[Record]:
    return _read_whole(
        path, lambda lines: parse_page(lines, str(path), page_id=path.stem), "empty page"
    )


def read_html(path: Path) -> Iterator[Record]:
    # A crawler saves an article's address .../aleppo-water/ as aleppo-water/index.html.
    page_id = path.parent.name if path.stem == "index" and path.parent.name else path.stem
    return _read_whole(
        path, lambda lines: parse_html("".join(lines), str(path), page_id), "empty page"
    )


def read_feed(path: Path) -> Iterator[Record]:
    return _read_whole(path, lambda lines: parse_feed("".join(lines), str(path)), "empty feed")


def read_jsonl(path: Path) -> Iterator[Record | FeedLine]:
    empty = True
    for number, line in _lines(path):
        if isinstance(line, BadDocument):
            empty = False
            yield line
        elif line.strip():
            empty = False
            yield FeedLine(line, str(path), number)
    if empty:
        yield BadDocument(str(path), 1, "empty feed")


READERS = {"jsonl": read_jsonl, "page": read_page, "html": read_html, "feed": read_feed}


def _record(line: str, source: str, number: int) -> Record:
    def bad(reason):
        return BadDocument(source, number, reason)

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return bad(f"invalid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(data, dict):
        return bad("a record must be a JSON object")
    for field in ("id", "title", "text", "date", "url", "source", "section"):
        value = data.get(field)
        if value is not None and not isinstance(value, str):
            if field == "id" and isinstance(value, int) and not isinstance(value, bool):
                continue
            return bad(f"{field!r} must be a string, not {type(value).__name__}")
    doc_id = str(data.get("id") or "").strip()
    if not doc_id:
        return bad("missing 'id'")
    if not data.get("text"):
        return bad("missing 'text'")
    return Document(
        id=doc_id,
        kind="article",
        title=clean(data.get("title") or ""),
        body=clean(data["text"]),
        date=iso_date(data.get("date") or ""),
        url=(data.get("url") or "").strip(),
        source=(data.get("source") or "").strip(),
        section=(data.get("section") or "").strip(),
        origin=(source, number),
    )
