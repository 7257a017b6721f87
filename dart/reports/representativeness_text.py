"""A representativeness result as plain text tables (the CLI's default output).

Only published numbers appear: a suppressed group shows the result's marker, never a count."""

from __future__ import annotations

from dart.analysis.disclosure.policy import count_text as published_text
from dart.analysis.representativeness.model import RepresentativenessResult, RuleChange, RuleImpact
from dart.analysis.representativeness.summary import fmt, group_name


def lowered_by_dimension(impact: RuleImpact, at_least: float = 0.005) -> list[RuleChange]:
    """For each dimension, the group whose ratio this rule lowers most (if by ``at_least``).

    A rule's single worst group hides what it does elsewhere: excluding low eGFR may cost
    the 60-64s most, and the groups with more kidney disease (by ethnicity, deprivation) too.
    """
    best: dict[str, RuleChange] = {}
    for change in impact.changes:
        if change.change is None or change.change > -at_least:
            continue
        current = best.get(change.dimension)
        if current is None or change.change < current.change:
            best[change.dimension] = change
    return list(best.values())


def render_text(result: RepresentativenessResult) -> str:
    """The result as plain text tables (the CLI's default output)."""
    refs = result.available_references
    stage = f" ({result.cohort_noun})" if result.stage != "eligible" else ""
    lines = [f"Representativeness: {result.study or result.filename}{stage}"]
    if result.index_date:
        lines.append(f"Index date: {result.index_date.isoformat()}")
    lines.append("")
    lines.extend(f"* {s}" for s in result.summary)
    lines.append("")
    for ref in result.references:
        total = marker_of(result) if ref.suppressed else (
            f"{ref.total:,}" if ref.total is not None else "—")
        lines.append(f"{ref.label}: {ref.note} [n = {total}]" if ref.available
                     else f"{ref.label}: {ref.note}")
    head = ["Group", "Cohort n", "Share"] + [h for r in refs for h in (
        f"{r} share", f"{r} ratio (95% CI)", "flag")]
    for dim in result.dimensions:
        lines += ["", f"== {dim.label} =="]
        rows = [head]
        for row in dim.rows:
            cells = [row.label, count_text(row.cohort, marker_of(result)),
                     share_text(row.cohort)]
            for ref in refs:
                cells.append(share_text(row.references[ref]) if ref in row.references else "")
                r = row.ratios.get(ref)
                if r is None or r.suppressed or r.value is None:
                    cells += ["suppressed" if (r is not None and r.suppressed) else "—", ""]
                else:
                    cells += [f"{fmt(r.value)} ({fmt(r.lower)}-{fmt(r.upper)})", r.flag or ""]
            rows.append(cells)
        widths = [max(len(str(c)) for c in col) for col in zip(*rows, strict=True)]
        lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in rows]
        if dim.note:
            lines.append(f"({dim.note})")
    if result.rule_impacts:
        lines += ["", f"Rule impact (ratios against the {result.rule_reference} population, "
                      "with each rule removed), most harmful first:"]
    for impact in result.rule_impacts:
        w = impact.worst
        what = (f"lowers {group_name(w.dimension, w)} from {fmt(w.ratio_without)} to "
                f"{fmt(w.ratio_with)}" if w else "lowers no group's ratio")
        lines.append(f"  {impact.kind} '{impact.label}': {what}")
        others = [c for c in lowered_by_dimension(impact) if w is None or c != w]
        if others:
            # dict keys: Scotland, Wales and Northern Ireland are both a nation and a region
            parts = {f"{group_name(c.dimension, c)} {fmt(c.ratio_without)} → "
                     f"{fmt(c.ratio_with)}": None for c in others}
            lines.append("      and most, in each other dimension: " + "; ".join(parts))
    lines += ["", *result.notes]
    return "\n".join(lines) + "\n"


def marker_of(result: RepresentativenessResult) -> str:
    """What a suppressed count reads as in this result (``"<8"``)."""
    return result.disclosure.get("marker", "suppressed")


def count_text(share, marker: str) -> str:
    """A group's disclosed count for a table cell: a number, the marker, a structural 0."""
    if share.count is None and not share.suppressed:
        return "—"
    return published_text(share.count, marker=marker, structural=share.structural)


def share_text(share) -> str:
    """A group's share for a table cell (blank when suppressed, '—' when unknown)."""
    return "" if share.suppressed else ("—" if share.share is None else f"{share.share:.1%}")
