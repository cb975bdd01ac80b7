"""The index schema, declared once: stored fields, search fields and their weights.

Every engine indexes the same term streams, produced here from our analysis,
so all engines rank from identical inputs.  Bump SCHEMA_VERSION whenever the
analysis or a field changes: an index built by another version is refused.
"""

import re
from datetime import datetime

from indexer.analysis import FieldStreams
from indexer.signature import stream_signature

SCHEMA_VERSION = 8

# Shown to readers and filtered on; stored as given.
STORED_FIELDS = ("id", "kind", "title", "body", "date", "url", "source", "section")
FILTER_FIELDS = ("kind", "source", "section")
# Stored beside them, never shown: the near-duplicate signature of the
# document's normalised words (indexer.signature), which collapses one story
# republished by several sources into one hit.  Given with the term streams.
SIGNATURE = "signature"
HIT_FIELDS = (*STORED_FIELDS, SIGNATURE)  # what an engine reads back with each hit

# Search fields: term streams over title + body (titles prepended, which beat
# a separate boosted title field on every set measured).
STEM = "stem"  # light stems: the main match
EXACT = "exact"  # normalised unstemmed words: exact forms rank first
ROOT = "root"  # ISRI roots: recall across derived forms
LEAD = "lead"  # light stems of the opening words: a news title paraphrases its lead
TITLE = "title_stem"  # light stems of the title alone: title: queries
SEARCH_FIELDS = (STEM, EXACT, ROOT, LEAD, TITLE)
# The one field with positions: a phrase is its words in order in any
# inflection, with or without clitics (بالاتفاق النووي holds "الاتفاق النووي").
PHRASE_FIELD = STEM

# Dates are calendar dates written YYYY-MM-DD (ISO 8601): stored as these
# strings, whose order is the dates' order, so every engine filters and sorts
# on them (or, in tantivy, on their digits as one integer).
DATE_FORMAT = "%Y-%m-%d"  # for strptime
DATE_SHAPE = "YYYY-MM-DD"  # for people
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def is_date(value: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD (not 2024-02-30)."""
    if not DATE_PATTERN.match(value):
        return False
    try:
        datetime.strptime(value, DATE_FORMAT)
    except ValueError:
        return False
    return True


LEAD_TERMS = 30  # content words in the lead: about the first sentence or two

# Weight of each field's matches in the ranking (BM25 per field, summed),
# chosen on the relevance benchmark (README): the lead added +0.018 MRR@10 on
# the news known-item test; the exact field above 0.3 hurt.
WEIGHTS = {STEM: 1.0, EXACT: 0.3, ROOT: 1.3, LEAD: 0.3}
# A synonym's match counts in the stem field alone, at this weight: below the
# 2.9 a word the reader typed counts in all four, so exact matches rank first.
# On the news known-item test (the default list widens 293 of its 1,000
# queries) MRR@10 is 0.7070 at 0.2, 0.7071 at 0.3, 0.7067 off; 0.1 cost 0.0006.
SYNONYM_WEIGHT = 0.2


# A field's terms in order, joined by single spaces (terms never hold white
# space): one string crosses a process or the network far cheaper than a list.
# The SIGNATURE's hashes come the same way, computed where the analysis runs.
Streams = dict[str, str]


def term_streams(streams: FieldStreams) -> Streams:
    """The term stream of every search field, and the SIGNATURE, of one document
    (``analysis.field_streams``)."""
    return {
        STEM: streams.stem,
        EXACT: streams.exact,
        ROOT: streams.root,
        LEAD: streams.lead,
        TITLE: streams.title,
        SIGNATURE: story_signature(streams),
    }


def story_signature(streams: FieldStreams) -> str:
    """The SIGNATURE of the body's words (the exact stream past the title's), or of
    the title's for a headline: sites rewrite an agency story's title, not its body."""
    return stream_signature(streams.exact, len(streams.title.split()))
