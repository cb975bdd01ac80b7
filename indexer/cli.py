"""The ``bahth`` command: reindex, search, serve.

Exit codes: 0 done, 1 bad input or a failure (one line on stderr), 2 usage.
"""

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from indexer.english import counted
from indexer.errors import BahthError
from indexer.settings import ENGINES
from indexer.settings import Settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        type=Path,
        dest="index_dir",
        metavar="DIR",
        help="index directory (env BAHTH_INDEX_DIR; default var/index)",
    )
    parser.add_argument(
        "--engine", choices=ENGINES, help="search engine (env BAHTH_ENGINE; default whoosh)"
    )
    parser.add_argument(
        "--opensearch-url",
        metavar="URL[,URL...]",
        help="opensearch engine: the cluster's node URLs "
        "(env BAHTH_OPENSEARCH_URL; default http://127.0.0.1:9200)",
    )
    parser.add_argument(
        "--opensearch-index",
        metavar="NAME",
        help="opensearch engine: the alias the index is served under "
        "(env BAHTH_OPENSEARCH_INDEX; default bahth)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bahth", description="Arabic full-text search.")
    commands = parser.add_subparsers(dest="command", required=True)

    reindex = commands.add_parser("reindex", help="build the index from sources and swap it in")
    reindex.add_argument(
        "sources",
        nargs="*",
        type=Path,
        metavar="SOURCE",
        help=".txt pages, .jsonl(.gz) feeds, .html pages, RSS/Atom feeds or folders "
        "(default: the seeds)",
    )
    _common(reindex)
    reindex.add_argument(
        "--incremental",
        action="store_true",
        help="add, update and delete by id instead of rebuilding",
    )
    reindex.add_argument(
        "--delete",
        action="append",
        default=[],
        metavar="ID",
        help="with --incremental: remove this document (repeatable)",
    )
    reindex.add_argument("--skip-bad", action="store_true", help="skip bad records and count them")
    reindex.add_argument(
        "--workers",
        type=int,
        dest="reindex_workers",
        metavar="N",
        help="analysis processes (default: one per core; 1: none)",
    )
    reindex.add_argument(
        "--synonyms",
        type=Path,
        metavar="FILE",
        help="synonyms file copied into the new index (env BAHTH_SYNONYMS; "
        "default: the news list shipped; an empty file: none)",
    )

    search = commands.add_parser("search", help="search the index")
    search.add_argument("query")
    _common(search)
    search.add_argument("--limit", type=int, default=10, help="results to show (1-100)")
    search.add_argument("--json", action="store_true", help="print the JSON the API returns")

    serve = commands.add_parser("serve", help="serve the JSON API and search page with gunicorn")
    _common(serve)
    serve.add_argument("--bind", default="127.0.0.1:8000", help="address (default 127.0.0.1:8000)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default: one per core, at least 2)"
    )
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "reindex" and args.delete and not args.incremental:
        parser.error("--delete needs --incremental")
    if args.command != "serve":  # gunicorn handles its own signals
        # Ctrl-C stops the command however it was started: a shell starts a
        # background job with SIGINT ignored, and the ignoring is inherited.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        settings = Settings.from_env(
            index_dir=args.index_dir,
            engine=args.engine,
            opensearch_url=args.opensearch_url,
            opensearch_index=args.opensearch_index,
            reindex_workers=getattr(args, "reindex_workers", None),
            synonyms=getattr(args, "synonyms", None),
        )
        return {"reindex": _reindex, "search": _search, "serve": _serve}[args.command](
            settings, args
        )
    except BahthError as exc:
        print(f"bahth: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bahth: interrupted; the serving index is unchanged", file=sys.stderr)
        return 130


def _reindex(settings: Settings, args) -> int:
    from tqdm import tqdm

    from indexer.write.reindex import reindex

    def progress(records):
        # On a terminal only: a bar in a log file is noise.
        return tqdm(records, desc="indexing", unit=" docs", disable=not sys.stderr.isatty())

    def warn(message):
        tqdm.write(f"bahth: {message}", file=sys.stderr)

    # An incremental run that only deletes reads no sources.
    sources = args.sources or ([] if args.delete else [settings.seeds_dir])
    summary = reindex(
        settings,
        sources,
        incremental=args.incremental,
        skip_bad=args.skip_bad,
        delete_ids=args.delete,
        progress=progress,
        warn=warn,
    )
    print(summary.line())
    return 0


def _search(settings: Settings, args) -> int:
    from indexer.read import SearchRequest
    from indexer.read import Searcher

    response = Searcher(settings).search(SearchRequest(args.query, per_page=args.limit))
    if args.json:
        data = response.to_dict()
        keep = ("id", "kind", "title", "score", "date", "url", "source")
        out = {
            "query": data["query"],
            "total": data["total"],
            "transliterated": data["transliterated"],
            "hits": [{k: h[k] for k in keep} for h in data["hits"]],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    searched = f" (searched as {response.transliterated!r})" if response.transliterated else ""
    print(f"{counted(response.total, 'result')} for {response.query!r}{searched}")
    for rank, hit in enumerate(response.hits, 1):
        print(
            f"{rank:3}. [{hit['kind']}] {hit['title'] or hit['id']}  ({hit['score']:.2f}, {hit['id']})"
        )
    return 0


def _serve(settings: Settings, args) -> int:
    from indexer.serving import Server
    from search_api.app import get_app

    # Each worker builds the app from the BAHTH_* variables it inherits.
    os.environ.update(settings.to_env())
    Server(get_app, args.bind, args.workers).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
