"""Shared fixtures: the real seed page and indexes built from it through the real path."""

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
SEED_PAGE = next(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PAGE.read_text(encoding="utf-8")
