"""The closed vocabularies the language names: ethnic groups, nations, regions.

The store schema uses the same tuples (``dart.store.schema`` imports them from here)."""

from __future__ import annotations

ETHNIC_GROUPS = ("asian", "black", "mixed", "white", "other", "unknown")
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
REGIONS = ENGLISH_REGIONS + ("Scotland", "Wales", "Northern Ireland")

# ONS five-year age bands, youngest first: the breakdowns, the reference tables and the
# compiler's ``age_band`` column all use these labels.
AGE_BAND_LOWS = tuple(range(0, 95, 5))
AGE_BANDS = tuple(f"{lo}-{lo + 4}" for lo in AGE_BAND_LOWS[:-1]) + ("90+",)
