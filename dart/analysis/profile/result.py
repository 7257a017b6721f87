"""The whole profile: per measurement code, per practice, and the store's verdicts.

``StoreProfile.disclosed(policy)`` is what a non-exact reader gets: every count through the
disclosure engine; the value distribution of a code only where its record count is
published, and never its minimum or maximum (single patients' values).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from dart.analysis.profile.model import (
    Check,
    Completeness,
    Conformance,
    Discloser,
    Rate,
    Ratio,
    shown,
)


@dataclass(frozen=True)
class PlausibleRange:
    """Values of a measurement a clinician would believe, in ``unit``, with the source."""

    codelist: str
    unit: str
    low: float
    high: float
    source: str

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Measurement:
    """One code recorded with values: its distribution, units and share out of range."""

    code: str
    codelist: str | None  # the first code set holding it
    expected_unit: str | None  # the code set's unit
    records: int | None  # rows with a value
    quantiles: dict[str, float]  # "min", "p1", "p5", ..., "p99", "max" (in any unit)
    histogram: tuple[tuple[float, int | None], ...]  # (bin start, rows) in the expected unit
    bin_width: float | None
    units: dict[str, int | None]  # unit as recorded ("" for none) -> rows
    wrong_unit: Ratio  # rows in another unit / rows with a value
    plausible: PlausibleRange | None
    outside: Ratio | None  # rows in the expected unit out of range / rows in that unit

    def disclosed(self, policy: Discloser) -> Measurement:
        records = shown(policy, self.records)
        keep = {k: v for k, v in self.quantiles.items() if k not in ("min", "max")}
        return dataclasses.replace(
            self, records=records, quantiles=keep if records is not None else {},
            histogram=tuple((start, shown(policy, n)) for start, n in self.histogram),
            units={u: shown(policy, n) for u, n in self.units.items()},
            wrong_unit=self.wrong_unit.disclosed(policy),
            outside=self.outside.disclosed(policy) if self.outside else None)

    def to_json(self) -> dict:
        return {"code": self.code, "codelist": self.codelist,
                "expected_unit": self.expected_unit, "records": self.records,
                "quantiles": self.quantiles,
                "histogram": {"bin_width": self.bin_width,
                              "bins": [[s, n] for s, n in self.histogram]},
                "units": self.units, "wrong_unit": self.wrong_unit.to_json(),
                "plausible_range": self.plausible.to_json() if self.plausible else None,
                "outside_range": self.outside.to_json() if self.outside else None}


@dataclass(frozen=True)
class PracticeProfile:
    """One practice: its recording over time, up-to-standard and last-data dates, flags."""

    practice_id: int
    ods_code: str
    name: str | None
    patients: int | None
    ethnicity: Ratio
    imd: Ratio
    months: tuple[Rate, ...]  # one per month of the window, "YYYY-MM"
    rate: Rate  # over the whole window
    last_data: dt.date | None
    up_to_standard: dt.date | None
    flags: tuple[str, ...]  # "stopped", "gap", "no_data", "ethnicity"

    @property
    def acceptable(self) -> bool:
        """Up to standard: sending data, with continuous recording (see docs/profile.md)."""
        return not {"stopped", "gap", "no_data"} & set(self.flags)

    def disclosed(self, policy: Discloser) -> PracticeProfile:
        return dataclasses.replace(
            self, patients=shown(policy, self.patients),
            ethnicity=self.ethnicity.disclosed(policy), imd=self.imd.disclosed(policy),
            months=tuple(m.disclosed(policy) for m in self.months),
            rate=self.rate.disclosed(policy))

    def to_json(self) -> dict:
        return {"practice_id": self.practice_id, "ods_code": self.ods_code, "name": self.name,
                "patients": self.patients, "ethnicity_known": self.ethnicity.to_json(),
                "imd_known": self.imd.to_json(),
                "records_per_patient_year": self.rate.to_json(),
                "last_data_date": _iso(self.last_data),
                "up_to_standard_date": _iso(self.up_to_standard),
                "up_to_standard": self.acceptable, "flags": list(self.flags),
                "months": [m.to_json() for m in self.months],
                "suppressed": [] if self.patients is not None else ["patients"]}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class StoreProfile:
    """Is this store fit for a trial? Every figure, and a verdict per check."""

    extract_date: dt.date
    patients: int | None
    records: int | None
    checks: tuple[Check, ...]
    conformance: Conformance
    completeness: Completeness
    measurements: tuple[Measurement, ...]
    practices: tuple[PracticeProfile, ...]
    disclosure: dict | None = None  # the policy applied, or None for exact figures

    @property
    def score(self) -> float:
        """Percentage of checks that pass (a warning is not a pass), as the OHDSI DQD."""
        if not self.checks:
            return 100.0
        return round(100 * sum(c.verdict == "pass" for c in self.checks) / len(self.checks), 1)

    @property
    def verdict(self) -> str:
        """The worst verdict of any check."""
        found = {c.verdict for c in self.checks}
        return "fail" if "fail" in found else "warn" if "warn" in found else "pass"

    def check(self, key: str) -> Check:
        """The check called ``key`` (``KeyError`` if there is none)."""
        for c in self.checks:
            if c.key == key:
                return c
        raise KeyError(key)

    def disclosed(self, policy) -> StoreProfile:
        """The profile as a non-exact reader may see it (``policy``: a DisclosurePolicy)."""
        if self.disclosure is not None:
            raise TypeError("disclosure control is already applied to this profile")
        return StoreProfile(
            self.extract_date, shown(policy, self.patients), shown(policy, self.records),
            tuple(c.disclosed(policy) for c in self.checks),
            self.conformance.disclosed(policy), self.completeness.disclosed(policy),
            tuple(m.disclosed(policy) for m in self.measurements),
            tuple(p.disclosed(policy) for p in self.practices), policy.to_json())

    def to_json(self) -> dict:
        counts = {"patients": self.patients, "records": self.records}
        return {"extract_date": self.extract_date.isoformat(), **counts,
                "suppressed": sorted(k for k, v in counts.items() if v is None),
                "verdict": self.verdict, "score": self.score,
                "counts": {v: sum(c.verdict == v for c in self.checks)
                           for v in ("pass", "warn", "fail")},
                "checks": [c.to_json() for c in self.checks],
                "conformance": self.conformance.to_json(),
                "completeness": self.completeness.to_json(),
                "measurements": [m.to_json() for m in self.measurements],
                "practices": [p.to_json() for p in self.practices],
                "disclosure": self.disclosure}
