"""A full rebuild's Whoosh writer writes the index Whoosh's own writer writes: the seed
page and real Arabic sentences, indexed both ways, hold the same terms, postings,
statistics, stored fields and columns, in one segment or several."""

import pytest
from whoosh import index

from indexer import analysis
from indexer import schema
from indexer.document import Document
from indexer.engines.base import EngineQuery
from indexer.engines.base import Filters
from indexer.engines.base import PhraseClause
from indexer.engines.base import TermClause
from indexer.engines.whoosh_engine import WhooshReader
from indexer.engines.whoosh_engine import whoosh_fields
from indexer.engines.whoosh_engine import whoosh_schema
from indexer.engines.whoosh_postings import RebuildWriter
from indexer.write.ingest.sources import read_sources
from indexer.write.pipeline import document_streams
from tests.conftest import SEEDS
from tests.test_engines import FEED


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    analysis.use("python")
    docs = [r for r in read_sources([SEEDS]) if isinstance(r, Document)]
    docs += [
        Document(id=r["id"], kind="article", title=r["title"], body=r["text"], source=r["source"])
        for r in FEED
    ]
    streamed = [(doc, document_streams(doc.title, doc.body)) for doc in docs]
    return [whoosh_fields(doc, streams) for doc, streams in streamed if streams]


def whooshs_own(path, documents):
    path.mkdir()
    ix = index.create_in(str(path), whoosh_schema())
    writer = ix.writer()
    for fields in documents:
        writer.add_document(**fields)
    writer.commit()
    return ix


def rebuilt(path, documents, segment_postings=10**9):
    path.mkdir()
    ix = index.create_in(str(path), whoosh_schema())
    writer = RebuildWriter(ix, schema.SEARCH_FIELDS, segment_postings)
    for fields in documents:
        writer.add_document(fields)
    writer.commit()
    return index.open_dir(str(path))


def postings(reader, field, term) -> list:
    matcher, found = reader.postings(field, term), []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value(), matcher.block_max_weight()))
        matcher.next()
    return found


def term_statistics(info) -> dict:
    # Not where its postings are, nor their size (short blocks are left uncompressed).
    return {k: v for k, v in vars(info).items() if k not in ("_offset", "_length")}


def test_rebuild_writes_the_index_whoosh_writes(tmp_path, documents):
    own = whooshs_own(tmp_path / "own", documents).reader()
    ours = rebuilt(tmp_path / "ours", documents).reader()
    assert ours.doc_count_all() == own.doc_count_all() == len(documents) > 16
    terms = list(own.all_terms())
    assert list(ours.all_terms()) == terms
    assert {f for f, _ in terms} >= {*schema.SEARCH_FIELDS, "id", "date"}
    for field, term in terms:
        assert term_statistics(ours.term_info(field, term)) == term_statistics(
            own.term_info(field, term)
        ), (field, term)
        assert postings(ours, field, term) == postings(own, field, term), (field, term)
    for docnum in range(own.doc_count_all()):
        assert ours.stored_fields(docnum) == own.stored_fields(docnum)
    for name in own.schema.names():
        if own.has_column(name):
            assert list(ours.column_reader(name)) == list(own.column_reader(name)), name
        if own.schema[name].scorable:
            assert ours.field_length(name) == own.field_length(name)
            assert ours.max_field_length(name) == own.max_field_length(name)


def test_several_segments_rank_as_one(tmp_path, documents):
    one = rebuilt(tmp_path / "one", documents)
    several = rebuilt(tmp_path / "several", documents, segment_postings=200)
    assert len(several._segments()) > 2 and len(one._segments()) == 1
    stems = document_streams("النفط السوري", "")["stem"].split()
    query = EngineQuery(
        should=(
            *(TermClause(schema.STEM, s) for s in stems),
            *(TermClause(schema.ROOT, s, 1.3) for s in stems),
            PhraseClause(schema.STEM, tuple(stems), 0.2),
        )
    )
    results = [
        WhooshReader(ix).search(query, Filters(), "relevance", 0, 10, 5.0) for ix in (one, several)
    ]
    assert results[0].total > 3
    assert [(h.id, h.score) for h in results[1].hits] == [(h.id, h.score) for h in results[0].hits]
