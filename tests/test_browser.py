"""The search page in a real headless Chromium against a real gunicorn."""

import re
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright

from tests.conftest import PROJECT
from tests.fixtures_api import build_index
from tests.fixtures_api import gunicorn

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT / "test-artifacts"
RESIGNATION = "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا"


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def server(tmp_path_factory, engine):
    index_dir = build_index(tmp_path_factory.mktemp("browser-index"), engine=engine)
    with gunicorn(index_dir, tmp_path_factory.mktemp("browser-log")) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class Tab:
    page: Page
    base: str
    problems: list = field(default_factory=list)  # script errors, CSP violations, dialogs

    def open(self, query: str = ""):
        self.page.goto(self.base + "/" + query)

    def params(self) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(locale="ar", viewport={"width": 900, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(5000)
    opened = Tab(page, server.url)
    page.on("console", lambda msg: msg.type == "error" and opened.problems.append(msg.text))
    page.on("pageerror", lambda exc: opened.problems.append(f"page error: {exc}"))

    def on_dialog(dialog):  # nothing on this page opens a dialog: one is injected script
        opened.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield opened
    context.close()


def test_typed_query_with_diacritics_finds_the_headline(tab):
    tab.open()
    box = tab.page.locator("#q")
    box.press_sequentially("اِسْتِقَالَة")
    with tab.page.expect_navigation():
        box.press("Enter")
    assert tab.params()["q"] == "اِسْتِقَالَة"
    first = tab.page.locator(".hit").first
    expect(first.locator("h2")).to_have_text(RESIGNATION)
    expect(first.locator("mark")).to_have_text("استقالة")
    expect(first.locator(".kind")).to_have_text("عنوان")
    expect(box).to_have_value("اِسْتِقَالَة")  # the query stays in the box
    assert tab.problems == []


def test_paginates_forward_and_back(tab):
    tab.open("?q=" + quote("السورية") + "&kind=headline&per_page=2")
    first_page = tab.page.locator(".hit h2").all_inner_texts()
    assert len(first_page) == 2
    tab.page.get_by_role("link", name=re.compile("التالي")).click()
    tab.page.wait_for_url(re.compile(r"page=2"))
    assert tab.params() == {"q": "السورية", "kind": "headline", "per_page": "2", "page": "2"}
    expect(tab.page.locator(".pager .where")).to_have_text("الصفحة 2 من 2")
    second_page = tab.page.locator(".hit h2").all_inner_texts()
    assert len(second_page) == 2 and not set(first_page) & set(second_page)
    expect(tab.page.locator("select[name=kind]")).to_have_value("headline")  # kept in the form
    tab.page.get_by_role("link", name=re.compile("السابق")).click()
    tab.page.wait_for_url(re.compile(r"per_page=2$"))
    assert tab.params() == {"q": "السورية", "kind": "headline", "per_page": "2"}
    assert tab.page.locator(".hit h2").all_inner_texts() == first_page
    assert tab.problems == []


@pytest.mark.parametrize("attack", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_injected_markup_stays_text(tab, attack):
    tab.open("?q=" + quote(attack))
    expect(tab.page.locator("#q")).to_have_value(attack)
    expect(tab.page.locator(".empty bdi")).to_have_text(attack)
    assert tab.page.locator("main script, main img").count() == 0
    tab.page.wait_for_timeout(200)  # give a stray handler the chance to fire
    assert tab.problems == []


def test_suggestions_appear_while_typing(tab):
    tab.open()
    tab.page.locator("#q").press_sequentially("است", delay=40)
    tab.page.wait_for_selector('#suggestions option[value="استقالة"]', state="attached")
    options = tab.page.locator("#suggestions option")
    values = options.evaluate_all("options => options.map(o => o.value)")
    assert RESIGNATION in values and all(value.startswith("است") for value in values)
    assert tab.problems == []


def test_a_latin_query_is_searched_in_arabic_and_offered_as_typed(tab, engine):
    tab.open("?q=madaniyeen")
    expect(tab.page.locator(".transliterated strong")).to_have_text("مدنيين")
    expect(tab.page.locator(".hit mark", has_text="المدنيين").first).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(SCREENSHOTS / f"transliterated-{engine}.png"), full_page=True)
    tab.page.get_by_role("link", name=re.compile("كما كُتب")).click()
    tab.page.wait_for_url(re.compile(r"transliterate=off"))
    assert tab.params() == {"q": "madaniyeen", "transliterate": "off"}
    expect(tab.page.locator(".empty bdi")).to_have_text("madaniyeen")
    assert tab.page.locator(".transliterated").count() == 0
    assert tab.problems == []


def test_screenshot_of_results(tab, engine):
    tab.open("?q=" + quote("الثورة السورية"))
    expect(tab.page.locator(".hit").first).to_be_visible()
    assert tab.page.locator(".hit mark").count() >= 3
    direction = tab.page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"
    mark = tab.page.locator(".hit mark").first
    # The soft yellow of style.css: the stylesheet loaded despite the CSP.
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(255, 241, 166)"
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(SCREENSHOTS / f"search-page-{engine}.png"), full_page=True)
    assert tab.problems == []


def _styled(tab) -> bool:
    """The stylesheet applied: body's max-width comes from style.css only."""
    return tab.page.evaluate("getComputedStyle(document.body).maxWidth") != "none"


def _only_the_pages_own_status(tab, status: str) -> None:
    """Chromium logs an error page's status as a console error; anything more is a problem."""
    assert tab.problems == [
        f"Failed to load resource: the server responded with a status of {status}"
    ]


def test_an_unknown_address_is_an_arabic_page_with_the_search_box(tab):
    response = tab.page.goto(tab.base + "/no-such-page")
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    expect(tab.page.locator(".error")).to_contain_text("الصفحة المطلوبة غير موجودة")
    assert tab.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert _styled(tab)
    box = tab.page.locator("#q")
    box.fill("استقالة")
    with tab.page.expect_navigation():
        box.press("Enter")
    expect(tab.page.locator(".hit h2").first).to_have_text(RESIGNATION)
    _only_the_pages_own_status(tab, "404 (Not Found)")


def test_a_bad_date_range_is_explained_in_arabic(tab):
    response = tab.page.goto(tab.base + "/?q=" + quote("سوريا") + "&from=2024-05-01&to=2024-01-01")
    assert response.status == 400
    error = tab.page.locator(".error")
    expect(error).to_contain_text("في الطلب قيمة غير صالحة")
    expect(error.locator(".detail")).to_have_text(
        "تاريخ «إلى» يسبق تاريخ «من». اجعله بعده أو مثله."
    )
    assert not re.search(r"[A-Za-z]", error.inner_text())  # no English for the reader
    expect(tab.page.locator("#q")).to_have_value("سوريا")
    assert _styled(tab)
    _only_the_pages_own_status(tab, "400 (Bad Request)")


def test_a_query_too_long_for_gunicorns_default_is_answered_by_the_page(tab):
    response = tab.page.goto(tab.base + "/?q=" + quote(("استقالة مصطفى كواية " * 100)[:2000]))
    assert response.status == 400
    expect(tab.page.locator(".error")).to_contain_text("نص البحث طويل جدًا")
    assert _styled(tab)  # its stylesheet came too, though the page's URL is 10 KB long
    _only_the_pages_own_status(tab, "400 (Bad Request)")


def test_a_hits_related_articles_link_works_without_javascript(browser, server):
    context = browser.new_context(locale="ar", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        page.goto(server.url + "/?q=" + quote("استقالة"))
        first = page.locator(".hit").first
        expect(first.locator("h2")).to_have_text(RESIGNATION)
        with page.expect_navigation():
            first.locator("a.related").click()
        assert urlsplit(page.url).path == "/related"
        expect(page.locator(".related-to h1")).to_have_text(RESIGNATION)
        # the seed page's one article holds none of its words: none is related
        expect(page.locator(".empty")).to_contain_text("لا توجد مقالات ذات صلة")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    finally:
        context.close()
