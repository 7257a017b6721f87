"""Practices: spread over the 12 UK regions in proportion to population, list sizes varying.

Each region gets practices in proportion to its population share (ONS, see
``sample_data/reference/nations.csv`` and ``regions.csv``), at least one each when there
are 12 or more. Within a region list sizes vary (log-normal, as real list sizes run from
about 2,000 to over 20,000), and the weights are scaled so that every region's share of
patients matches its population share whatever the number of practices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dart.store import reference

# ODS practice codes start with a letter tied to the (former) health authority area; these
# letters follow that pattern loosely (Scotland, Wales and NI use their own schemes).
REGION_LETTER = {
    "North East": "A", "North West": "P", "Yorkshire and The Humber": "B",
    "East Midlands": "C", "West Midlands": "M", "East of England": "D", "London": "F",
    "South East": "H", "South West": "L", "Scotland": "S", "Wales": "W",
    "Northern Ireland": "Z",
}
REGION_PLACES = {
    "North East": "Gateshead Sunderland Durham Hexham Darlington Blyth",
    "North West": "Salford Bolton Wigan Preston Carlisle Birkenhead Oldham",
    "Yorkshire and The Humber": "Leeds Bradford Sheffield Hull Harrogate Rotherham",
    "East Midlands": "Derby Leicester Nottingham Lincoln Kettering Mansfield",
    "West Midlands": "Dudley Walsall Coventry Hereford Stafford Sandwell",
    "East of England": "Norwich Ipswich Luton Colchester Peterborough Harlow",
    "London": "Hackney Brixton Ealing Croydon Stratford Harrow Lewisham Barnet",
    "South East": "Reading Brighton Oxford Maidstone Slough Guildford Crawley",
    "South West": "Bristol Exeter Plymouth Swindon Taunton Truro Bath",
    "Scotland": "Glasgow Edinburgh Dundee Aberdeen Paisley Inverness",
    "Wales": "Cardiff Swansea Newport Wrexham Bangor Aberystwyth",
    "Northern Ireland": "Belfast Derry Lisburn Newry Armagh Omagh",
}
MAX_PRACTICES = 100_000
SUFFIXES = ("Medical Centre", "Surgery", "Health Centre", "Medical Practice", "Family Practice",
            "Group Practice")
STREETS = ("Park", "Riverside", "High Street", "Church Road", "Station Road", "Castle",
           "Valley", "Millbrook", "Oakwood", "Victoria")


def _allocate(shares: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder allocation of ``total`` practices, one each first if possible."""
    base = np.ones(len(shares), dtype=int) if total >= len(shares) else np.zeros(len(shares), int)
    rest = total - base.sum()
    exact = shares / shares.sum() * rest
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: rest - counts.sum()]] += 1
    return base + counts


def make_practices(rng: np.random.Generator, count: int) -> pd.DataFrame:
    """``count`` practices: practice_id, ods_code, name, region, nation, and ``weight`` (the
    share of all patients each one holds; weights sum to 1)."""
    regions = reference.uk_regions()
    shares = regions["share"].to_numpy()
    per_region = _allocate(shares, count)
    region_idx = np.repeat(np.arange(len(regions)), per_region)
    size = rng.lognormal(mean=0.0, sigma=0.5, size=count)
    weight = np.zeros(count)
    for r, share in enumerate(shares):
        mask = region_idx == r
        if mask.any():
            weight[mask] = size[mask] / size[mask].sum() * share
    weight /= weight.sum()
    region = regions["region"].to_numpy()[region_idx]
    letters = np.array([REGION_LETTER[r] for r in region])
    # Serials are unique across practices (up to MAX_PRACTICES), so codes are unique.
    serial = (81000 + np.arange(count)) % 100_000
    ods = np.char.add(letters, np.char.zfill(serial.astype(str), 5))
    places = [rng.choice(REGION_PLACES[r].split()) for r in region]
    streets = rng.choice(np.array(STREETS), size=count)
    suffixes = rng.choice(np.array(SUFFIXES), size=count)
    names = [f"{s} {p} {x}" if s != "High Street" else f"{p} {s} {x}"
             for s, p, x in zip(streets, places, suffixes, strict=True)]
    return pd.DataFrame({
        "practice_id": np.arange(1, count + 1),
        "ods_code": ods,
        "name": names,
        "region": region,
        "nation": regions["nation"].to_numpy()[region_idx],
        "weight": weight,
    })
