"""Criteria syntax tree → one SQLAlchemy Core query, the same for every engine.

Public API::

    compile_criteria(criteria, library, index_date) -> CompiledCriteria
    resolve_index_date(criteria, bind) -> date
    check_criteria(criteria, library=None) -> Checked
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
class Checked:
    """Criteria parsed and checked against ``library``: what ``prepare`` takes without
    checking again (``check_criteria`` makes one)."""

    criteria: nodes.Criteria
    library: Mapping


def check_criteria(criteria: nodes.Criteria | str, library: Mapping | None = None) -> Checked:
    """Parse (if text) and check ``criteria`` against ``library`` (default: the shipped
    codelists), once; raises ``CriteriaError``."""
    from criteria_grammar import check, parse
    from dart.store.codelists import load_library

    if isinstance(criteria, str):
        criteria = parse(criteria)
    library = load_library() if library is None else library
    check(criteria, library)
    return Checked(criteria, library)


@dataclass(frozen=True)
class Prepared:
    """A criteria file ready to run: parsed, checked, compiled at its index date."""

    criteria: nodes.Criteria
    library: Mapping
    compiled: CompiledCriteria

    @property
    def index_date(self) -> dt.date:
        return self.compiled.index_date


def prepare(bind: sa.Engine | sa.Connection,
            criteria: nodes.Criteria | str | Checked | Prepared,
            library: Mapping | None = None, *, index_date: dt.date | None = None,
            source: Source = NATIVE) -> Prepared:
    """The one way every analysis starts: parse (if text), check against ``library`` (default:
    the shipped codelists), resolve the index date (the file's, else the store's extract
    date, unless ``index_date`` is given) and compile over ``source``. Raises
    ``CriteriaError``/``StoreError``.
    ``Checked`` criteria are not checked again, and ``Prepared`` ones are returned as they
    are, so a caller that checked or compiled first (an API request, ``dart count
    --show-sql``) passes that on instead of doing it twice.
    Pass the connection the statement will run on, so the store is opened once (an open of
    a DuckDB file costs ~20-30 ms, docs/performance.md).
    """
    if isinstance(criteria, Prepared):
        return criteria
    checked = criteria if isinstance(criteria, Checked) else check_criteria(criteria, library)
    criteria, library = checked.criteria, checked.library
    index_date = index_date or resolve_index_date(criteria, bind, source)
    return Prepared(criteria, library, compile_criteria(criteria, library, index_date, source))


__all__ = ["Checked", "CompileError", "CompiledCriteria", "Prepared", "RuleInfo", "SplitRules",
           "RecordAtom", "check_criteria", "compile_criteria", "describe", "explain", "prepare",
           "record_atoms", "resolve_index_date"]
