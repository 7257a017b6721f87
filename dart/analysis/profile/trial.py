"""For a trial: the data behind its criteria (``dart count --profile``).

* per code of every code set the criteria use: records and patients in the store, and the
  codes never seen (a typo, or a code this store's practices do not use);
* how many of the eligible are registered at practices that are not up to standard.

A non-exact reader gets every count through the disclosure engine: the per-code counts as
store statistics, the eligible counts as the criteria's feasibility answer published them
(the eligible count itself, and the sum of the published cells of the practices not up to
standard, only when every one is a number), so the profile tells nothing the answer did
not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from criteria_grammar import nodes
from dart.analysis.profile.model import Discloser, shown
from dart.analysis.profile.reads import StoreTables, store_tables
from dart.analysis.profile.result import PracticeProfile
from dart.analysis.profile.run import practice_profiles
from dart.compiler import library_with_inline


@dataclass(frozen=True)
class CodeUse:
    """One code of a code set the criteria use: its records and patients in the store."""

    codeset: str
    code: str
    records: int | None
    patients: int | None

    def disclosed(self, policy: Discloser) -> CodeUse:
        return dataclasses.replace(self, records=shown(policy, self.records),
                                   patients=shown(policy, self.patients))

    def to_json(self) -> dict:
        out = dataclasses.asdict(self)
        out["suppressed"] = sorted(k for k in ("records", "patients") if out[k] is None)
        return out


@dataclass(frozen=True)
class TrialProfile:
    """The data behind one criteria file."""

    codes: tuple[CodeUse, ...]  # codes seen in the store
    never_seen: tuple[tuple[str, str], ...]  # (code set, code)
    practices_not_up_to_standard: tuple[str, ...]  # ODS codes
    eligible: int | None
    eligible_not_up_to_standard: int | None
    disclosure: dict | None = None

    def disclosed(self, policy, published_practices: Mapping[str, int | None],
                  eligible: int | None) -> TrialProfile:
        """Counts through ``policy``; ``published_practices`` and ``eligible``: the disclosed
        feasibility result's practice cells (ODS code -> published count) and eligible
        count. The eligible counts are those published numbers (the eligible at practices
        not up to standard, the sum of theirs, when every one is a number): nothing new
        about the cohort."""
        counts = [published_practices.get(o) for o in self.practices_not_up_to_standard]
        poor = None if eligible is None or None in counts else sum(counts)
        return TrialProfile(tuple(c.disclosed(policy) for c in self.codes), self.never_seen,
                            self.practices_not_up_to_standard, eligible, poor,
                            policy.to_json())

    def to_json(self) -> dict:
        return {"codes": [c.to_json() for c in self.codes],
                "never_seen": [{"codeset": s, "code": c} for s, c in self.never_seen],
                "practices_not_up_to_standard": list(self.practices_not_up_to_standard),
                "eligible": self.eligible,
                "eligible_not_up_to_standard": self.eligible_not_up_to_standard,
                "suppressed": sorted(k for k in ("eligible", "eligible_not_up_to_standard")
                                     if getattr(self, k) is None),
                "disclosure": self.disclosure}


def used_code_sets(node) -> list[str]:
    """The code sets a criteria tree names, in order of first use."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            name = getattr(value, "codeset", None)
            if isinstance(name, str) and name not in found:
                found.append(name)
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))

    walk(node)
    return found


def code_counts(conn: sa.Connection, tables: StoreTables, table_name: str,
                codes: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """code -> (records, distinct patients) for ``codes`` in a table of records."""
    table = {n: t for n, t, _ in tables.event_tables()}[table_name]
    query = (sa.select(table.c.code, sa.func.count(),
                       sa.func.count(sa.distinct(table.c.patient_id)))
             .where(table.c.code.in_(codes)).group_by(table.c.code))
    return {code: (int(r), int(p)) for code, r, p in conn.execute(query)}


def trial_profile(engine: sa.Engine, criteria: nodes.Criteria, library: Mapping,
                  result, practices: Sequence[PracticeProfile] | None = None) -> TrialProfile:
    """The trial's data profile; ``result`` is its exact ``FeasibilityResult``;
    ``practices`` the store's practice profiles when the caller has them (else read)."""
    tables = store_tables()
    codelists = library_with_inline(criteria, library)
    uses, never = [], []
    with engine.connect() as conn:
        for name in used_code_sets(criteria):
            codelist = codelists[name]
            table = "observation" if codelist.system == "snomed" else "prescription"
            seen = code_counts(conn, tables, table, codelist.codes)
            for code in codelist.codes:
                if code in seen:
                    uses.append(CodeUse(name, code, *seen[code]))
                else:
                    never.append((name, code))
        if practices is None:
            practices = practice_profiles(conn, tables)
    poor = tuple(p.ods_code for p in practices if not p.acceptable)
    cells = {c.group: c.count for c in result.breakdowns.get("practice", ())}
    return TrialProfile(tuple(uses), tuple(never), poor, result.eligible,
                        sum(cells.get(o) or 0 for o in poor))
