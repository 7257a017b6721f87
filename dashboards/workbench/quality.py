"""The workbench's data-quality panel: how much of a run's counts rests on data that are
not up to standard (a pure function of ``Services.trial_profile``'s JSON; docs/profile.md).

For the code sets the criteria use: each code's records and patients in the store, the codes
never seen in it (a typo, or a code this store's practices do not use), and how many of the
eligible are registered at practices that are not up to standard. Counts are shown as they
came (disclosure-controlled for a non-exact reader): a suppressed one reads as the marker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dash_table, html
from dash.dash_table.Format import Format

from dashboards.counts import format_count, format_share, marker
from dashboards.theme import FONT
from dashboards.workbench import ids

LOADING = "Reading the data behind these counts…"


def placeholder() -> html.Section:
    """The panel's place in a run's results, filled once the profile arrives."""
    return html.Section(html.P(LOADING, className="muted"), id=ids.PROFILE,
                        className="quality", **{"aria-label": "Data behind these counts",
                                                "aria-live": "polite"})


def not_up_to_standard(data: Mapping[str, Any]) -> str:
    """One sentence: how many of the eligible are at practices not up to standard."""
    disclosure = data.get("disclosure")
    practices = list(data.get("practices_not_up_to_standard") or [])
    if not practices:
        return "Every practice in the store is up to standard."
    eligible, poor = data.get("eligible"), data.get("eligible_not_up_to_standard")
    which = (f"{len(practices)} practice{'s' if len(practices) != 1 else ''} "
             f"not up to standard ({', '.join(practices)})")
    of = f"Of the {format_count(eligible, disclosure)} eligible"
    if poor is None:
        # Withheld (a sum of practice cells, one of them unpublished) or too small.
        return (f"{of}, how many are registered at the {which} is not published: it "
                "is small, or would give away a count too small to publish.")
    share = f" ({format_share(100 * poor / eligible)})" if eligible else ""
    return f"{of}, {format_count(poor, disclosure)}{share} are registered at {which}."


def never_seen(data: Mapping[str, Any]) -> html.Div:
    """The codes of the criteria's code sets that no record of the store holds."""
    missing = list(data.get("never_seen") or [])
    if not missing:
        return html.P("Every code of the code sets the criteria use is in the store's "
                      "records.", id=ids.NEVER_SEEN)
    return html.Div([
        html.P(f"{len(missing)} code{'s' if len(missing) != 1 else ''} never seen in this "
               "store (a typo, or a code its practices do not use):"),
        html.Ul([html.Li(f"{m['code']} ({m['codeset']})") for m in missing]),
    ], id=ids.NEVER_SEEN)


def code_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of the per-code table: code set, code, records and patients (None: suppressed)."""
    return [{"codeset": c["codeset"], "code": c["code"], "records": c["records"],
             "patients": c["patients"]} for c in data.get("codes") or []]


def panel(data: Mapping[str, Any]) -> list:
    """The panel's content for a trial profile's JSON."""
    nully = marker(data.get("disclosure"))
    counted = Format(nully=nully).group(True)
    return [
        html.H3("Data behind these counts"),
        html.P(not_up_to_standard(data), id=ids.NOT_UP_TO_STANDARD),
        never_seen(data),
        html.H4("Records and patients per code"),
        dash_table.DataTable(
            id=ids.CODES, data=code_rows(data), sort_action="native", page_size=10,
            columns=[{"name": "Code set", "id": "codeset"}, {"name": "Code", "id": "code"},
                     {"name": "Records", "id": "records", "type": "numeric",
                      "format": counted},
                     {"name": "Patients", "id": "patients", "type": "numeric",
                      "format": counted}],
            style_cell={"fontFamily": FONT, "textAlign": "left", "padding": "4px"},
            style_header={"fontWeight": "bold", "fontFamily": FONT},
        ),
    ]


def unavailable(message: str) -> list:
    """The panel when the profile could not be read (the counts above still stand)."""
    return [html.H3("Data behind these counts"),
            html.P(f"Not available: {message}", className="error")]
