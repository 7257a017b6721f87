"""Age ranges as the criteria language compares ages, for the analyses that restrict a
population to a trial's ages (representativeness) without writing a criteria node."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from criteria_grammar import nodes
from dart.compiler.atoms import age_test


def age_within(dob: sa.ColumnElement, low: int | None, high: int | None,
               index: dt.date) -> sa.ColumnElement[bool] | None:
    """Whole-year ages ``low``..``high`` inclusive on ``index`` (``None``: unbounded), as
    comparisons of ``dob`` with bound birth cut-off dates, exactly as ``age >= low`` and
    ``age <= high`` compile; ``None`` when both ends are open."""
    bounds = [age_test(dob, nodes.Compare(op, value), index)
              for op, value in ((">=", low), ("<=", high)) if value is not None]
    return sa.and_(*bounds) if bounds else None
