"""The layering of docs/architecture.md holds: each layer imports only the layers before it.

dart_vocab → criteria_grammar → dart.store → dart.sources → dart.compiler → dart.analysis /
dart.recruitment → dart.reports → dart.app → dart.web / dart.cli → dashboards.
Nothing below dart.web imports Flask or Dash: the application layer (dart.app) holds no
Flask, dart.web may import it but not the reverse.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# layer of a module prefix (longest prefix wins) and the highest layer it may import
LAYERS = {
    "dart_vocab": -1,  # the closed vocabularies: stdlib only, below the language and the store
    "criteria_grammar": 0,
    "dart.store": 1,
    "dart.sources": 1.5,
    "dart.compiler": 2,
    "dart.analysis": 3,
    "dart.recruitment": 3,
    "dart.reports": 3.25,  # reads the analyses' results; the application layer may use it
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
    for package in ("dart_vocab", "criteria_grammar", "dart", "dashboards"):
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
        if own <= 0:
            assert imported.split(".")[0] != "dart", f"{module} imports {imported}"


def _package_of(module: str) -> str:
    """The package that holds ``module`` (itself, if it is a package)."""
    path = ROOT.joinpath(*module.split("."))
    return module if (path / "__init__.py").exists() else module.rpartition(".")[0]


def imported_names(path: Path):
    """(module, name or None) for every absolute import of the file, lazy ones included."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from ((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.module, alias.name) for alias in node.names)


def private_owner(module: str, name: str | None) -> str | None:
    """The package a private (``_``-prefixed) module or name belongs to, or None."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    if name and name.startswith("_") and not name.startswith("__"):
        return _package_of(module)
    return None


@pytest.mark.parametrize("module,path", list(modules()), ids=lambda v: str(v))
def test_no_import_of_another_packages_private_parts(module, path):
    for imported, name in imported_names(path):
        owner = private_owner(imported, name)
        if owner is not None and layer_of(imported) is not None:
            assert module == owner or module.startswith(owner + "."), \
                f"{module} imports the private {imported}.{name or ''} of {owner}"


@pytest.mark.parametrize("module,path", list(modules()), ids=lambda v: str(v))
def test_other_packages_use_the_compilers_public_interface(module, path):
    # What the analyses and recruitment need from the compiler is exported by dart.compiler
    # (documented in docs/architecture.md); its modules are its own business.
    if module == "dart.compiler" or module.startswith("dart.compiler."):
        return
    for imported, _name in imported_names(path):
        assert not imported.startswith("dart.compiler."), \
            f"{module} imports {imported}: import it from dart.compiler"


def test_the_private_check_sees_private_modules_and_names():
    assert private_owner("dart.compiler._x", "y") == "dart.compiler"
    assert private_owner("dart.compiler.atoms", "_helper") == "dart.compiler"
    assert private_owner("dart.compiler", "_helper") == "dart.compiler"
    assert private_owner("dart.compiler.atoms", "age_test") is None
