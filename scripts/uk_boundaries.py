"""Convert UK-GeoJSON's TopoJSON boundaries into the workbench map's region shapes.

The workbench draws the UK's twelve regions (dart_vocab.REGIONS) from one small file,
``dashboards/workbench/boundaries/uk_regions.json``, written by this script together with
the licence note beside it (``README.md``). Its sources are two files of the UK-GeoJSON
project (https://github.com/martinjc/UK-GeoJSON), generalised clipped boundaries from the
ONS, OS, NRS and LPS under the Open Government Licence v3.0:

- ``json/electoral/gb/topo_eer.json``: the 11 European electoral regions of Great Britain
  (the nine English regions, Scotland, Wales);
- ``json/administrative/ni/topo_lgd.json``: Northern Ireland's 11 local government
  districts, dissolved here into one Northern Ireland shape.

Usage (shapely is needed by this script only, never by DART itself)::

    python3 -m venv /tmp/boundaries-venv && /tmp/boundaries-venv/bin/pip install shapely
    PYTHONPATH=. /tmp/boundaries-venv/bin/python scripts/uk_boundaries.py FOLDER

FOLDER holds ``gb_topo_eer.json`` and ``ni_topo_lgd.json`` (copies of the two files above)
and, optionally, ``source-commit.txt`` (the UK-GeoJSON commit they were taken from: its
hash and date, as ``git log -1 --format='%H %cd'`` prints them; ``--commit`` overrides it).

Each TopoJSON arc (a border line, shared by the two areas it separates) is simplified once,
so neighbours still meet exactly; then islands smaller than ``--min-area`` km2 are dropped
and coordinates rounded to ``--digits`` decimals of a degree.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
from pathlib import Path

from dart_vocab import REGIONS

# shapely is imported where it is used: the TopoJSON decoding is tested without it
# (tests/unit/dashboards/test_boundaries_script.py), and DART does not depend on it.

OUT = Path(__file__).resolve().parent.parent / "dashboards" / "workbench" / "boundaries"
GB, NI = "gb_topo_eer.json", "ni_topo_lgd.json"
# The source's names where DART's differ (dart_vocab.REGIONS).
NAMES = {"Eastern": "East of England"}
NI_CODE = "N92000002"  # the ONS code of Northern Ireland as a country
MIDDLE = math.cos(math.radians(54.5))  # simplify on a plane where degrees are as long
KM_PER_DEGREE = 111.2
# The source's attribution (its README, "Licence Information"), which sub-licences must keep.
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2016. Contains Office for "
    "National Statistics, National Records of Scotland and LPS Intellectual Property data "
    "© Crown copyright and database right 2016. Licensed under the Open Government Licence "
    "v3.0. Boundaries: UK-GeoJSON (github.com/martinjc/UK-GeoJSON), simplified."
)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc of a quantised TopoJSON topology as (longitude, latitude) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded integers
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(arcs: list, tolerance_km: float) -> list[list[tuple[float, float]]]:
    """Each arc simplified on its own (Douglas-Peucker; the two ends stay where they are)."""
    from shapely.geometry import LineString

    tolerance = tolerance_km / KM_PER_DEGREE
    out = []
    for arc in arcs:
        line = LineString([(x * MIDDLE, y) for x, y in arc])
        kept = line.simplify(tolerance, preserve_topology=False).coords if len(arc) > 2 else arc
        out.append([(x / MIDDLE, y) for x, y in kept] if len(arc) > 2 else arc)
    return out


def ring(indices: list[int], arcs: list) -> list[tuple[float, float]]:
    """A ring from its arcs (``~i`` is arc ``i`` reversed); each arc starts where the last
    ended, so that point is written once."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def shape(geometry: dict, arcs: list):
    """A TopoJSON Polygon or MultiPolygon as a shapely MultiPolygon."""
    from shapely.geometry import MultiPolygon, Polygon

    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    built = []
    for rings in polygons:
        outer, *holes = (ring(r, arcs) for r in rings)
        if len(outer) >= 4:
            built.append(Polygon(outer, [h for h in holes if len(h) >= 4]))
    return MultiPolygon(built)


def area_km2(polygon) -> float:
    """Roughly, for dropping islets: degrees scaled at the UK's middle latitude."""
    return polygon.area * MIDDLE * KM_PER_DEGREE ** 2


def parts(geometry, min_area: float) -> list:
    """The polygons of ``geometry`` of at least ``min_area`` km2, largest first."""
    polygons = list(getattr(geometry, "geoms", [geometry]))
    return sorted((p for p in polygons if area_km2(p) >= min_area), key=area_km2,
                  reverse=True)


