"""The search page at ``/``: right-to-left Arabic HTML rendered on the server.

It works with JavaScript off (``/?q=…`` is a complete results page);
``/static/app.js`` only adds completions.  Everything from the request or the
index is escaped here with ``html.escape``, except ``title_html`` and
``snippet``, which the Searcher returns as escaped HTML with ``<mark>``s.
No inline script or style anywhere: the Content-Security-Policy forbids them.
"""

import math
import re
from html import escape
from html import unescape
from string import Template
from urllib.parse import urlencode
from urllib.parse import urlsplit

import falcon

from indexer.search import SearchRequest
from indexer.search import SearchResponse
from indexer.search import Searcher
from search_api.resources import DEFAULT_PER_PAGE
from search_api.resources import search_request

PATH = "/"
KIND_LABELS = {"headline": "عنوان", "article": "مقال"}
KIND_CHOICES = {"": "كل الأنواع", "headline": "العناوين", "article": "المقالات"}
SORT_CHOICES = {"relevance": "الأكثر صلة", "date": "الأحدث أولًا"}
ERROR_TEXT = {  # what a reader is told; the English detail follows in small print
    "invalid_parameter": "في الطلب قيمة غير صالحة. عدّل خيارات البحث وحاول مجددًا.",
    "query_too_long": "نص البحث طويل جدًا. اختصره وحاول مجددًا.",
    "page_too_deep": "لا نعرض النتائج بعد هذا العمق. ضيّق البحث بكلمات أدق.",
    "index_unavailable": "البحث غير متاح الآن: الفهرس قيد الإعداد. حاول بعد قليل.",
    "index_incompatible": "البحث غير متاح الآن: الفهرس قيد التحديث. حاول بعد قليل.",
    "internal_error": "حدث خطأ غير متوقع. حاول مجددًا بعد قليل.",
}

_TAG = re.compile(r"<[^>]+>")

_LAYOUT = Template("""<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>$title</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="site">
<a class="brand" href="/">بحث</a>
<span class="tagline">في الأخبار والمقالات</span>
</header>
<main>
$form
$content
</main>
<footer class="site">
<a href="/openapi.json">واجهة البرمجة (<bdi>API</bdi>)</a>
</footer>
</body>
</html>
""")

_HELP = """<section class="intro">
<p>ابحث في العناوين والمقالات. لا يمنع التشكيل المطابقة،
وتجد <bdi>استقالة</bdi> أيضًا «الاستقالة».</p>
<ul>
<li><code dir="rtl">"التحالف الدولي"</code> عبارة كاملة بهذا الترتيب</li>
<li><code dir="rtl">النفط -وزير</code> استبعاد كلمة</li>
<li><code dir="ltr">title:النفط</code> في العنوان فقط</li>
</ul>
</section>"""


class PageResource:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def on_get(self, req, resp):
        request = search_request(req)
        resp.content_type = falcon.MEDIA_HTML
        if not request.q.strip():
            resp.text = _page("بحث", _form(request, autofocus=True), _HELP)
            return
        response = self.searcher.search(request)
        resp.text = _page(f"{request.q} — بحث", _form(request), _results(request, response))


def render_error(req, resp, status: int, code: str, message: str) -> None:
    """An error on the page: the form again, the Arabic explanation, the API's detail."""
    # The other parameters may be what was wrong: keep only the query in the form.
    form = _form(SearchRequest(req.get_param("q") or ""))
    text = ERROR_TEXT.get(code, ERROR_TEXT["internal_error"])
    content = (f'<div class="error" role="alert"><p>{escape(text)}</p>'
               f'<p class="detail" lang="en" dir="ltr">{escape(message)}</p></div>')
    resp.content_type = falcon.MEDIA_HTML
    resp.text = _page("خطأ — بحث", form, content)


def _page(title: str, form: str, content: str) -> str:
    return _LAYOUT.substitute(title=escape(title), form=form, content=content)


def _options(choices: dict, selected: str) -> str:
    return "".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices.items()
    )


def _form(request: SearchRequest, autofocus: bool = False) -> str:
    hidden = ""
    if request.source:
        hidden += f'<input type="hidden" name="source" value="{escape(request.source)}">'
    if request.per_page != DEFAULT_PER_PAGE:
        hidden += f'<input type="hidden" name="per_page" value="{request.per_page}">'
    return f"""<form class="search" action="{PATH}" method="get" role="search">
<div class="search-row">
<label class="visually-hidden" for="q">نص البحث</label>
<input id="q" type="search" name="q" value="{escape(request.q)}" dir="auto" list="suggestions"
 autocomplete="off" placeholder="اكتب كلمة أو عبارة…"{" autofocus" if autofocus else ""}>
<button type="submit">ابحث</button>
</div>
<datalist id="suggestions"></datalist>
<div class="filters">
<label>النوع <select name="kind">{_options(KIND_CHOICES, request.kind or "")}</select></label>
<label>الترتيب <select name="sort">{_options(SORT_CHOICES, request.sort)}</select></label>
<label>من <input type="date" name="from" value="{escape(request.date_from or "")}"></label>
<label>إلى <input type="date" name="to" value="{escape(request.date_to or "")}"></label>
</div>
{hidden}</form>"""


