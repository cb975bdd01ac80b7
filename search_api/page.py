"""The search page at ``/``: right-to-left Arabic HTML rendered on the server.

It works with JavaScript off (``/?q=…`` is a complete results page);
``/static/app.js`` only adds completions.  The templates in ``templates/``
escape everything (Jinja2's autoescape) except ``title_html`` and
``snippet``, which the Searcher returns as escaped HTML with ``<mark>``s.
Errors are told in Arabic: the JSON API's codes map to the texts below.
"""

import calendar
import math
import re
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import urlencode
from urllib.parse import urlsplit

import falcon
import jinja2

from indexer.engines.base import FACETS
from indexer.errors import BadQuery
from indexer.read import SearchRequest
from indexer.read import SearchResponse
from indexer.read import Searcher
from search_api.resources import Readable
from search_api.resources import query_request
from search_api.resources import related_request

PATH = "/"
RELATED_PATH = "/related"  # ?id=: the articles related to one, linked from each hit
PATHS = (PATH, RELATED_PATH)  # the pages, whose errors are told as pages too
DEFAULT_PER_PAGE = SearchRequest.per_page
KIND_LABELS = {"headline": "عنوان", "article": "مقال"}
KIND_CHOICES = {"": "كل الأنواع", "headline": "العناوين", "article": "المقالات"}
SORT_CHOICES = {"relevance": "الأكثر صلة", "date": "الأحدث أولًا"}
# The facets beside the results: each a list of links that narrow the search.
FACET_LABELS = {"source": "المصدر", "section": "القسم"}
DATE_LABELS = {"month": "التاريخ (حسب الشهر)", "day": "التاريخ (حسب اليوم)"}
# What a reader is told for each code of indexer.errors.API_ERRORS.
ERROR_TEXT = {
    "invalid_parameter": "في الطلب قيمة غير صالحة. عدّل خيارات البحث وحاول مجددًا.",
    "query_too_long": "نص البحث طويل جدًا. اختصره وحاول مجددًا.",
    "text_too_long": "النص طويل جدًا. اختصره وحاول مجددًا.",
    "page_too_deep": "لا نعرض النتائج بعد هذا العمق. ضيّق البحث بكلمات أدق.",
    "invalid_body": "تعذّرت قراءة الطلب. أعد البحث من النموذج.",
    "bad_request": "تعذّرت قراءة الطلب. أعد البحث من النموذج.",
    "not_found": "الصفحة المطلوبة غير موجودة. ابحث عمّا تريد من هنا.",
    "method_not_allowed": "لا تقبل هذه الصفحة هذا النوع من الطلبات.",
    "request_too_large": "الطلب أطول من المسموح. اختصر نص البحث وحاول مجددًا.",
    "unsupported_media_type": "تعذّرت قراءة الطلب. أعد البحث من النموذج.",
    "request_header_too_large": "الطلب أطول من المسموح. اختصر نص البحث وحاول مجددًا.",
    "internal_error": "حدث خطأ غير متوقع. حاول مجددًا بعد قليل.",
    "index_unavailable": "البحث غير متاح الآن: الفهرس قيد الإعداد. حاول بعد قليل.",
    "index_incompatible": "البحث غير متاح الآن: الفهرس قيد التحديث. حاول بعد قليل.",
}
# Which field of the form was wrong, and how (BadQuery's parameter and rule).
FIELD_LABELS = {
    "q": "نص البحث",
    "page": "الصفحة",
    "per_page": "عدد النتائج في الصفحة",
    "kind": "النوع",
    "sort": "الترتيب",
    "from": "من",
    "to": "إلى",
    "source": "المصدر",
    "transliterate": "قراءة الحروف اللاتينية",
    "section": "القسم",
    "facets": "التصنيفات",
    "collapse": "تجميع النسخ",
    "limit": "عدد المقالات",
}
RULE_TEXT = {
    "type": "يجب أن تكون قيمة «{field}» عددًا صحيحًا.",
    "boolean": "يجب أن تكون قيمة «{field}» true أو false.",
    "range": "قيمة «{field}» خارج الحدود المسموح بها.",
    "enum": "قيمة «{field}» ليست من الخيارات المعروضة.",
    "format": "يجب أن تكون قيمة «{field}» تاريخًا صحيحًا (سنة-شهر-يوم).",
    "order": "تاريخ «إلى» يسبق تاريخ «من». اجعله بعده أو مثله.",
    "pattern": "قيمة «{field}» ليست من الخيارات المعروضة.",
}

_TAG = re.compile(r"<[^>]+>")
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)  # they change with a release, not while serving


class PageResource(Readable):
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        request = query_request(req, self.searcher)
        request.validate(self.searcher.settings)  # the empty search box too: ?to=soon is wrong
        # The page always shows the facets; its links leave the parameter out.
        faceted = replace(request, facets=",".join(FACETS))
        response = self.searcher.search(faceted) if request.q.strip() else None
        resp.content_type = falcon.MEDIA_HTML
        resp.text = _render(
            "search.html",
            request,
            autofocus=response is None,
            response=response,
            **_results(request, response),
        )


