"""Criteria syntax tree → one SQLAlchemy Core query, the same for every engine.

Public API::

    compile_criteria(criteria, library, index_date) -> CompiledCriteria
    resolve_index_date(criteria, bind) -> date
    prepare(bind, criteria, library=None, index_date=None) -> Prepared
    explain(criteria, index_date=None) -> list[str]
    record_atoms(criteria, condition, library, index_date) -> list[RecordAtom]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar import nodes
from dart.compiler.atoms import CompileError
from dart.compiler.english import describe, explain
from dart.compiler.query import CompiledCriteria, RuleInfo, SplitRules, compile_criteria
from dart.compiler.records import RecordAtom, record_atoms
from dart.sources import Source
from dart.sources.native import NATIVE


def resolve_index_date(criteria: nodes.Criteria, bind: sa.Engine | sa.Connection,
                       source: Source = NATIVE) -> dt.date:
    """The file's ``index date``, else the store's extract date (read through ``bind``)."""
    if criteria.index_date is not None:
        return criteria.index_date
    from dart.store.engine import StoreError

    value = source.extract_date(bind)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    if not value:
        raise StoreError("the store has no extract_date and the criteria no 'index date'")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise StoreError(f"the store's extract_date {value!r} is not YYYY-MM-DD") from None


@dataclass(frozen=True)
class Prepared:
    """A criteria file ready to run: parsed, checked, compiled at its index date."""

    criteria: nodes.Criteria
    library: Mapping
    compiled: CompiledCriteria

    @property
    def index_date(self) -> dt.date:
        return self.compiled.index_date


def prepare(bind: sa.Engine | sa.Connection, criteria: nodes.Criteria | str,
            library: Mapping | None = None, *, index_date: dt.date | None = None,
            source: Source = NATIVE) -> Prepared:
    """The one way every analysis starts: parse (if text), check against ``library`` (default:
    the shipped codelists) and the store (the ODS codes of ``practice in``), resolve the
    index date (the file's, else the store's extract date, unless ``index_date`` is given)
    and compile over ``source``. Raises
    ``CriteriaError``/``StoreError``.
    Pass the connection the statement will run on, so the store is opened once (an open of
    a DuckDB file costs ~20-30 ms, docs/performance.md).
    """
    from criteria_grammar import check, parse
    from dart.sources.coverage import check_practices, ensure_recruitment_tables
    from dart.store.codelists import load_library

    if isinstance(criteria, str):
        criteria = parse(criteria)
    library = load_library() if library is None else library
    check(criteria, library)
    ensure_recruitment_tables(bind, source, criteria)  # before the connection reads
    check_practices(bind, source, criteria)  # ODS codes need the store: checked here
    index_date = index_date or resolve_index_date(criteria, bind, source)
    return Prepared(criteria, library, compile_criteria(criteria, library, index_date, source))


__all__ = ["CompileError", "CompiledCriteria", "Prepared", "RuleInfo", "SplitRules",
           "RecordAtom", "compile_criteria", "describe", "explain", "prepare", "record_atoms",
           "resolve_index_date"]
