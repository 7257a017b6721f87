"""Criteria syntax tree → one SQLAlchemy Core query, the same for every engine.

Public API::

    compile_criteria(criteria, library, index_date) -> CompiledCriteria
    resolve_index_date(criteria, engine) -> date
    explain(criteria, index_date=None) -> list[str]
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from criteria_grammar import nodes
from dart.compiler.atoms import CompileError
from dart.compiler.english import describe, explain
from dart.compiler.query import CompiledCriteria, RuleInfo, compile_criteria


def resolve_index_date(criteria: nodes.Criteria, engine: sa.Engine) -> dt.date:
    """The file's ``index date``, else the store's ``extract_date``."""
    if criteria.index_date is not None:
        return criteria.index_date
    from dart.store.engine import StoreError, store_info

    value = store_info(engine).get("extract_date")
    if not value:
        raise StoreError("the store has no extract_date and the criteria no 'index date'")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise StoreError(f"the store's extract_date {value!r} is not YYYY-MM-DD") from None


__all__ = ["CompileError", "CompiledCriteria", "RuleInfo", "compile_criteria",
           "describe", "explain", "resolve_index_date"]