def _link(request: SearchRequest, **changes) -> str:
    """The page URL for ``request`` with ``changes``, defaults left out."""
    values = {"q": request.q, "kind": request.kind, "sort": request.sort, "from": request.date_from,
              "to": request.date_to, "source": request.source, "per_page": request.per_page,
              "page": request.page} | changes
    defaults = {"sort": "relevance", "per_page": DEFAULT_PER_PAGE, "page": 1}
    pairs = [(k, v) for k, v in values.items() if v not in (None, "") and defaults.get(k) != v]
    return escape(f"{PATH}?{urlencode(pairs)}")


def _results(request: SearchRequest, response: SearchResponse) -> str:
    parts = []
    if response.suggestion:
        href = _link(request, q=response.suggestion, page=1)
        parts.append(f'<p class="did-you-mean">هل تقصد: <a href="{href}">'
                     f"<bdi>{escape(response.suggestion)}</bdi></a>؟</p>")
    if response.total == 0:
        parts.append(f'<div class="empty"><p>لا توجد نتائج لـ «<bdi>{escape(request.q)}</bdi>».</p>'
                     "<p>تأكد من الإملاء، أو جرّب كلمات أقل أو أعمّ، "
                     "أو أزل خيارات التصفية.</p></div>")
        return "\n".join(parts)
    pages = math.ceil(response.total / request.per_page)
    if response.phrases_relaxed:
        parts.append('<p class="relaxed">لا توجد نتائج للعبارة بين علامتَي التنصيص كما هي؛ '
                     "هذه نتائج كلماتها.</p>")
    parts.append(f'<p class="summary">عدد النتائج: <bdi>{response.total}</bdi></p>')
    if not response.hits:
        parts.append(f'<div class="empty"><p>لا توجد نتائج في هذه الصفحة. '
                     f'<a href="{_link(request, page=1)}">العودة إلى الصفحة الأولى</a></p></div>')
    else:
        items = "\n".join(_hit(hit) for hit in response.hits)
        parts.append(f'<ol class="hits">\n{items}\n</ol>')
    parts.append(_pager(request, pages))
    return "\n".join(parts)


def _safe_url(url: str | None) -> str | None:
    """Only web links become hrefs: a feed's ``javascript:`` URL must not."""
    if url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
        return url
    return None


def _hit(hit: dict) -> str:
    title = hit["title_html"] or "بدون عنوان"
    url = _safe_url(hit["url"])
    heading = f'<a href="{escape(url)}">{title}</a>' if url else title
    kind = hit["kind"] if hit["kind"] in KIND_LABELS else "other"
    meta = [f'<span class="kind kind-{kind}">{escape(KIND_LABELS.get(kind, hit["kind"]))}</span>']
    if hit["date"]:
        date = escape(hit["date"])
        meta.append(f'<time datetime="{date}"><bdi>{date}</bdi></time>')
    if hit["source"]:
        meta.append(f'<span class="source"><bdi>{escape(hit["source"])}</bdi></span>')
    snippet = "" if _repeats_title(hit) else hit["snippet"]
    return (f'<li class="hit">\n<h2 dir="auto">{heading}</h2>\n<p class="meta">{" ".join(meta)}</p>'
            + (f'\n<p class="snippet" dir="auto">{snippet}</p>' if snippet else "") + "\n</li>")


def _repeats_title(hit: dict) -> bool:
    """True for a headline's snippet: cut from its title (it has no body), it says nothing new."""
    text = unescape(_TAG.sub("", hit["snippet"])).strip("… ")
    return text in hit["title"]


def _pager(request: SearchRequest, pages: int) -> str:
    if pages <= 1:
        return ""
    previous = min(request.page - 1, pages)  # past the end, "previous" is the last page
    prev_link, next_link = '<span class="prev"></span>', '<span class="next"></span>'
    if request.page > 1:
        href = _link(request, page=previous)
        prev_link = f'<a class="prev" rel="prev" href="{href}">→ السابق</a>'
    if request.page < pages:
        href = _link(request, page=request.page + 1)
        next_link = f'<a class="next" rel="next" href="{href}">التالي ←</a>'
    where = f'<span class="where">الصفحة <bdi>{request.page}</bdi> من <bdi>{pages}</bdi></span>'
    return f'<nav class="pager" aria-label="صفحات النتائج">{prev_link}{where}{next_link}</nav>'
