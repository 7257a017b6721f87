"""``run_feasibility``: run the statement and shape its rows into a ``FeasibilityResult``.

Breakdowns over fixed vocabularies list every group in order, zeros included; practices (and
any value outside a vocabulary with eligible patients) follow by code.
"""

from __future__ import annotations

import dataclasses
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
from dart.analysis.disclosure.keys import RecordKeys, record_keys
from dart.analysis.disclosure.structural import Structural, structural_groups
from dart.analysis.feasibility.queries import (
    MAX_PATTERN_RULES,
    OPT_OUTS,
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
from dart.compiler import Checked, Prepared, prepare
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



def run_feasibility(engine: sa.Engine, criteria: Criteria | str | Checked | Prepared,
                    library=None, *,
                    index_date: dt.date | None = None,
                    source: Source = NATIVE,
                    keys: RecordKeys | None = None) -> FeasibilityResult:
    """Count ``criteria`` (a parsed file, its text, or criteria already checked or prepared:
    ``dart.compiler.prepare``) on the store behind ``engine``.

    ``library`` defaults to the shipped codelist library; ``index_date`` to the file's own,
    else the store's extract date; ``source`` says what kind of store it is; ``keys`` (the
    record keys whose sums give each count's cell key) default to the deployment's. One
    query runs; the result holds exact counts.
    """
    keys = keys or record_keys()
    with engine.connect() as conn:  # one open of the store for everything
        ready = prepare(conn, criteria, library, index_date=index_date, source=source)
        compiled = ready.compiled
        results = [conn.execute(s).all() for s in statements(compiled, keys)]
    criteria, index_date = ready.criteria, ready.index_date
    infos, n_rules = compiled.rules, len(compiled.rules)
    if n_rules <= MAX_PATTERN_RULES:
        rows = results[0]
        totals = totals_from_patterns(
            [(int(g), None if p is None else int(p), int(n), int(k))
             for dim, g, p, _n, n, k in rows if dim == PATTERN], n_rules)
        rows = [r for r in rows if r[0] != PATTERN]
    else:
        totals = totals_from_failures([tuple(int(v) for v in r) for r in results[0]],
                                      n_rules)
        rows = results[1]
    opt_outs = [r for r in rows if r[0] == OPT_OUTS]
    rows = [r for r in rows if r[0] != OPT_OUTS]

    cell_keys = {(name,): totals[f"{name}_key"] for name in ("base", "eligible", "population")}
    cell_keys[("opt_outs",)] = int(opt_outs[0][5] or 0)
    funnel, before = [], totals["base"]
    for k, info in enumerate(infos):
        remaining = totals[f"remaining_{k}"]
        funnel.append(FunnelStep(info.label, info.kind, remaining, before - remaining))
        cell_keys[("funnel", k)] = totals[f"remaining_{k}_key"]
        cell_keys[("impact", k)] = totals[f"impact_{k}_key"]
        before = remaining
    impact = tuple(RuleImpact(info.label, info.kind, totals[f"impact_{k}"])
                   for k, info in enumerate(infos))
    breakdowns = _breakdowns(rows, cell_keys, structural_groups(criteria))
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
        breakdowns=breakdowns,
        screens=tuple(s.text for s in criteria.screens),
        opt_outs=int(opt_outs[0][4] or 0),
        cell_keys=cell_keys,
    )


def _breakdowns(rows, cell_keys: dict[tuple, int],
                structural: Structural) -> dict[str, tuple[Cell, ...]]:
    """Shape the GROUP BY rows: fixed vocabularies in order with zeros, practices by code.

    Each cell's key sum goes into ``cell_keys`` under (dimension, group); a group the
    criteria make empty (``structural``) is marked so only while its count is 0.
    """
    found: dict[str, dict[str, Cell]] = {dim: {} for dim in DIMENSIONS}
    for dim, grp, parent, name, n, k in rows:
        grp = "unknown" if grp is None else str(grp)
        if dim == "region":
            parent = region_nation(grp)
        found[dim][grp] = Cell(grp, int(n or 0), parent, name)
        cell_keys[(dim, grp)] = int(k or 0)
    out: dict[str, tuple[Cell, ...]] = {}
    for dim, vocabulary in DIMENSIONS.items():
        cells = found[dim]
        parent = region_nation if dim == "region" else (lambda _g: None)
        listed = [cells.get(g, Cell(g, 0, parent(g))) for g in vocabulary]
        listed += [cells[g] for g in sorted(cells) if g not in vocabulary]
        empty = structural.get(dim, frozenset())
        out[dim] = tuple(dataclasses.replace(c, structural=c.count == 0 and c.group in empty)
                         for c in listed)
    return out
