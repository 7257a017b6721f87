"""A self-contained HTML report: summary, figures (plotly inline, once) and tables."""

from __future__ import annotations

from html import escape

from dart.analysis.representativeness.model import REFERENCE_LABELS, RepresentativenessResult
from dart.analysis.representativeness.summary import fmt
from dart.reports.representativeness_text import count_text, marker_of, share_text


def render_html(result: RepresentativenessResult) -> str:
    """The report as one HTML document (plotly.js embedded once, no network needed)."""
    from dart.reports import representativeness_figures as figures  # plotly: only when asked

    # The figures are drawn from the JSON, as the dashboard draws them: one set of builders.
    report = result.to_json()
    shown = ("eligible", "target", "uk")
    figs = [figures.composition_figure(report, d.key, shown) for d in result.dimensions]
    primary = result.rule_reference or "base"
    figs.append(figures.ratio_figure(report, primary))
    if "uk" in result.available_references:
        figs.append(figures.ratio_figure(report, "uk"))
    if result.rule_impacts:
        figs.append(figures.rule_impact_figure(report))
    plots = [f.to_html(full_html=False, include_plotlyjs=(i == 0), default_width="100%")
             for i, f in enumerate(figs)]
    title = escape(result.study or result.filename) + (
        f" ({escape(result.cohort_noun)})" if result.stage != "eligible" else "")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Representativeness: {title}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
        "padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
        "#ccc;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
        ".under{color:#D55E00;font-weight:bold}.over{color:#0072B2;font-weight:bold}</style>",
        "</head><body>",
        f"<h1>Representativeness: {title}</h1>",
    ]
    if result.index_date:
        parts.append(f"<p>Index date {result.index_date.isoformat()}</p>")
    parts.append("<h2>Summary</h2><ul>")
    parts += [f"<li>{escape(s)}</li>" for s in result.summary]
    parts.append("</ul><h2>References</h2><ul>")
    for ref in result.references:
        size = "" if not ref.available or ref.key == "uk" else (
            " (n suppressed)" if ref.suppressed else f" (n = {ref.total:,})")
        parts.append(f"<li><b>{escape(ref.label)}</b>: {escape(ref.note)}{size}</li>")
    parts.append("</ul><h2>Composition</h2>")
    n_dims = len(result.dimensions)
    for dim, plot in zip(result.dimensions, plots[:n_dims], strict=True):
        parts += [f"<h3>{escape(dim.label)}</h3>", plot, _table(result, dim)]
        if dim.note:
            parts.append(f"<p><i>{escape(dim.note)}</i></p>")
    parts.append("<h2>Ratios</h2>")
    parts += plots[n_dims:n_dims + (2 if "uk" in result.available_references else 1)]
    if result.rule_impacts:
        parts += ["<h2>Rule impact</h2>", plots[-1], _impact_table(result)]
    parts.append("<h2>Method</h2><ul>")
    parts += [f"<li>{escape(n)}</li>" for n in result.notes]
    parts.append("</ul></body></html>")
    return "\n".join(parts)


def _table(result: RepresentativenessResult, dim) -> str:
    refs = result.available_references
    head = "".join(f"<th>{escape(REFERENCE_LABELS[r])} share</th><th>Ratio (95% CI)</th>"
                   for r in refs)
    out = [f"<table><tr><th>Group</th><th>Cohort n</th><th>Cohort share</th>{head}</tr>"]
    for row in dim.rows:
        cells = [escape(row.label), escape(count_text(row.cohort, marker_of(result))),
                 share_text(row.cohort)]
        for ref in refs:
            cells.append(share_text(row.references[ref]) if ref in row.references else "")
            r = row.ratios.get(ref)
            if r is None:
                cells.append("")
            elif r.suppressed:
                cells.append("suppressed")
            elif r.value is None:
                cells.append("—")
            else:
                cells.append(f"<span class='{r.flag}'>{fmt(r.value)}</span> "
                             f"({fmt(r.lower)}–{fmt(r.upper)})")
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(out) + "</table>"


def _impact_table(result: RepresentativenessResult) -> str:
    out = ["<table><tr><th>Rule (most harmful first)</th><th>Group it lowers most</th>"
           "<th>Ratio without the rule</th><th>Ratio with it</th></tr>"]
    for impact in result.rule_impacts:
        w = impact.worst
        cells = [escape(f"{impact.kind} '{impact.label}'")]
        cells += ([escape(f"{w.label} ({w.dimension})"), fmt(w.ratio_without), fmt(w.ratio_with)]
                  if w else ["none", "", ""])
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(out) + "</table>"