def rounded(points, digits: int) -> list[tuple[float, float]]:
    """Points rounded, repeats dropped, the ring closed."""
    out: list[tuple[float, float]] = []
    for x, y in points:
        point = (round(x, digits), round(y, digits))
        if not out or point != out[-1]:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def region_record(name: str, code: str, geometry, min_area: float, digits: int) -> dict:
    """One region as the map draws it: every ring's longitudes and latitudes, rings
    separated by null (a break in a plotly trace), and where its label goes."""
    from shapely.geometry import Polygon
    from shapely.ops import polylabel

    kept = parts(geometry, min_area)
    lon: list[float | None] = []
    lat: list[float | None] = []
    holes = 0
    for polygon in kept:
        # slivers where two districts' borders do not quite meet are not holes
        holes += sum(area_km2(Polygon(h)) >= min_area for h in polygon.interiors)
        points = rounded(polygon.exterior.coords, digits)
        if len(points) < 4:
            continue
        if lon:
            lon.append(None)
            lat.append(None)
        lon.extend(x for x, _ in points)
        lat.extend(y for _, y in points)
    if holes:  # the map fills outer rings only: none of the UK's regions has a hole
        raise SystemExit(f"{name} has {holes} hole(s): the map cannot draw them")
    label = polylabel(kept[0], tolerance=0.01)  # the point farthest inside the largest part
    return {"name": name, "code": code, "label": [round(label.x, 2), round(label.y, 2)],
            "lon": lon, "lat": lat}


def convert(folder: Path, tolerance_km: float, min_area: float, digits: int) -> list[dict]:
    """The twelve regions, in dart_vocab.REGIONS order."""
    from shapely.ops import unary_union

    gb = json.loads((folder / GB).read_text())
    ni = json.loads((folder / NI).read_text())
    found: dict[str, dict] = {}
    arcs = simplify(decode_arcs(gb), tolerance_km)
    for geometry in gb["objects"]["eer"]["geometries"]:
        props = geometry["properties"]
        name = NAMES.get(props["EER13NM"], props["EER13NM"])
        found[name] = region_record(name, props["EER13CD"], shape(geometry, arcs), min_area,
                                    digits)
    arcs = simplify(decode_arcs(ni), tolerance_km)
    districts = [shape(g, arcs) for g in ni["objects"]["lgd"]["geometries"]]
    # Neighbouring districts share their simplified arcs exactly, so the union is clean
    # (buffer(0) mends the odd sliver a shared arc's rounding could leave).
    found["Northern Ireland"] = region_record("Northern Ireland", NI_CODE,
                                              unary_union(districts).buffer(0), min_area,
                                              digits)
    if set(found) != set(REGIONS):
        raise SystemExit(f"regions {sorted(found)} are not DART's {sorted(REGIONS)}")
    return [found[name] for name in REGIONS]


README = """# The UK's regions for the workbench's map

`uk_regions.json` holds the twelve regions DART counts by (`dart_vocab.REGIONS`: the nine
English regions, Scotland, Wales and Northern Ireland) as simplified outlines, longitude and
latitude (WGS84) rounded to {digits} decimals; each region's rings are separated by `null`.
It is written by `scripts/uk_boundaries.py` (run it again to refresh it; the script says how).

- **Source:** UK-GeoJSON, https://github.com/martinjc/UK-GeoJSON, commit
  {commit}:
  `json/electoral/gb/topo_eer.json` (European electoral regions, which are the English
  regions and Scotland and Wales; "Eastern" is the East of England) and
  `json/administrative/ni/topo_lgd.json` (Northern Ireland's local government districts,
  dissolved into one shape). Those are generalised, clipped boundaries from the Office for
  National Statistics, Ordnance Survey, National Records of Scotland and Land and Property
  Services (Northern Ireland), converted to TopoJSON by the UK-GeoJSON project.
- **Converted:** {today}: each border simplified once (Douglas-Peucker, {tolerance:g} km, so
  neighbours still meet), islands under {min_area:g} km² left out.
- **Licence:** Open Government Licence v3.0,
  https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/ ; Ordnance
  Survey data is also covered by the OS OpenData licence. The attribution must be kept with
  any copy or derived work.
- **Attribution** (shown under the map): {attribution}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help=f"the folder holding {GB} and {NI}")
    parser.add_argument("--commit", help="the UK-GeoJSON commit the files came from")
    parser.add_argument("--tolerance", type=float, default=5.0, help="km (default 5)")
    parser.add_argument("--min-area", type=float, default=150.0, help="km2 (default 150)")
    parser.add_argument("--digits", type=int, default=2, help="decimals (default 2)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args()
    commit = args.commit
    if commit is None and (args.folder / "source-commit.txt").exists():
        commit = (args.folder / "source-commit.txt").read_text().strip()
    if not commit:
        parser.error("say which UK-GeoJSON commit the files came from (--commit)")
    regions = convert(args.folder, args.tolerance, args.min_area, args.digits)
    args.out.mkdir(parents=True, exist_ok=True)
    data = {"attribution": ATTRIBUTION, "source": "https://github.com/martinjc/UK-GeoJSON",
            "commit": commit, "licence": "OGL-UK-3.0", "regions": regions}
    target = args.out / "uk_regions.json"
    target.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    (args.out / "README.md").write_text(README.format(
        digits=args.digits, commit=commit, today=datetime.date.today().isoformat(),
        tolerance=args.tolerance, min_area=args.min_area, attribution=ATTRIBUTION))
    points = sum(len(r["lon"]) for r in regions)
    print(f"{target}: {len(regions)} regions, {points} points, "
          f"{target.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
