"""Shared fixtures: the real seed page, and the engines (a real OpenSearch cluster for one)."""

import itertools
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from indexer.analysis import native
from indexer.read import Searcher
from indexer.settings import Settings
from indexer.write.reindex import reindex

# BAHTH_ANALYSIS=python runs the suite as where the compiled core is not
# installed: in this process, and in the servers and CLIs it starts.
if os.environ.get("BAHTH_ANALYSIS") == "python":
    native.bahth_native = None

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "indexer" / "seeds"
SEED_PAGE = next(SEEDS.glob("*.txt"))

# The seed page's ticker, split by hand: the expected headlines, in order.
SEED_HEADLINES = [
    "طلاء جدران أحد السجون.. عمل ممنهج لطمس جرائم الأسد فماهي القصة؟",
    "أحمد الشرع يلتقي الملياردير السوري وفيق سعيد.. من هو؟",
    "ما الذي جرى في ريف القرداحة؟",
    "وزير النفط السوري: سنبدأ التنقيب عن النفط والغاز في مناطق جديدة خلال أقل من شهر",
    "استقالة مصطفى كواية بعد أيام من انتخابه رئيسًا",
    "مواقف الفنانين السوريين بين الولاء للنظام وتغيير المسار بعد انتصار الثورة",
    "ارتفاع حاد في الرسوم الجمركية عبر المعابر السورية",
    "مرتضى منصور يهاجم الإعلاميين المصريين بسبب موقفهم من القيادة السورية",
    "جنرال إيراني يتهم روسيا بالتقصير في دعم الأسد وتسهيل الهجمات الإسرائيلية",
    "اجتماع أوروبي أميركي في روما حول الوضع في سوريا",
    "“أجاك الدور يا دكتاتور” يتصدر مواقع التواصل في مصر بعد انتصار الثورة السورية",
    "قرار قضائي بإعادة ملاحقة الموقوفين الفارين من السجون",
    "حقول النفط السورية.. تراجع كارثي وأمل في الإحياء",
    "واشنطن تخطط لتخفيف القيود على المساعدات الإنسانية إلى سوريا",
    "اتفاق ينهي التوترات المسلحة في مدينة الصنمين بريف درعا الشمالي",
]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PAGE.read_text(encoding="utf-8")


def write_feed(path: Path, records: list[dict]) -> Path:
    """A JSON Lines feed of ``records`` at ``path``."""
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def searchers(tmp_path_factory, engine_settings, sources: list[Path], check=lambda summary: None):
    """``searcher(engine)``: a Searcher of an index of ``sources`` on ``engine``, built on
    its first call (``check`` given the reindex's summary) and kept."""
    built = {}

    def searcher(engine: str) -> Searcher:
        if engine not in built:
            settings = engine_settings(engine, tmp_path_factory.mktemp(engine))
            check(reindex(settings, sources))
            built[engine] = Searcher(settings)
        return built[engine]

    return searcher


# --- engines ------------------------------------------------------------------------------

ENGINES = ["whoosh", "tantivy", "opensearch"]
CLUSTER = PROJECT / "deploy" / "opensearch" / "cluster"


def pytest_collection_modifyitems(items):
    """Mark ``cluster`` what needs the OpenSearch cluster: a test run on the opensearch
    engine, or one that asks for the cluster itself (not through ``engine_settings``,
    which starts it only for that engine)."""
    for item in items:
        params = getattr(item, "callspec", None)
        on_opensearch = params is not None and "opensearch" in params.params.values()
        asks = (
            "opensearch_cluster" in item.fixturenames and "engine_settings" not in item.fixturenames
        )
        if on_opensearch or asks:
            item.add_marker(pytest.mark.cluster)


class LocalCluster:
    """A real 3-node OpenSearch cluster (deploy/opensearch/cluster) on loopback,
    started when a test first needs it and stopped at the end of the session."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._urls = None
        self._failure = None  # a start that failed is not tried again by every test
        self._indexes = itertools.count(1)

    def urls(self) -> list[str]:
        if self._failure:
            pytest.fail(self._failure)
        if self._urls is None:
            started = time.monotonic()
            done = self.run("start", "--nodes", "3", timeout=400)
            if done.returncode != 0:
                self._failure = f"the opensearch cluster did not start:\n{done.stderr}"
                pytest.fail(self._failure)
            self._urls = done.stdout.strip().split(",")
            print(f"\nopensearch cluster green in {time.monotonic() - started:.1f} s")
        return self._urls

    def settings(self, index_dir: Path, **changes) -> Settings:
        """Settings of a new index of its own (an alias no other test uses) on this cluster."""
        return Settings(
            index_dir=index_dir,
            engine="opensearch",
            opensearch_url=",".join(self.urls()),
            opensearch_index=f"test-{next(self._indexes)}",
            **changes,
        )

    def run(self, *args: str, timeout: float = 200) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(CLUSTER), *args, "--dir", str(self.directory)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def get(self, path: str, node: int = 0):
        with urllib.request.urlopen(self.urls()[node] + path, timeout=60) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if (self.directory / "pids").exists():  # started, even if not green
            done = self.run("stop", timeout=120)
            assert done.returncode == 0, done.stderr
            assert not (self.directory / "pids").exists(), "stop left its pids file"


@pytest.fixture(scope="session")
def opensearch_cluster(tmp_path_factory):
    cluster = LocalCluster(tmp_path_factory.mktemp("opensearch"))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def engine_settings(opensearch_cluster):
    """``make(engine, index_dir, **changes)``: Settings of a new index on ``engine``;
    for opensearch, on the session's cluster (started then, if it is not yet)."""

    def make(engine: str, index_dir: Path, **changes) -> Settings:
        if engine == "opensearch":
            return opensearch_cluster.settings(index_dir, **changes)
        return Settings(index_dir=index_dir, engine=engine, **changes)

    return make
