"""DART's one palette: Okabe–Ito colours (Okabe & Ito, 2008, "Color Universal Design"),
distinguishable under the common colour-vision deficiencies. Every figure (the reports and
every dashboard view) takes its colours from here."""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
# Verdict colours of the data-quality profile: pass green, warn orange, fail vermillion.
VERDICT_COLOURS = {"pass": OKABE_ITO["green"], "warn": OKABE_ITO["orange"],
                   "fail": OKABE_ITO["vermillion"]}
