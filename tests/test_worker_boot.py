"""A serving worker's boot: warm first, then its heap frozen (BAHTH_GC_FREEZE)."""

import gc

import pytest

from search_api.app import get_app


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_freezes_its_warm_heap(unfrozen, monkeypatch, tmp_path):
    monkeypatch.setenv("BAHTH_INDEX_DIR", str(tmp_path / "no-index-yet"))
    get_app()
    assert gc.get_freeze_count() > 0


def test_freezing_can_be_turned_off(unfrozen, monkeypatch, tmp_path):
    monkeypatch.setenv("BAHTH_INDEX_DIR", str(tmp_path / "no-index-yet"))
    monkeypatch.setenv("BAHTH_GC_FREEZE", "0")
    get_app()
    assert gc.get_freeze_count() == 0
