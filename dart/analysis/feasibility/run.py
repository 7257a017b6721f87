"""``run_feasibility``: run the statement and shape its rows into a ``FeasibilityResult``.

Breakdowns over fixed vocabularies list every group in order, zeros included; practices (and
any value outside a vocabulary with eligible patients) follow by code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from criteria_grammar.nodes import Criteria
from dart.analysis.disclosure.keys import RecordKeys, pack, record_keys
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
from dart.compiler import Checked, Prepared, check_criteria, prepare, resolve_index_date
from dart.sources import Source
from dart.sources.native import NATIVE
from dart_vocab import DIMENSION_BY_KEY, region_nation

# Every group of each breakdown is listed (zeros included), in the vocabulary's order;
# practices (no fixed vocabulary) by code.
BREAKDOWNS = ("region", "nation", "age_band", "sex", "ethnicity", "imd_quintile")
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "practice": (), **{key: DIMENSION_BY_KEY[key].all_groups for key in BREAKDOWNS}}


def run_feasibility(engine: sa.Engine, criteria: Criteria | str | Checked | Prepared,
                    library=None, *,
                    index_date: dt.date | None = None,
                    source: Source = NATIVE,
                    keys: RecordKeys | None = None,
                    up_to_standard: bool = False) -> FeasibilityResult:
    """Count ``criteria`` (a parsed file, its text, or criteria already checked or prepared:
    ``dart.compiler.prepare``) on the store behind ``engine``.

    ``library`` defaults to the shipped codelist library; ``index_date`` to the file's own,
    else the store's extract date; ``source`` says what kind of store it is; ``keys`` (the
    record keys whose sums give each count's cell key) default to the deployment's;
    ``up_to_standard`` restricts the base to acceptable patients of up-to-standard
    practices (``standard``; criteria prepared over such a source say so too). One query
    runs; the result holds exact counts.
    """
    keys = keys or record_keys()
    with engine.connect() as conn:  # one open of the store for everything
        if up_to_standard:
            from dart.analysis.feasibility.standard import up_to_standard_source

            if isinstance(criteria, Prepared):  # compiled over the whole base: again
                index_date = index_date or criteria.index_date
                criteria = Checked(criteria.criteria, criteria.library)
            elif not isinstance(criteria, Checked):
                criteria = check_criteria(criteria, library)
            index_date = index_date or resolve_index_date(criteria.criteria, conn, source)
            source = up_to_standard_source(conn, source, index_date)
        ready = prepare(conn, criteria, library, index_date=index_date, source=source)
        restriction = getattr(ready.compiled.source, "about", None)  # a RestrictedSource's
        compiled = ready.compiled
        results = [conn.execute(s).all() for s in statements(compiled, keys)]
    criteria, index_date = ready.criteria, ready.index_date
    infos, n_rules = compiled.rules, len(compiled.rules)
    if n_rules <= MAX_PATTERN_RULES:
        rows = results[0]
        totals = totals_from_patterns(
            [(int(g), None if p is None else int(p), int(n), pack(int(k), int(n), b))
             for dim, g, p, _n, n, k, b in rows if dim == PATTERN], n_rules)
        rows = [r for r in rows if r[0] != PATTERN]
    else:
        totals = totals_from_failures(
            [(int(first), int(only), int(in_population), int(n), pack(int(k or 0), int(n), b))
             for first, only, in_population, n, k, b in results[0]], n_rules)
        rows = results[1]
    opt_outs = [r for r in rows if r[0] == OPT_OUTS]
    rows = [r for r in rows if r[0] != OPT_OUTS]

    cell_keys = {(name,): totals[f"{name}_key"] for name in ("base", "eligible", "population")}
    cell_keys[("opt_outs",)] = sum(pack(int(r[5] or 0), int(r[4]), r[6]) for r in opt_outs)
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
        opt_outs=sum(int(r[4] or 0) for r in opt_outs),
        cell_keys=cell_keys,
        restriction=restriction or None,
    )


def _breakdowns(rows, cell_keys: dict[tuple, int],
                structural: Structural) -> dict[str, tuple[Cell, ...]]:
    """Shape the GROUP BY rows: fixed vocabularies in order with zeros, practices by code.

    Each cell's packed key goes into ``cell_keys`` under (dimension, group), summed over
    its rows (one per bucket); a group the criteria make empty (``structural``) is marked
    so only while its count is 0.
    """
    found: dict[str, dict[str, Cell]] = {dim: {} for dim in DIMENSIONS}
    for dim, grp, parent, name, n, k, b in rows:
        grp = "unknown" if grp is None else str(grp)
        if dim == "region":
            parent = region_nation(grp)
        n = int(n or 0)
        before = found[dim].get(grp)
        found[dim][grp] = Cell(grp, n + (before.count if before else 0), parent, name)
        cell_keys[(dim, grp)] = cell_keys.get((dim, grp), 0) + pack(int(k or 0), n, b)
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
