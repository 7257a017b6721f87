"""Criteria in, results out: checking, feasibility and representativeness for one caller.

The rule every function here keeps: a sponsor or researcher only ever receives a result that
went through disclosure control; only an admin sees exact counts (``roles.reader_policy``).
Criteria that do not parse or check never reach the database; their errors carry line and
column. A request's criteria are checked once (``parse_checked``) and that ``Checked`` is
passed on to the analysis, which does not check them again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from criteria_grammar.errors import CriteriaError
from dart.analysis.disclosure import DisclosurePolicy, apply_disclosure
from dart.analysis.disclosure.memory import Recall
from dart.analysis.feasibility import criteria_hash, run_feasibility
from dart.analysis.feasibility.results import FeasibilityResult
from dart.analysis.representativeness import run_representativeness
from dart.app.accounts import User
from dart.app.errors import BadRequest, TooLarge
from dart.app.roles import reader_policy, sees_exact
from dart.compiler import Checked, check_criteria
from dart.sources import Source
from dart.sources.native import NATIVE

MAX_CRITERIA_BYTES = 64 * 1024


def criteria_error(exc: CriteriaError) -> BadRequest:
    """A 400 whose details hold the error's line, column and caret text."""
    return BadRequest(f"line {exc.line}, column {exc.col}: {exc.message}",
                      code="criteria_error", details={"errors": [exc.to_json()]})


def limit_size(text: str, max_bytes: int = MAX_CRITERIA_BYTES) -> None:
    """Refuse criteria text over the size limit (counted in UTF-8 bytes)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise TooLarge(f"criteria text is {size} bytes; the limit is {max_bytes}",
                       details={"limit_bytes": max_bytes})


def parse_checked(text: str, library: Mapping) -> Checked:
    """The parsed, checked criteria; a ``BadRequest`` (code ``criteria_error``) if not."""
    limit_size(text)
    try:
        return check_criteria(text, library)
    except CriteriaError as exc:
        raise criteria_error(exc) from None


def check_summary(text: str, library: Mapping, extract_date: dt.date | None = None,
                  store: sa.Engine | None = None) -> dict:
    """What ``POST /criteria/check`` answers: valid or not, errors, warnings (probable slips
    that never stop a count; ``extract_date`` adds the index-after-extract one) and what the
    file says. With ``store``, the ODS codes of ``practice in`` are checked against it."""
    from criteria_grammar import check, parse
    from criteria_grammar.advice import advise
    from dart.sources.coverage import check_practices
    from dart.sources.native import NATIVE

    out: dict[str, Any] = {"valid": True, "errors": [], "warnings": [],
                           "criteria_hash": criteria_hash(text)}
    limit_size(text)
    try:
        criteria = parse(text)
    except CriteriaError as exc:
        out.update(valid=False, errors=[exc.to_json()])
        return out
    out["warnings"] = [w.to_json() for w in advise(criteria, library, extract_date)]
    try:
        check(criteria, library)
        if store is not None:
            check_practices(store, NATIVE, criteria)
    except CriteriaError as exc:
        out.update(valid=False, errors=[exc.to_json()])
        return out
    out.update(
        study=criteria.study,
        index_date=criteria.index_date.isoformat() if criteria.index_date else None,
        population=criteria.population.label if criteria.population else None,
        rules=[{"kind": r.kind, "label": r.label} for r in criteria.rules],
        screens=[s.text for s in criteria.screens],
    )
    return out


def feasibility_result(engine: sa.Engine, text: str, library: Mapping,
                       policy: DisclosurePolicy, source: Source = NATIVE, *,
                       up_to_standard: bool = False) -> FeasibilityResult:
    """The exact result of checked criteria text (for every reader: see ``publish``);
    ``up_to_standard``: acceptable patients of up-to-standard practices only."""
    checked = parse_checked(text, library)
    return run_feasibility(engine, checked, keys=policy.keys, source=source,
                           up_to_standard=up_to_standard)


def reader(policy: DisclosurePolicy, user: User, memory: Recall | None) -> DisclosurePolicy:
    """``policy`` for ``user``: exact for an admin; else with ``memory``, the counts the
    deployment published before (``dart.analysis.disclosure.memory``)."""
    used = reader_policy(policy, exact=sees_exact(user.role))
    return dataclasses.replace(used, memory=memory) if used.enabled and memory else used


def publish(result: FeasibilityResult, user: User, policy: DisclosurePolicy,
            memory: Recall | None = None) -> dict:
    """Feasibility JSON: exact for an admin, disclosure-controlled for everyone else."""
    return apply_disclosure(result, reader(policy, user, memory)).to_json()


def representativeness(engine: sa.Engine, user: User, text: str, library: Mapping,
                       policy: DisclosurePolicy, source: Source = NATIVE,
                       memory: Recall | None = None) -> dict:
    """The representativeness report's JSON, disclosure-controlled except for an admin."""
    checked = parse_checked(text, library)
    used = reader(policy, user, memory)
    return run_representativeness(engine, checked, policy=used, source=source).to_json()
