"""The reader's query language, parsed into analysed parts.

    plain words        ranked by how many (and which forms) they match
    "exact phrase"     must appear, words in this order (ASCII double quotes)
    -word  -"phrase"   must not appear
    title:word         must appear in the title (title:"phrase" too)

Parsing never fails: unbalanced quotes or a stray operator are read as plain
words.  Stop words drop out here exactly as they do in documents.

NOTE: «…» and “…” are quotation marks of the text, not phrase operators: a
pasted headline is full of them ("مجلس الأمن يصادق على «الاتفاق النووي»"),
and requiring each quoted part to appear verbatim cost 0.022 MRR@10 on the
news known-item test.  Only the ASCII " a reader types makes a phrase.
"""

import re
from dataclasses import dataclass

from indexer.analysis import Term
from indexer.analysis import analyse

# A clause: optional -, optional title:, then a quoted phrase or a bare word.
_CLAUSE = re.compile(
    r"""(?P<neg>-)?(?P<field>title:)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[Term, ...] = ()  # ranked; phrase and title words included
    phrases: tuple[tuple[Term, ...], ...] = ()  # required, in order
    title_terms: tuple[Term, ...] = ()  # required in the title
    excluded: tuple[tuple[Term, ...], ...] = ()  # each a word or phrase that must not appear

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.title_terms or self.excluded)


def parse_query(text: str) -> ParsedQuery:
    """Parse a reader's query.

    >>> q = parse_query('استقالة "الرئيس السوري" -روسيا title:النفط')
    >>> [t.exact for t in q.words], len(q.phrases), [t.stem for t in q.title_terms]
    (['استقاله', 'الرييس', 'السوري', 'النفط'], 1, ['نفط'])
    """
    words, phrases, title_terms, excluded = [], [], [], []
    for match in _CLAUSE.finditer(text):
        is_phrase = match.group("phrase") is not None
        terms = tuple(analyse(match.group("phrase") if is_phrase else match.group("word")))
        if not terms:
            continue
        if match.group("neg"):
            excluded.append(terms)
            continue
        words.extend(terms)
        if match.group("field"):
            title_terms.extend(terms)
        elif is_phrase and len(terms) > 1:
            phrases.append(terms)
    return ParsedQuery(tuple(words), tuple(phrases), tuple(title_terms), tuple(excluded))
