"""Plain English: the main gaps of a representativeness result (its text rendering is
``dart.reports.representativeness_text``).

Only published numbers appear: a suppressed group is never named with a count, share or
ratio (it is not named at all in the summary)."""

from __future__ import annotations

from collections.abc import Iterator

from dart.analysis.representativeness.model import (
    REFERENCE_LABELS,
    GroupRow,
    RepresentativenessResult,
    RuleChange,
)
from dart_vocab import NATIONS

MAX_GROUPS = 8  # per reference in the summary; the tables hold every group


def group_name(dimension: str, row: GroupRow | RuleChange) -> str:
    """A group as a reader names it: "aged 70-74", "Black ethnic group", ..."""
    label = row.label
    return {
        "sex": f"{label.lower()}s" if label in ("Female", "Male") else label,
        "age_band": f"people aged {label}",
        "ethnicity": f"the {label} ethnic group",
        "imd_quintile": f"IMD quintile {label}",
        "nation": label,
        "region": f"the {label} region" if label not in ("Scotland", "Wales",
                                                          "Northern Ireland") else label,
    }.get(dimension, label)


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for text, or an em dash."""
    return "—" if value is None else f"{value:.{digits}f}"


def _flagged(result: RepresentativenessResult, ref: str, flag: str):
    found = []
    for dim in result.dimensions:
        for row in dim.rows:
            if dim.key == "region" and row.group in NATIONS:
                continue  # the devolved nations are their own region: named once, as nations
            r = row.ratios.get(ref)
            if r is not None and r.flag == flag and not r.suppressed:
                found.append((r.value, dim.key, row))
    return sorted(found, key=lambda t: t[0] if flag == "under" else -t[0])


UNCERTAIN = "; uncertain: the interval includes 1"


def _includes_one(ratio) -> bool:
    """Whether the 95% interval is compatible with proportional representation.

    The flag follows the point estimate (the issue's 0.8/1.25 rule); with a small group the
    interval can still include 1, and a reader should know the gap may be chance."""
    return ratio.lower is not None and ratio.upper is not None and ratio.lower <= 1 <= ratio.upper


def responsible_rule(result: RepresentativenessResult, dimension: str,
                     group: str) -> tuple[str, RuleChange] | None:
    """The rule whose removal raises this group's ratio most, with its change."""
    best = None
    for impact in result.rule_impacts:
        for c in impact.changes:
            if c.dimension == dimension and c.group == group and c.change is not None:
                if c.change < -1e-9 and (best is None or c.change < best[1].change):
                    best = (impact.label, c)
    return best


def summarise(result: RepresentativenessResult) -> Iterator[str]:
    """The summary's sentences, most important first."""
    if result.cohort_suppressed:
        yield (f"The {result.cohort_noun} is too small to describe (fewer than the "
               "disclosure threshold).")
        return
    perturbed = " (perturbed)" if result.disclosure.get("applied") else ""
    yield f"The {result.cohort_noun} holds {result.cohort_total:,} patients{perturbed}."
    target = result.reference("target")
    if not target.available:
        yield ("The file has no population statement, so there is no target population: the "
               "cohort is compared with the store's base population and the UK.")
    primary = result.rule_reference or "base"
    ref_label = REFERENCE_LABELS[primary].lower()
    under = _flagged(result, primary, "under")
    # gaps the interval confirms first, then those that may be chance (stable sort)
    under.sort(key=lambda found: _includes_one(found[2].ratios[primary]))
    if not under:
        yield f"No group is under-represented against the {ref_label}."
    for value, dim, row in under[:MAX_GROUPS]:
        r = row.ratios[primary]
        text = (f"Under-represented against the {ref_label}: {group_name(dim, row)} "
                f"(ratio {fmt(value)}, 95% CI {fmt(r.lower)}-{fmt(r.upper)}"
                f"{UNCERTAIN if _includes_one(r) else ''})")
        cause = responsible_rule(result, dim, row.group)
        if cause:
            label, change = cause
            text += (f"; the rule '{label}' lowers it most (ratio {fmt(change.ratio_without)} "
                     "without it)")
        yield text + "."
    if len(under) > MAX_GROUPS:
        yield f"... and {len(under) - MAX_GROUPS} more under-represented groups (see the table)."
    over = _flagged(result, primary, "over")
    if over:
        names = ", ".join(f"{group_name(d, row)} ({fmt(v)})" for v, d, row in over[:MAX_GROUPS])
        yield f"Over-represented against the {ref_label}: {names}."
    if "uk" in result.available_references:
        uk_under = _flagged(result, "uk", "under")
        if uk_under:
            names = ", ".join(f"{group_name(d, row)} ({fmt(v)})"
                              for v, d, row in uk_under[:MAX_GROUPS])
            yield f"Under-represented against the UK population: {names}."
    for impact in result.rule_impacts[:3]:
        w = impact.worst
        if w is not None and w.ratio_with is not None and w.ratio_with < result.thresholds.under:
            yield (f"Rule '{impact.label}' lowers the ratio of {group_name(w.dimension, w)} "
                   f"from {fmt(w.ratio_without)} to {fmt(w.ratio_with)}.")
    eth = result.dimension("ethnicity").row("unknown").cohort
    if eth.share is not None and eth.share > 0:
        yield (f"Ethnicity is unknown for {eth.share:.0%} of the cohort; ethnic-group shares "
               "are of patients with a known ethnic group.")
