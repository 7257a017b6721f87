"""The profile as plain text: the verdict table first, then the figures behind it."""

from __future__ import annotations

from dart.analysis.profile.model import Ratio
from dart.analysis.profile.result import StoreProfile

MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


def count(n: int | None) -> str:
    """A count as shown: suppressed counts show as 'suppressed', never as a number."""
    return "suppressed" if n is None else f"{n:,}"


def ratio(r: Ratio | None) -> str:
    """'n of N (x.x%)'."""
    if r is None:
        return ""
    pct = "" if r.value is None else f" ({r.value:.1%})"
    return f"{count(r.n)} of {count(r.of)}{pct}"


def render_text(profile: StoreProfile) -> str:
    """The whole profile as text."""
    lines = [f"Data-quality profile, extract date {profile.extract_date.isoformat()}",
             f"{count(profile.patients)} patients, {count(profile.records)} records",
             f"Overall: {MARK[profile.verdict]}, score {profile.score:.1f}% of checks pass",
             ""]
    width = max(len(c.key) for c in profile.checks)
    for c in profile.checks:
        lines.append(f"{MARK[c.verdict]}  {c.key:<{width}}  {c.title}: {ratio(c.figure)}")
        if c.items:
            shown = ", ".join(c.items[:12]) + (" ..." if len(c.items) > 12 else "")
            lines.append(f"      {'':<{width}}  flagged: {shown}")
    lines += ["", "Practices (flagged first)"]
    ordered = sorted(profile.practices, key=lambda p: (not p.flags, p.practice_id))
    for p in ordered:
        uts = p.up_to_standard.isoformat() if p.up_to_standard else "none"
        last = p.last_data.isoformat() if p.last_data else "none"
        rate = p.rate.per_patient_year
        lines.append(f"  {p.ods_code:<8} patients {count(p.patients):>9}  last data {last}  "
                     f"up to standard from {uts}  "
                     f"{'' if rate is None else f'{rate:.2f} records/patient-year'}"
                     f"{'  [' + ', '.join(p.flags) + ']' if p.flags else ''}")
    lines += ["", "Measurements"]
    for m in profile.measurements:
        q = m.quantiles
        spread = (f"p5 {q['p5']:g}, median {q['p50']:g}, p95 {q['p95']:g}"
                  if {"p5", "p50", "p95"} <= q.keys() else "distribution not shown")
        rng = (f"; outside {m.plausible.low:g}-{m.plausible.high:g} {m.plausible.unit}: "
               f"{ratio(m.outside)}" if m.plausible else "; no plausible range known")
        lines.append(f"  {m.code} ({m.codelist or 'no code set'}, {m.expected_unit or '-'}): "
                     f"{count(m.records)} values, {spread}{rng}; "
                     f"other unit: {ratio(m.wrong_unit)}")
    lines += ["", "Records per patient-year by year"]
    lines += [f"  {r.label}: {'' if r.per_patient_year is None else r.per_patient_year}"
              for r in profile.completeness.by_year]
    return "\n".join(lines) + "\n"


def render_trial_text(data: dict) -> str:
    """A trial's data profile (``TrialProfile.to_json()``) as text."""

    def n(value: int | None) -> str:
        return "*" if value is None else f"{value:,}"

    lines = ["Data behind the criteria (per code: records, patients)"]
    lines += [f"  {c['codeset']:<24} {c['code']:<20} {n(c['records']):>10} {n(c['patients']):>10}"
              for c in data["codes"]]
    if data["never_seen"]:
        lines.append("Codes never seen in this store (a typo, or not used by its practices):")
        lines += [f"  {c['codeset']:<24} {c['code']}" for c in data["never_seen"]]
    poor = data["practices_not_up_to_standard"]
    lines.append(f"Eligible at practices not up to standard ({', '.join(poor) or 'none'}): "
                 f"{n(data['eligible_not_up_to_standard'])} of {n(data['eligible'])}")
    return "\n".join(lines) + "\n"
