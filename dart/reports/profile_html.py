"""A self-contained HTML profile: the verdict table, a heat map of each practice's recording
(records per patient-year by month) and a value histogram per measurement code.

Figures are pure functions of the result object (plotly), so the dashboard can reuse them;
plotly.js is embedded once, so the file opens without a network.
"""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from dart.analysis.profile.result import Measurement, StoreProfile
from dart.reports.palette import OKABE_ITO
from dart.reports.palette import VERDICT_COLOURS as COLOURS
from dart.reports.profile_text import MARK, count, ratio


def recording_heatmap(profile: StoreProfile) -> go.Figure:
    """Practices (rows) by month (columns): records per patient-year; flagged practices
    are marked in their row label."""
    practices = profile.practices
    months = [m.label for m in practices[0].months] if practices else []
    z = [[m.per_patient_year for m in p.months] for p in practices]
    labels = [f"{p.ods_code}{' [' + ', '.join(p.flags) + ']' if p.flags else ''}"
              for p in practices]
    fig = go.Figure(go.Heatmap(z=z, x=months, y=labels, colorscale="Viridis",
                               colorbar={"title": "records per<br>patient-year"},
                               hoverongaps=False))
    fig.update_layout(title="Recording by practice and month",
                      height=max(300, 22 * len(practices) + 150),
                      yaxis={"autorange": "reversed"}, margin={"l": 180})
    return fig


def value_histogram(m: Measurement) -> go.Figure:
    """Rows per value bin in the code set's unit, the plausible range shaded."""
    starts = [s for s, _ in m.histogram]
    fig = go.Figure(go.Bar(x=starts, y=[n for _, n in m.histogram], width=m.bin_width,
                           offset=0, marker_color=OKABE_ITO["blue"]))
    if m.plausible:
        fig.add_vrect(x0=m.plausible.low, x1=m.plausible.high, fillcolor=OKABE_ITO["green"],
                      opacity=0.08, line_width=0)
    fig.update_layout(title=f"{m.code} ({m.codelist or 'no code set'})",
                      xaxis_title=m.expected_unit or "value", yaxis_title="records",
                      height=300, bargap=0)
    return fig


def _verdict_table(profile: StoreProfile) -> str:
    rows = ["<table><tr><th>Verdict</th><th>Check</th><th>Figure</th><th>Rule</th>"
            "<th>Flagged</th></tr>"]
    for c in profile.checks:
        rows.append(
            f"<tr><td style='color:{COLOURS[c.verdict]};font-weight:bold'>{MARK[c.verdict]}"
            f"</td><td>{escape(c.title)}<br><small>{escape(c.key)}</small></td>"
            f"<td>{escape(ratio(c.figure))}</td><td>{escape(c.rule)}</td>"
            f"<td>{escape(', '.join(c.items))}</td></tr>")
    return "".join(rows) + "</table>"


def _practice_table(profile: StoreProfile) -> str:
    rows = ["<table><tr><th>Practice</th><th>Patients</th><th>Last data</th>"
            "<th>Up to standard from</th><th>Records per patient-year</th><th>Flags</th></tr>"]
    for p in profile.practices:
        rate = p.rate.per_patient_year
        cells = [f"{p.ods_code} {p.name or ''}", count(p.patients),
                 p.last_data.isoformat() if p.last_data else "none",
                 p.up_to_standard.isoformat() if p.up_to_standard else "none",
                 "" if rate is None else f"{rate:.2f}", ", ".join(p.flags)]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return "".join(rows) + "</table>"


def render_html(profile: StoreProfile) -> str:
    """The report as one HTML document."""
    figs = [recording_heatmap(profile)] + [value_histogram(m) for m in profile.measurements
                                           if m.histogram]
    plots = [f.to_html(full_html=False, include_plotlyjs=(i == 0), default_width="100%")
             for i, f in enumerate(figs)]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Data-quality profile</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;"
        "padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
        "#ccc;padding:2px 6px;text-align:left;vertical-align:top}</style></head><body>",
        "<h1>Data-quality profile</h1>",
        f"<p>Extract date {profile.extract_date.isoformat()}; {count(profile.patients)} "
        f"patients, {count(profile.records)} records. Overall "
        f"<b style='color:{COLOURS[profile.verdict]}'>{MARK[profile.verdict]}</b>, "
        f"{profile.score:.1f}% of checks pass.</p>",
        "<h2>Verdicts</h2>", _verdict_table(profile),
        "<h2>Practices</h2>", plots[0], _practice_table(profile),
        "<h2>Measurements</h2>", *plots[1:],
        "<p>Checks, thresholds and sources: docs/profile.md.</p></body></html>",
    ]
    return "\n".join(parts)
