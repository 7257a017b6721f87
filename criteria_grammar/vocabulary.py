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
