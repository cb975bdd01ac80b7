"""The layers stay layers: the analysis and the engines know neither path, and the read
path (a query) and the write path (a document) know nothing of each other."""

import ast
from pathlib import Path

import pytest

INDEXER = Path(__file__).resolve().parents[1] / "indexer"
# package → the packages its modules must not import
FORBIDDEN = {
    "analysis": ("indexer.read", "indexer.write", "indexer.engines"),
    "engines": ("indexer.read", "indexer.write"),
    "read": ("indexer.write",),
    "write": ("indexer.read",),
}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_only_what_is_beneath_it(package):
    modules = sorted((INDEXER / package).rglob("*.py"))
    assert modules
    crossing = [
        f"{module.relative_to(INDEXER)} imports {name}"
        for module in modules
        for name in sorted(imported(module))
        if any(name == layer or name.startswith(layer + ".") for layer in FORBIDDEN[package])
    ]
    assert crossing == []


def test_the_check_sees_an_import_across_the_layers(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from indexer.read import Searcher\nimport indexer.write.reindex\n")
    assert {"indexer.read.Searcher", "indexer.write.reindex"} <= imported(module)
