"""scripts/uk_boundaries.py's TopoJSON decoding, on a hand-made topology (no shapely)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "uk_boundaries.py"
spec = importlib.util.spec_from_file_location("uk_boundaries", SCRIPT)
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)

# Two arcs of a unit square's outline in quantised, delta-encoded form: (0,0) -> (2,0) ->
# (2,4), then (2,4) -> (0,4) -> (0,0); a unit is half a degree east and a quarter north.
TOPOLOGY = {"transform": {"scale": [0.5, 0.25], "translate": [-2, 50]},
            "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]]}


def test_arcs_are_delta_decoded_and_placed():
    assert script.decode_arcs(TOPOLOGY) == [
        [(-2.0, 50.0), (-1.0, 50.0), (-1.0, 51.0)],
        [(-1.0, 51.0), (-2.0, 51.0), (-2.0, 50.0)]]


def test_a_ring_joins_its_arcs_once_each_and_reverses_negative_ones():
    arcs = script.decode_arcs(TOPOLOGY)
    assert script.ring([0, 1], arcs) == [(-2.0, 50.0), (-1.0, 50.0), (-1.0, 51.0),
                                         (-2.0, 51.0), (-2.0, 50.0)]
    # ~1 is arc 1 backwards: the same square, clockwise
    assert script.ring([~1, ~0], arcs) == [(-2.0, 50.0), (-2.0, 51.0), (-1.0, 51.0),
                                           (-1.0, 50.0), (-2.0, 50.0)]


def test_rounding_drops_repeats_and_closes_the_ring():
    points = [(-2.001, 50.004), (-1.999, 49.996), (-1.0, 50.0), (-1.0, 51.0)]
    assert script.rounded(points, 2) == [(-2.0, 50.0), (-1.0, 50.0), (-1.0, 51.0),
                                         (-2.0, 50.0)]
