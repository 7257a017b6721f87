"""``run_feasibility``: run the statement and shape its rows into a ``FeasibilityResult``.

Breakdowns over fixed vocabularies list every group in order, zeros included; practices (and
any value outside a vocabulary with eligible patients) follow by code.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from criteria_grammar.nodes import Criteria
from criteria_grammar.vocabulary import (
    AGE_BANDS,
    ENGLISH_REGIONS,
    ETHNIC_GROUPS,
    NATIONS,
    REGIONS,
)
from dart.analysis.feasibility.queries import (
    MAX_PATTERN_RULES,
    PATTERN,
    statements,
    totals_from_failures,
    totals_from_patterns,
)
from dart.analysis.feasibility.results import (
    Cell,
    FeasibilityResult,
    FunnelStep,
    RuleImpact,
    criteria_hash,
)
from dart.compiler import prepare
from dart.sources import Source
from dart.sources.native import NATIVE

SEXES = ("F", "M")
IMD_GROUPS = ("1", "2", "3", "4", "5", "unknown")
# Fixed vocabularies: every group is listed (zeros included) in this order.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "practice": (),
    "region": REGIONS,
    "nation": NATIONS,
    "age_band": AGE_BANDS,
    "sex": SEXES,
    "ethnicity": ETHNIC_GROUPS,
    "imd_quintile": IMD_GROUPS,
}


def region_nation(region: str) -> str:
    """The nation a region lies in (the devolved nations are their own region)."""
    return "England" if region in ENGLISH_REGIONS else region



def run_feasibility(engine: sa.Engine, criteria: Criteria | str, library=None, *,
                    index_date: dt.date | None = None,
                    source: Source = NATIVE) -> FeasibilityResult:
    """Count ``criteria`` (a parsed file, or its text) on the store behind ``engine``.

    ``library`` defaults to the shipped codelist library; ``index_date`` to the file's own,
    else the store's extract date; ``source`` says what kind of store it is. One query
    runs; the result holds exact counts.
    """
    with engine.connect() as conn:  # one open of the store for everything
        ready = prepare(conn, criteria, library, index_date=index_date, source=source)
        compiled = ready.compiled
        results = [conn.execute(s).all() for s in statements(compiled)]
    criteria, index_date = ready.criteria, ready.index_date
    infos, n_rules = compiled.rules, len(compiled.rules)
    if n_rules <= MAX_PATTERN_RULES:
        rows = results[0]
        totals = totals_from_patterns(
            [(int(g), None if p is None else int(p), int(n))
             for dim, g, p, _n, n in rows if dim == PATTERN], n_rules)
        rows = [r for r in rows if r[0] != PATTERN]
    else:
        totals = totals_from_failures([tuple(int(v) for v in r) for r in results[0]],
                                      n_rules)
        rows = results[1]

    funnel, before = [], totals["base"]
    for k, info in enumerate(infos):
        remaining = totals[f"remaining_{k}"]
        funnel.append(FunnelStep(info.label, info.kind, remaining, before - remaining))
        before = remaining
    impact = tuple(RuleImpact(info.label, info.kind, totals[f"impact_{k}"])
                   for k, info in enumerate(infos))
    return FeasibilityResult(
        study=criteria.study,
        index_date=index_date,
        criteria_hash=criteria_hash(criteria.source),
        base=totals["base"],
        eligible=totals["eligible"],
        population=totals["population"],
        population_label=criteria.population.label if criteria.population else None,
        funnel=tuple(funnel),
        unique_impact=impact,
        breakdowns=_breakdowns(rows),
        screens=tuple(s.text for s in criteria.screens),
    )


def _breakdowns(rows) -> dict[str, tuple[Cell, ...]]:
    """Shape the GROUP BY rows: fixed vocabularies in order with zeros, practices by code."""
    found: dict[str, dict[str, Cell]] = {dim: {} for dim in DIMENSIONS}
    for dim, grp, parent, name, n in rows:
        grp = "unknown" if grp is None else str(grp)
        if dim == "region":
            parent = region_nation(grp)
        found[dim][grp] = Cell(grp, int(n or 0), parent, name)
    out: dict[str, tuple[Cell, ...]] = {}
    for dim, vocabulary in DIMENSIONS.items():
        cells = found[dim]
        parent = region_nation if dim == "region" else (lambda _g: None)
        listed = [cells.get(g, Cell(g, 0, parent(g))) for g in vocabulary]
        listed += [cells[g] for g in sorted(cells) if g not in vocabulary]
        out[dim] = tuple(listed)
    return out
