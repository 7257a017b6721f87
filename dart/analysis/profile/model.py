"""The profile's results: frozen dataclasses with ``to_json()``, and their disclosed copies.

Counts are integers; for a non-exact reader every count is replaced by what the disclosure
engine publishes for it (``DisclosurePolicy.disclose``: ``None`` when suppressed) and every
share is recomputed from the published counts, never from the exact ones. Verdicts, dates,
names and the codes flagged are not counts and stay as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

VERDICTS = ("pass", "warn", "fail")
DOMAINS = ("conformance", "completeness", "plausibility", "practices")


class Discloser(Protocol):
    def disclose_aggregate(self, n: int, what: str) -> int | None: ...


def shown(policy: Discloser, n: int) -> int | None:
    """A profile count as published: store-wide statistics that no query reshapes, so one
    cell key (``DisclosurePolicy.disclose_aggregate``) serves them all."""
    return policy.disclose_aggregate(n, "store profile")


def share(n: int | None, d: int | None) -> float | None:
    """``n / d`` rounded to 4 places; ``None`` if either is unpublished or ``d`` is 0."""
    if n is None or not d:
        return None
    return round(n / d, 4)


def _suppressed(**counts: int | None) -> list[str]:
    return sorted(k for k, v in counts.items() if v is None)


@dataclass(frozen=True)
class Ratio:
    """``n`` of ``of`` (patients, records or codes)."""

    n: int | None
    of: int | None

    @property
    def value(self) -> float | None:
        return share(self.n, self.of)

    def disclosed(self, policy: Discloser) -> Ratio:
        return Ratio(shown(policy, self.n), shown(policy, self.of))

    def to_json(self) -> dict:
        return {"n": self.n, "of": self.of, "share": self.value,
                "suppressed": _suppressed(n=self.n, of=self.of)}


@dataclass(frozen=True)
class Check:
    """One check's one-line verdict, the figure it rests on and what it flagged."""

    key: str  # e.g. "conformance.nhs_number"
    domain: str  # one of DOMAINS
    title: str
    verdict: str  # one of VERDICTS
    rule: str  # the thresholds, in words
    figure: Ratio | None = None
    items: tuple[str, ...] = ()  # practices (ODS codes), codes or columns flagged
    if_few: str | None = None
    """The verdict a reader of disclosed counts gets when the figure's count (patients or
    records) is published as the marker: what a count of 0 gets, so that the verdict, like
    the marker, reads the same for 0 and 1..threshold (None: the verdict stands, as for
    the practice checks, whose figures count practices and which name them)."""

    def disclosed(self, policy: Discloser) -> Check:
        figure = self.figure.disclosed(policy) if self.figure else None
        if figure is not None and figure.n is None and self.if_few is not None:
            return dataclasses.replace(self, figure=figure, verdict=self.if_few, items=())
        return dataclasses.replace(self, figure=figure)

    def to_json(self) -> dict:
        return {"key": self.key, "domain": self.domain, "title": self.title,
                "verdict": self.verdict, "rule": self.rule,
                "figure": self.figure.to_json() if self.figure else None,
                "items": list(self.items)}


@dataclass(frozen=True)
class CodeCount:
    """Records of one code in one table (e.g. a code failing its check digit)."""

    table: str
    code: str
    records: int | None

    def disclosed(self, policy: Discloser) -> CodeCount:
        return dataclasses.replace(self, records=shown(policy, self.records))

    def to_json(self) -> dict:
        return {"table": self.table, "code": self.code, "records": self.records,
                "suppressed": _suppressed(records=self.records)}


@dataclass(frozen=True)
class Conformance:
    """Does the store hold what its contract says, in the form it says?"""

    schema_problems: tuple[str, ...]  # "table.column: missing" / "...: type INTEGER, want TEXT"
    invalid_codes: tuple[CodeCount, ...]
    codes_checked: Ratio  # distinct codes failing the check / distinct codes
    nhs_number: Ratio  # patients with a bad check digit / patients
    dates: dict[str, Ratio]  # e.g. "observation.future": rows / rows of the table
    orphans: dict[str, Ratio]  # "observation.unknown_patient", "patient.unknown_practice"

    def disclosed(self, policy: Discloser) -> Conformance:
        return Conformance(
            self.schema_problems, tuple(c.disclosed(policy) for c in self.invalid_codes),
            self.codes_checked.disclosed(policy), self.nhs_number.disclosed(policy),
            {k: r.disclosed(policy) for k, r in self.dates.items()},
            {k: r.disclosed(policy) for k, r in self.orphans.items()})

    def to_json(self) -> dict:
        return {"schema_problems": list(self.schema_problems),
                "invalid_codes": [c.to_json() for c in self.invalid_codes],
                "codes_checked": self.codes_checked.to_json(),
                "nhs_number": self.nhs_number.to_json(),
                "dates": {k: r.to_json() for k, r in self.dates.items()},
                "orphans": {k: r.to_json() for k, r in self.orphans.items()}}


@dataclass(frozen=True)
class Rate:
    """Records over patient-time: ``records`` per ``patient_months`` / 12."""

    label: str  # a year "2025", a month "2025-06" or a practice's ODS code
    records: int | None
    patient_months: int | None

    @property
    def per_patient_year(self) -> float | None:
        if self.records is None or not self.patient_months:
            return None
        return round(12 * self.records / self.patient_months, 3)

    def disclosed(self, policy: Discloser) -> Rate:
        return Rate(self.label, shown(policy, self.records),
                    shown(policy, self.patient_months))

    def to_json(self) -> dict:
        return {"label": self.label, "records": self.records,
                "patient_months": self.patient_months,
                "per_patient_year": self.per_patient_year,
                "suppressed": _suppressed(records=self.records,
                                          patient_months=self.patient_months)}


@dataclass(frozen=True)
class Completeness:
    """Shares of patients with what a trial's criteria usually need."""

    ethnicity: Ratio
    imd: Ratio
    any_record: Ratio
    recent_record: Ratio  # of patients registered on the extract date
    by_year: tuple[Rate, ...]

    def disclosed(self, policy: Discloser) -> Completeness:
        return Completeness(self.ethnicity.disclosed(policy), self.imd.disclosed(policy),
                            self.any_record.disclosed(policy),
                            self.recent_record.disclosed(policy),
                            tuple(r.disclosed(policy) for r in self.by_year))

    def to_json(self) -> dict:
        return {"ethnicity_known": self.ethnicity.to_json(), "imd_known": self.imd.to_json(),
                "any_record": self.any_record.to_json(),
                "record_last_year": self.recent_record.to_json(),
                "records_per_patient_year_by_year": [r.to_json() for r in self.by_year]}
