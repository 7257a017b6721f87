"""The layering of docs/architecture.md holds: each layer imports only the layers before it.

criteria_grammar → dart.store → dart.sources → dart.compiler → dart.analysis / dart.recruitment →
dart.app → dart.web / dart.cli → dashboards. Nothing below dart.web imports Flask or Dash: the
application layer (dart.app) holds no Flask, dart.web may import it but not the reverse.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# layer of a module prefix (longest prefix wins) and the highest layer it may import
LAYERS = {
    "criteria_grammar": 0,
    "dart.store": 1,
    "dart.reports": 1,
    "dart.sources": 1.5,
    "dart.compiler": 2,
    "dart.analysis": 3,
    "dart.recruitment": 3,
    "dart.app": 3.5,
    "dart.web": 4,
    "dart.cli": 4,
    "dashboards": 5,
}
WEB_ONLY = ("flask", "dash", "werkzeug", "waitress")


def layer_of(module: str) -> int | None:
    matches = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    return LAYERS[max(matches, key=len)] if matches else None


def modules():
    for package in ("criteria_grammar", "dart", "dashboards"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module,path", list(modules()), ids=lambda v: str(v))
def test_imports_respect_layers(module, path):
    own = layer_of(module)
    if own is None:  # the top-level dart package itself
        return
    for imported in imports(path):
        other = layer_of(imported)
        if other is not None:
            assert other <= own or (own == 3 and other == 3), f"{module} imports {imported}"
        if own < 4:
            assert imported.split(".")[0] not in WEB_ONLY, f"{module} imports {imported}"
        if own == 0:
            assert not imported.startswith("dart"), f"{module} imports {imported}"
