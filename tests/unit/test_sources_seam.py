"""No module outside ``dart.sources`` names a physical record table.

The compiler, the analyses, recruitment, the web app and the CLI read records through a
source (``dart.sources``); only the store's own schema, its generator, its application
tables and the sources themselves may name ``patient``, ``practice``, ``observation``,
``prescription`` or ``invitation`` of ``dart.store.schema``.
"""

from __future__ import annotations

import ast

import pytest

from tests.unit.test_layers import ROOT, modules

RECORD_TABLES = {"patient", "practice", "observation", "prescription", "invitation"}
ALLOWED = ("dart.sources", "dart.store.schema", "dart.store.generate", "dart.store.app_tables")


def named_tables(path) -> list[str]:
    """Record tables ``path`` takes from the schema: imported by name, ``schema.X`` or
    ``metadata.tables["X"]``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "dart.store.schema":
            found += [a.name for a in node.names if a.name in RECORD_TABLES]
        elif (isinstance(node, ast.Attribute) and node.attr in RECORD_TABLES
              and isinstance(node.value, ast.Name) and node.value.id == "schema"):
            found.append(node.attr)
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "tables" and isinstance(node.slice, ast.Constant)
              and node.slice.value in RECORD_TABLES):
            found.append(node.slice.value)
    return found


@pytest.mark.parametrize("module,path", [m for m in modules()
                                         if not m[0].startswith(ALLOWED)],
                         ids=lambda v: str(v))
def test_no_physical_record_table_outside_the_sources(module, path):
    assert named_tables(path) == [], f"{module} names {named_tables(path)}"


def test_the_check_finds_what_it_looks_for():
    # The sources do name the tables: if this found nothing, the test above proved nothing.
    assert set(named_tables(ROOT / "dart" / "sources" / "native.py")) >= {
        "patient", "practice", "observation", "prescription", "invitation"}
