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
# Amounts on a map (the workbench's regions), light to dark: ColorBrewer's sequential
# "Blues" (Brewer, https://colorbrewer2.org/#type=sequential&scheme=Blues&n=9), one hue, so
# it reads in order under the common colour-vision deficiencies and in greyscale. Its
# lightest class (almost white) is left out: a small count must not look like no area.
SEQUENTIAL = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c",
              "#08306b")
# Verdict colours of the data-quality profile: pass green, warn orange, fail vermillion.
VERDICT_COLOURS = {"pass": OKABE_ITO["green"], "warn": OKABE_ITO["orange"],
                   "fail": OKABE_ITO["vermillion"]}
