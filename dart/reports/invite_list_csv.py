"""An invite list as the CSV a practice downloads (``GET /studies/<id>/invites?format=csv``,
the dashboard's download)."""

from __future__ import annotations

from dart.recruitment.invites import IDENTIFIERS, InviteList
from dart.reports.spreadsheet import csv_text


def invite_list_csv(found: InviteList) -> str:
    """A ``#`` preamble (study, list and index dates, the criteria in plain English),
    then one row per patient: identifiers, new, one reason column per include rule and
    an empty column per ``screen`` item, to tick."""
    since = found.new_since.isoformat() if found.new_since else "no earlier list"
    preamble = (f"study {found.study_id}: {found.title} (version {found.version})",
                f"list date {found.list_date.isoformat()}; index date "
                f"{found.index_date.isoformat()}; new since {since}",
                *found.english)
    header = [*IDENTIFIERS, "new", *(f"reason: {r}" for r in found.rules),
              *(f"screen: {text}" for text in found.checklist)]
    rows = []
    for r in found.rows:
        reasons = {x.rule: x.text for x in r.reasons}
        rows.append([r.patient_id, r.nhs_number, r.given_name or "", r.family_name or "",
                     r.date_of_birth.isoformat(), r.sex, "yes" if r.new else "",
                     *(reasons.get(rule, "") for rule in found.rules),
                     *[""] * len(found.checklist)])
    return csv_text(header, rows, preamble=[f"# {line}" for line in preamble])
