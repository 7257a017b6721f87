"""The UK's regions and nations as shapes, for the workbench's map of eligible patients.

The twelve areas are those the store's ``region`` column holds (``dart_vocab.REGIONS``): the
nine English regions and Scotland, Wales and Northern Ireland. Their outlines are read from
``boundaries/uk_regions.json``, which ships with DART: generalised boundaries from the ONS,
OS, NRS and LPS (Open Government Licence v3.0) as the UK-GeoJSON project converted them,
simplified by ``scripts/uk_boundaries.py``; ``boundaries/README.md`` says where from, when,
and under what licence. The map is drawn from this file alone: it needs no map tiles or
topology from the internet.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

FILE = Path(__file__).parent / "boundaries" / "uk_regions.json"
# A degree of latitude is 1/cos(latitude) times as long as one of longitude: keeps the
# UK's shape at its middle latitude.
ASPECT = 1 / math.cos(math.radians(54.5))


@dataclass(frozen=True)
class Shape:
    """One region's outline: longitudes and latitudes, its rings separated by None (a break
    in a plotly trace), and where its label goes."""

    name: str
    code: str  # the ONS code
    lon: tuple[float | None, ...]
    lat: tuple[float | None, ...]
    label: tuple[float, float]


@dataclass(frozen=True)
class Boundaries:
    """Every region's shape, in ``dart_vocab.REGIONS`` order, and the attribution the
    licence asks for (shown under the map)."""

    shapes: dict[str, Shape]
    attribution: str

    @cached_property
    def longitudes(self) -> tuple[float, float]:
        return _extent(s.lon for s in self.shapes.values())

    @cached_property
    def latitudes(self) -> tuple[float, float]:
        return _extent(s.lat for s in self.shapes.values())


def _extent(rings) -> tuple[float, float]:
    values = [v for ring in rings for v in ring if v is not None]
    return min(values), max(values)


@cache
def boundaries() -> Boundaries:
    """The shipped shapes (read once)."""
    data = json.loads(FILE.read_text(encoding="utf-8"))
    shapes = {r["name"]: Shape(r["name"], r["code"], tuple(r["lon"]), tuple(r["lat"]),
                               tuple(r["label"]))
              for r in data["regions"]}
    return Boundaries(shapes, data["attribution"])
