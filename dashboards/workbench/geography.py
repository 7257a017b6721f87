"""Where the UK's regions and nations are, for the workbench's map of eligible patients.

The map places one bubble per region at the region's approximate centre (longitude,
latitude, WGS84, rounded to 0.1 degree). The twelve areas are those the store's ``region``
column holds: the nine English regions (ITL1 / former NUTS1, as in the ONS "Regions"
boundaries) and Scotland, Wales and Northern Ireland, which are their own ITL1 areas.
Centres are rounded from the centroids that the ONS Open Geography Portal publishes with its
region and country boundaries (https://geoportal.statistics.gov.uk/, Open Government Licence
v3.0); they place a bubble, nothing more.

No boundary shapes are shipped: none reachable from a package registry came with a licence
and the ONS's own files are not on one. The map is a plain plotly scatter on longitude and
latitude axes, so it needs no map tiles or topology files from the internet.
"""

from __future__ import annotations

import math

# (longitude, latitude) of each region's approximate centre.
CENTRES: dict[str, tuple[float, float]] = {
    "North East": (-1.9, 55.0),
    "North West": (-2.7, 54.0),
    "Yorkshire and The Humber": (-1.3, 53.9),
    "East Midlands": (-0.9, 52.9),
    "West Midlands": (-2.2, 52.5),
    "East of England": (0.5, 52.2),
    "London": (-0.1, 51.5),
    "South East": (-0.6, 51.3),
    "South West": (-3.6, 50.8),
    "Wales": (-3.8, 52.3),
    "Scotland": (-4.2, 56.8),
    "Northern Ireland": (-6.7, 54.6),
}
LONGITUDES = (-8.6, 2.2)
LATITUDES = (49.8, 59.2)
# A degree of latitude is 1/cos(latitude) times as long as one of longitude: keeps the
# UK's shape at the map's middle latitude.
ASPECT = 1 / math.cos(math.radians(sum(LATITUDES) / 2))