class RelatedPageResource(Readable):
    """``/related?id=``: the articles related to one document, a page of its own."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        doc_id = req.get_param("id")
        if not doc_id:
            raise BadQuery("invalid_parameter", "id is required", "id", "required")
        response = self.searcher.related(related_request(req, doc_id))
        source = {"title": response.title, "url": _safe_url(response.url)}
        resp.content_type = falcon.MEDIA_HTML
        resp.text = _render(
            "related.html",
            SearchRequest(),
            autofocus=False,
            source=source,
            hits=[_hit(hit) for hit in response.hits],
        )


def render_error(
    req, resp, code: str, parameter: str | None = None, rule: str | None = None
) -> None:
    """An error as a page: the form again and what went wrong, in Arabic."""
    # The other parameters may be what was wrong: keep only the query in the form.
    request = SearchRequest(req.get_param("q") or "")
    detail = RULE_TEXT.get(rule, "") if parameter in FIELD_LABELS else ""
    resp.content_type = falcon.MEDIA_HTML
    resp.text = _render(
        "error.html",
        request,
        autofocus=code == "not_found",
        text=ERROR_TEXT.get(code, ERROR_TEXT["internal_error"]),
        detail=detail.format(field=FIELD_LABELS.get(parameter)),
    )


def _render(template: str, request: SearchRequest, **values) -> str:
    return _templates.get_template(template).render(
        request=request,
        kinds=KIND_CHOICES,
        sorts=SORT_CHOICES,
        default_per_page=DEFAULT_PER_PAGE,
        **values,
    )


def _results(request: SearchRequest, response: SearchResponse | None) -> dict:
    if response is None:
        return {}

    def link(**changes) -> str:
        """The page URL for ``request`` with ``changes``, defaults left out."""
        values = {
            "q": request.q,
            "kind": request.kind,
            "sort": request.sort,
            "from": request.date_from,
            "to": request.date_to,
            "source": request.source,
            "section": request.section,
            "per_page": request.per_page,
            "page": request.page,
            "transliterate": request.transliterate,
            "collapse": None if request.collapse else "false",
        } | changes
        defaults = {
            "sort": "relevance",
            "per_page": DEFAULT_PER_PAGE,
            "page": 1,
            "transliterate": SearchRequest.transliterate,
        }
        pairs = [(k, v) for k, v in values.items() if v not in (None, "") and defaults.get(k) != v]
        return f"{PATH}?{urlencode(pairs)}"

    return {
        "link": link,
        "hits": [_hit(hit) for hit in response.hits],
        "pages": math.ceil(response.total / request.per_page),
        "facets": _facet_groups(request, response, link),
    }


def _facet_groups(request: SearchRequest, response: SearchResponse, link) -> list[dict]:
    """Each facet as a heading, its values as links that filter by them (the one
    filtered by marked, not linked), and a link back to all values when filtered."""
    if response.facets is None:
        return []
    groups = []
    for name, label in FACET_LABELS.items():
        chosen = getattr(request, name)
        items = [
            {
                "label": value,
                "count": count,
                "href": link(**{name: value, "page": 1}),
                "current": value == chosen,
            }
            for value, count in response.facets.values[name]
        ]
        groups.append(
            {
                "name": name,
                "label": label,
                "choices": items,
                "unfiltered": link(**{name: None, "page": 1}) if chosen else None,
            }
        )
    interval, buckets = response.facets.dates
    chosen = (request.date_from, request.date_to)
    items = []
    for key, count in buckets:
        first, last = date_range(interval, key)
        items.append(
            {
                "label": key,
                "count": count,
                "href": link(**{"from": first, "to": last, "page": 1}),
                "current": (first, last) == chosen,
            }
        )
    dated = request.date_from or request.date_to
    groups.append(
        {
            "name": "date",
            "label": DATE_LABELS[interval],
            "choices": items,
            "unfiltered": link(**{"from": None, "to": None, "page": 1}) if dated else None,
        }
    )
    return [group for group in groups if group["choices"] or group["unfiltered"]]


def date_range(interval: str, key: str) -> tuple[str, str]:
    """The first and last day (YYYY-MM-DD) of a date facet's bucket: a day, or a month YYYY-MM."""
    if interval == "day":
        return key, key
    year, month = int(key[:4]), int(key[5:7])
    return f"{key}-01", f"{key}-{calendar.monthrange(year, month)[1]:02d}"


def _hit(hit: dict) -> dict:
    kind = hit["kind"] if hit["kind"] in KIND_LABELS else "other"
    return hit | {
        "title_html": hit["title_html"] or "بدون عنوان",
        "url": _safe_url(hit["url"]),
        "kind_class": kind,
        "kind_label": KIND_LABELS.get(kind, hit["kind"]),
        "snippet": "" if _repeats_title(hit) else hit["snippet"],
        "also_in": [copy | {"url": _safe_url(copy["url"])} for copy in hit.get("also_in", ())],
        "related": f"{RELATED_PATH}?{urlencode({'id': hit['id']})}",
    }


def _safe_url(url: str | None) -> str | None:
    """Only web links become hrefs: a feed's ``javascript:`` URL must not."""
    if url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
        return url
    return None


def _repeats_title(hit: dict) -> bool:
    """True for a headline's snippet: cut from its title (it has no body), it says nothing new."""
    text = unescape(_TAG.sub("", hit["snippet"])).strip("… ")
    return text in hit["title"]
