"""Reference populations: small CSV tables of UK official statistics.

Each file in ``sample_data/reference/`` begins with ``# source:`` and ``# year:`` comment
lines citing where its figures come from, with status tags (verified, derived, or a
commonly quoted figure not checked: [memory]); "reference-facts.md sN" is a section of
docs/reference-facts.md, which gives each figure's source. The generator draws its
synthetic population from these tables and representativeness compares a cohort against
them, so both use the same numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "reference"


ETHNIC_COLUMNS = ("asian", "black", "mixed", "white", "other")


class ReferenceError(Exception):
    """A reference table that is missing or malformed."""


@dataclass(frozen=True)
class ReferenceSource:
    """Where a reference table's figures come from."""

    name: str
    source: str
    year: str


def _split(path: Path) -> tuple[dict[str, str], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReferenceError(f"cannot read reference table {path}: {exc.strerror}") from None
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") and not body:
            key, sep, value = line[1:].partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
        else:
            body.append(line)
    return meta, "\n".join(body)


def _path(name: str) -> Path:
    path = REFERENCE_DIR / f"{name}.csv"
    if not path.exists():
        known = ", ".join(names())
        raise ReferenceError(f"no reference table {name!r} (known: {known})")
    return path


def names() -> list[str]:
    """The names of the shipped reference tables."""
    return sorted(p.stem for p in REFERENCE_DIR.glob("*.csv"))


@cache
def _load(name: str) -> pd.DataFrame:
    meta, body = _split(_path(name))
    if "source" not in meta or "year" not in meta:
        raise ReferenceError(f"reference table {name!r} lacks '# source:' or '# year:' lines")
    frame = pd.read_csv(io.StringIO(body))
    frame.attrs.update(source=meta["source"], year=meta["year"])
    return frame


def load_reference(name: str) -> pd.DataFrame:
    """The reference table ``name`` (a copy); ``.attrs`` holds its ``source`` and ``year``."""
    return _load(name).copy()


def sources() -> list[ReferenceSource]:
    """Every shipped table with its cited source and year."""
    out = []
    for name in names():
        meta, _ = _split(_path(name))
        out.append(ReferenceSource(name, meta.get("source", ""), meta.get("year", "")))
    return out


def nations() -> pd.DataFrame:
    """UK population by nation: ``nation``, ``population``, ``share`` (ONS mid-2023)."""
    return load_reference("nations")


def regions() -> pd.DataFrame:
    """England's 9 regions: ``region``, ``population``, ``share_of_england`` (mid-2021)."""
    return load_reference("regions")


def uk_regions() -> pd.DataFrame:
    """All 12 UK regions (England's 9, then the other nations) with ``nation`` and a UK
    ``share``: an English region's share of England times England's share of the UK."""
    nat = nations().set_index("nation")["share"]
    eng = regions()
    eng = pd.DataFrame({
        "region": eng["region"], "nation": "England",
        "share": eng["share_of_england"] / eng["share_of_england"].sum() * nat["England"],
    })
    others = pd.DataFrame({
        "region": ["Scotland", "Wales", "Northern Ireland"],
        "nation": ["Scotland", "Wales", "Northern Ireland"],
        "share": [nat["Scotland"], nat["Wales"], nat["Northern Ireland"]],
    })
    out = pd.concat([eng, others], ignore_index=True)
    out["share"] = out["share"] / out["share"].sum()
    return out


def uk_age_sex() -> pd.DataFrame:
    """Age bands youngest first: ``age_band``, ``share`` (persons), ``female_share``;
    plus ``female`` and ``male``, each band's share of the whole population by sex."""
    frame = load_reference("uk_age_sex")
    frame["share"] = frame["share"] / frame["share"].sum()
    frame["female"] = frame["share"] * frame["female_share"]
    frame["male"] = frame["share"] - frame["female"]
    return frame


def ethnicity_by_nation() -> pd.DataFrame:
    """Five-group ethnicity shares (rows sum to 1) indexed by nation."""
    return _shares("ethnicity_by_nation", "nation")


def ethnicity_by_region() -> pd.DataFrame:
    """Five-group ethnicity shares (rows sum to 1) indexed by English region."""
    return _shares("ethnicity_by_region", "region")


def _shares(name: str, key: str) -> pd.DataFrame:
    frame = load_reference(name).set_index(key)[list(ETHNIC_COLUMNS)]
    return frame.div(frame.sum(axis=1), axis=0)


def imd_quintiles() -> pd.DataFrame:
    """IMD quintiles 1 (most deprived) to 5: ``quintile``, ``share``, ``minority_weight``."""
    return load_reference("imd_quintiles")


def qof_prevalence() -> pd.DataFrame:
    """QOF crude prevalence by condition (England), indexed by condition name."""
    return load_reference("qof_prevalence").set_index("condition")


def chinese_share_by_nation() -> pd.Series:
    """Share of each nation's usual residents identifying as Chinese, indexed by nation.

    GP records group ethnicity by the 2001-census five groups, which put Chinese under
    "Other"; the 2021/2022 censuses put Chinese under "Asian". This share is what moves
    from Asian to Other to make the two agree (``.attrs`` cite the source; the ``status``
    column of the table says which figures are verified)."""
    frame = load_reference("chinese_by_nation")
    out = frame.set_index("nation")["chinese_share"].astype(float)
    out.attrs.update(frame.attrs)
    return out


def median_age_by_region() -> pd.Series:
    """Median age of usual residents (census) for each of the 12 UK regions, indexed by
    region: England's 9 regions, then Wales, Scotland and Northern Ireland."""
    frame = load_reference("median_age_by_region")
    out = frame.set_index("region")["median_age"].astype(float)
    out.attrs.update(frame.attrs)
    return out
