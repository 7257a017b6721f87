"""Plausibility (Kahn et al. 2016): are the values believable?

For every code recorded with a value: its distribution (quantiles, a histogram) from one
grouped query of (code, unit, value) counts, the share of rows not in its code set's unit,
and the share of rows in that unit outside the plausible range shipped in
``sample_data/reference/plausible_ranges.csv`` (each range with its source). Quantiles are
nearest-rank (the smallest value with at least ``q`` of the rows at or below it), so every
engine gives the same figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

import sqlalchemy as sa

from criteria_grammar.units import same_unit
from dart.analysis.profile.model import Ratio
from dart.analysis.profile.reads import StoreTables
from dart.analysis.profile.result import Measurement, PlausibleRange
from dart.store.reference import load_reference

QUANTILES = {"min": 0.0, "p1": 0.01, "p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75,
             "p95": 0.95, "p99": 0.99, "max": 1.0}
HISTOGRAM_BINS = 40


def plausible_ranges() -> dict[str, PlausibleRange]:
    """The shipped ranges by code-set name."""
    frame = load_reference("plausible_ranges")
    return {r.codelist: PlausibleRange(r.codelist, r.unit, float(r.low), float(r.high),
                                       r.source) for r in frame.itertuples()}


def code_sets(library: Mapping) -> dict[str, tuple[str, str | None]]:
    """code -> (code set, its unit): the first set by name with a unit, else the first."""
    out: dict[str, tuple[str, str | None]] = {}
    for name in sorted(library):
        codelist = library[name]
        for code in codelist.codes:
            if code not in out or (out[code][1] is None and codelist.unit):
                out[code] = (name, codelist.unit)
    return out


def quantiles(pairs: list[tuple[float, int]]) -> dict[str, float]:
    """Nearest-rank quantiles of (value, rows) pairs sorted by value."""
    total = sum(n for _, n in pairs)
    if not total:
        return {}
    out, seen, names = {}, 0, iter(QUANTILES.items())
    name, q = next(names)
    for value, n in pairs:
        seen += n
        while seen >= max(1, math.ceil(q * total)):
            out[name] = value
            step = next(names, None)
            if step is None:
                return out
            name, q = step
    return out


def histogram(pairs: list[tuple[float, int]], low: float, high: float
              ) -> tuple[tuple[tuple[float, int], ...], float | None]:
    """Rows per bin of ``HISTOGRAM_BINS`` equal bins over [low, high]."""
    if high <= low:
        return (), None
    width = (high - low) / HISTOGRAM_BINS
    bins = [0] * HISTOGRAM_BINS
    for value, n in pairs:
        if low <= value <= high:
            bins[min(int((value - low) / width), HISTOGRAM_BINS - 1)] += n
    return tuple((round(low + i * width, 6), n) for i, n in enumerate(bins)), round(width, 6)


def measurement(code: str, rows: list[tuple[str, float, int]], sets, ranges) -> Measurement:
    """One code's profile from its (unit, value, rows) groups."""
    codelist, expected = sets.get(code, (None, None))
    units: dict[str, int] = defaultdict(int)
    for unit, _, n in rows:
        units[unit or ""] += n
    total = sum(units.values())
    if expected:
        matched = sorted((v, n) for u, v, n in rows if u and same_unit(u, expected))
        wrong = Ratio(total - sum(n for _, n in matched), total)
    else:
        matched = sorted((v, n) for _, v, n in rows)
        wrong = Ratio(0, total)
    merged: dict[float, int] = defaultdict(int)
    for v, n in matched:
        merged[v] += n
    pairs = sorted(merged.items())
    found = quantiles(pairs)
    plausible = ranges.get(codelist) if codelist else None
    if plausible and expected and not same_unit(plausible.unit, expected):
        plausible = None  # a range in another unit than the code set's says nothing here
    outside = None
    if plausible:
        out = sum(n for v, n in pairs if v < plausible.low or v > plausible.high)
        outside = Ratio(out, sum(n for _, n in pairs))
        bins, width = histogram(pairs, plausible.low, plausible.high)
    else:
        bins, width = histogram(pairs, found.get("p1", 0.0), found.get("p99", 0.0))
    return Measurement(code, codelist, expected, total, found, bins, width, dict(units),
                       wrong, plausible, outside)


def measurements(conn: sa.Connection, tables: StoreTables,
                 library: Mapping) -> tuple[Measurement, ...]:
    """Every code recorded with a value, by code."""
    o = tables.observation
    query = (sa.select(o.c.code, o.c.unit, o.c.value, sa.func.count())
             .where(o.c.value.is_not(None)).group_by(o.c.code, o.c.unit, o.c.value))
    by_code: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for code, unit, value, n in conn.execute(query):
        by_code[code].append((unit, float(value), int(n)))
    sets, ranges = code_sets(library), plausible_ranges()
    return tuple(measurement(code, by_code[code], sets, ranges) for code in sorted(by_code))
