"""The codelist library: OpenCodelists CSV files, one code set per file.

A file ``sample_data/codelists/<name>.csv`` defines the code set ``<name>``. Its columns are
as OpenCodelists downloads them: ``code,term`` (SNOMED CT), or for dm+d ``dmd_id,dmd_name``
(also ``code,term`` with a ``#system: dmd`` header, or ``type,id,bnf_code,nm``). A leading
comment block (lines starting with ``#``) may declare ``system: snomed|dmd`` and, for a
measurement, ``unit: mmol/mol``; it may also carry ``source:`` lines. A researcher can drop a
downloaded list in unchanged: without a system comment, a ``dmd_id`` or ``id`` column means
dm+d and anything else SNOMED CT.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "codelists"

CODE_COLUMNS = ("code", "dmd_id", "id", "snomedcode", "concept_id")
TERM_COLUMNS = ("term", "dmd_name", "nm", "description")


class CodelistError(Exception):
    """A malformed codelist: names the file and line."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line = path, line
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class Codelist:
    name: str
    system: str  # "snomed" or "dmd"
    codes: tuple[str, ...]
    unit: str | None = None
    terms: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    source: str = field(default="", compare=False)


def parse_codelist(name: str, text: str, path: str = "<codelist>") -> Codelist:
    """Parse one OpenCodelists CSV; raise ``CodelistError`` naming the line at fault."""
    meta: dict[str, str] = {}
    lines = text.splitlines()
    first_data = 0
    for i, line in enumerate(lines):
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep:
                meta.setdefault(key.strip().lower(), value.strip())
            first_data = i + 1
        elif line.strip():
            break
        else:
            first_data = i + 1
    body = lines[first_data:]
    if not body:
        raise CodelistError(path, first_data + 1, "no header row (expected e.g. 'code,term')")
    reader = csv.reader(io.StringIO("\n".join(body)))
    header = [h.strip().lower() for h in next(reader)]
    code_col = next((c for c in CODE_COLUMNS if c in header), None)
    if code_col is None:
        raise CodelistError(
            path, first_data + 1,
            f"no code column in header {header} (expected one of {', '.join(CODE_COLUMNS)})",
        )
    term_col = next((c for c in TERM_COLUMNS if c in header), None)
    system = meta.get("system") or ("dmd" if code_col in ("dmd_id", "id") else "snomed")
    if system not in ("snomed", "dmd"):
        raise CodelistError(path, 1, f"unknown system {system!r} (expected snomed or dmd)")
    codes: list[str] = []
    terms: dict[str, str] = {}
    for offset, row in enumerate(reader):
        lineno = first_data + 2 + offset
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CodelistError(path, lineno, f"expected {len(header)} fields, found {len(row)}")
        record = dict(zip(header, (cell.strip() for cell in row), strict=True))
        code = record[code_col]
        if not code.isdigit():
            raise CodelistError(path, lineno, f"code {code!r} is not a SNOMED CT or dm+d id")
        if code not in terms:
            codes.append(code)
        terms[code] = record.get(term_col, "") if term_col else ""
    if not codes:
        raise CodelistError(path, first_data + 1, "the codelist has no codes")
    return Codelist(name, system, tuple(codes), meta.get("unit") or None, terms,
                    meta.get("source", ""))


def load_codelist(path: Path) -> Codelist:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodelistError(str(path), 1, f"cannot read: {exc}") from None
    return parse_codelist(path.stem, text, str(path))


class CodelistLibrary(Mapping[str, Codelist]):
    """Code sets by name (read-only mapping)."""

    def __init__(self, codelists: Mapping[str, Codelist]):
        self._codelists = dict(codelists)

    def __getitem__(self, name: str) -> Codelist:
        return self._codelists[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codelists)

    def __len__(self) -> int:
        return len(self._codelists)


def load_library(folder: Path | str | None = None) -> CodelistLibrary:
    """Every ``*.csv`` codelist in ``folder`` (default: the shipped library)."""
    root = Path(folder) if folder else LIBRARY_DIR
    return CodelistLibrary({p.stem: load_codelist(p) for p in sorted(root.glob("*.csv"))})
