"""The closed vocabularies of UK GP records that DART names everywhere: sexes, ethnic groups,
IMD quintiles, nations, regions, age bands, and the dimensions a population is broken down by.

The bottom layer (stdlib only): the criteria language checks names against these tuples, the
store schema documents its columns with them, the compiler derives ``age_band`` from
``AGE_BAND_LOWS``, and the analyses list their groups in this order.
"""

from __future__ import annotations

from dataclasses import dataclass

SEXES = ("F", "M")
SEX_LABELS = ("Female", "Male")
# The 2001-census five groups GP records use (docs/representativeness.md), then unknown.
ETHNIC_GROUPS = ("asian", "black", "mixed", "white", "other", "unknown")
IMD_QUINTILES = ("1", "2", "3", "4", "5")  # 1 = most deprived
NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")
ENGLISH_REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
# The devolved nations are their own region.
REGIONS = ENGLISH_REGIONS + ("Scotland", "Wales", "Northern Ireland")

# ONS five-year age bands, youngest first: the breakdowns, the reference tables and the
# compiler's ``age_band`` column all use these labels.
AGE_BAND_LOWS = tuple(range(0, 95, 5))
AGE_BANDS = tuple(f"{lo}-{lo + 4}" for lo in AGE_BAND_LOWS[:-1]) + ("90+",)
UNKNOWN = "unknown"


def region_nation(region: str) -> str:
    """The nation a region lies in (the devolved nations are their own region)."""
    return "England" if region in ENGLISH_REGIONS else region


@dataclass(frozen=True)
class DimensionSpec:
    """One way of splitting a population: the ``patient_rules`` column and its known groups,
    with their display labels; ``has_unknown``: the column may also hold ``"unknown"``."""

    key: str
    label: str
    groups: tuple[str, ...]
    labels: tuple[str, ...]
    has_unknown: bool = False

    def label_of(self, group: str) -> str:
        """The display label of ``group``."""
        if group == UNKNOWN:
            return "Unknown"
        return self.labels[self.groups.index(group)]

    @property
    def all_groups(self) -> tuple[str, ...]:
        """Every group a breakdown lists, ``"unknown"`` last where the column may hold it."""
        return (*self.groups, UNKNOWN) if self.has_unknown else self.groups


KNOWN_ETHNIC_GROUPS = tuple(g for g in ETHNIC_GROUPS if g != UNKNOWN)
DIMENSIONS = (
    DimensionSpec("sex", "Sex", SEXES, SEX_LABELS),
    DimensionSpec("age_band", "Age band", AGE_BANDS, AGE_BANDS),
    DimensionSpec("ethnicity", "Ethnic group", KNOWN_ETHNIC_GROUPS,
              tuple(g.capitalize() for g in KNOWN_ETHNIC_GROUPS), has_unknown=True),
    DimensionSpec("imd_quintile", "IMD quintile", IMD_QUINTILES,
              ("1 (most deprived)", "2", "3", "4", "5 (least deprived)"), has_unknown=True),
    DimensionSpec("nation", "Nation", NATIONS, NATIONS),
    DimensionSpec("region", "Region", REGIONS, REGIONS),
)
DIMENSION_BY_KEY = {d.key: d for d in DIMENSIONS}
