"""A one-line verdict per check (pass / warn / fail), as the OHDSI Data Quality Dashboard
gives one per check, grouped by the Kahn framework's domains (plus the per-practice checks).

Each check compares one figure (a ``Ratio``, computed once) with two thresholds. A "most"
threshold fails a figure above it (a share of faulty rows); a "least" threshold fails a
figure below it (a share of patients with something known). The thresholds are DART's
choices, explained in docs/profile.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from dart.analysis.profile.model import Check, Completeness, Conformance, Ratio
from dart.analysis.profile.result import Measurement, PracticeProfile

CODE_RANGE_FLAG = 0.001  # a code with more than 0.1% of its values out of range is named


@dataclass(frozen=True)
class Threshold:
    """``most``: warn above ``warn``, fail above ``fail``; ``least``: the other way."""

    kind: str  # "most" | "least"
    warn: float
    fail: float

    def verdict(self, value: float | None) -> str:
        if value is None:
            return "pass"  # nothing to judge (no rows)
        if self.kind == "most":
            return "fail" if value > self.fail else "warn" if value > self.warn else "pass"
        return "fail" if value < self.fail else "warn" if value < self.warn else "pass"

    def rule(self) -> str:
        if self.kind == "most":
            passing = "pass if none" if self.warn == 0 else f"pass <= {self.warn:.1%}"
            return f"{passing}, warn <= {self.fail:.1%}, else fail"
        return f"pass >= {self.warn:.0%}, warn >= {self.fail:.0%}, else fail"


ZERO = Threshold("most", 0.0, 0.001)  # any fault warns; more than 0.1% fails
THRESHOLDS = {
    "conformance.codes": Threshold("most", 0.0, 0.01),
    "conformance.nhs_number": ZERO,
    "conformance.future_dates": ZERO,
    "conformance.before_birth": ZERO,
    "conformance.after_death": ZERO,
    "conformance.orphan_records": ZERO,
    "conformance.orphan_patients": ZERO,
    "completeness.ethnicity": Threshold("least", 0.8, 0.6),
    "completeness.imd": Threshold("least", 0.95, 0.9),
    "completeness.any_record": Threshold("least", 0.9, 0.75),
    "completeness.recent_record": Threshold("least", 0.5, 0.3),
    "plausibility.range": Threshold("most", CODE_RANGE_FLAG, 0.01),
    "plausibility.units": Threshold("most", 0.0, 0.01),
    "practices.up_to_standard": Threshold("most", 0.0, 0.1),
    "practices.ethnicity": Threshold("most", 0.0, 0.1),
}


def _sum(ratios: list[Ratio]) -> Ratio:
    return Ratio(sum(r.n for r in ratios), sum(r.of for r in ratios))


def _check(key: str, title: str, figure: Ratio, items: tuple[str, ...] = (),
           value: float | None = None) -> Check:
    rule = THRESHOLDS[key]
    judged = figure.value if value is None else value
    domain = key.split(".")[0]
    # A figure of patients or records published as the marker is judged as a count of 0
    # (``Check.if_few``); practice checks count and name practices.
    if_few = None if domain == "practices" else rule.verdict(0.0 if figure.of else None)
    return Check(key, domain, title, rule.verdict(judged), rule.rule(), figure, items,
                 if_few)


def conformance_checks(c: Conformance, records: int) -> list[Check]:
    dates = c.dates
    schema = Check("conformance.schema", "conformance",
                   "Every table and column of the store schema, with its type",
                   "fail" if c.schema_problems else "pass", "fail on any difference",
                   None, c.schema_problems)
    bad_rows = sum(x.records for x in c.invalid_codes)
    return [
        schema,
        _check("conformance.codes", "Codes are valid SNOMED CT / dm+d identifiers "
               "(Verhoeff check digit)", Ratio(bad_rows, records),
               tuple(sorted({x.code for x in c.invalid_codes}))),
        _check("conformance.nhs_number", "NHS numbers pass the modulus-11 check",
               c.nhs_number),
        _check("conformance.future_dates", "No date after the extract date",
               _sum([r for k, r in dates.items() if k.endswith("future")])),
        _check("conformance.before_birth", "No record before the patient's birth",
               _sum([r for k, r in dates.items() if k.endswith("before_birth")])),
        _check("conformance.after_death", "No record after the patient's death",
               _sum([r for k, r in dates.items() if k.endswith("after_death")])),
        _check("conformance.orphan_records", "Every record belongs to a known patient",
               _sum([r for k, r in c.orphans.items() if k.endswith("unknown_patient")])),
        _check("conformance.orphan_patients", "Every patient belongs to a known practice",
               c.orphans["patient.unknown_practice"]),
    ]


def completeness_checks(c: Completeness) -> list[Check]:
    return [
        _check("completeness.ethnicity", "Patients with ethnicity recorded", c.ethnicity),
        _check("completeness.imd", "Patients with an IMD quintile", c.imd),
        _check("completeness.any_record", "Patients with at least one record", c.any_record),
        _check("completeness.recent_record",
               "Registered patients with a record in the last year", c.recent_record),
    ]


def plausibility_checks(ms: tuple[Measurement, ...]) -> list[Check]:
    ranged = [m for m in ms if m.outside is not None]
    out_codes = tuple(m.code for m in ranged if (m.outside.value or 0) > CODE_RANGE_FLAG)
    worst = max((m.outside.value or 0 for m in ranged), default=None)
    unit_codes = tuple(m.code for m in ms if m.wrong_unit.n)
    worst_unit = max((m.wrong_unit.value or 0 for m in ms), default=None)
    return [
        _check("plausibility.range", "Values within their plausible range (worst code)",
               _sum([m.outside for m in ranged]), out_codes, worst),
        _check("plausibility.units", "Values in their code set's unit (worst code)",
               _sum([m.wrong_unit for m in ms]), unit_codes, worst_unit),
    ]


def practice_checks(practices: tuple[PracticeProfile, ...]) -> list[Check]:
    n = len(practices)
    poor = tuple(p.ods_code for p in practices if not p.acceptable)
    no_eth = tuple(p.ods_code for p in practices if "ethnicity" in p.flags)
    return [
        _check("practices.up_to_standard", "Practices up to standard (sending data, "
               "recording continuously)", Ratio(len(poor), n), poor),
        _check("practices.ethnicity", "Practices recording ethnicity",
               Ratio(len(no_eth), n), no_eth),
    ]
