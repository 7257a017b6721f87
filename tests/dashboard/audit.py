"""Accessibility audits and interaction timings for the browser tests.

``audit(duo, view)`` injects axe-core (vendored under ``vendor/axe-core``, MPL-2.0) into the
page and fails on any serious or critical violation of the WCAG 2.x A and AA rules it checks
(the NHS service standard asks for WCAG 2.2 AA). ``timed(name)`` measures how long an
interaction takes until its answer is on the screen; the times are printed at the end of the
run (reported, never asserted: the machine's load is not the app's speed).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
TIMINGS: list[tuple[str, float]] = []

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))))
  .catch(e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
"""


def audit(duo, view: str) -> list[dict]:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    Returns every violation found (the minor and moderate ones too, for the report)."""
    driver = duo.driver
    driver.set_script_timeout(120)
    if not driver.execute_script("return typeof axe !== 'undefined'"):
        driver.execute_script(AXE.read_text())
    violations = driver.execute_async_script(RUN_AXE, TAGS)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{view}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in blocking)
    return violations


# The callback requests sent since ``arguments[0]`` (the page's clock): how long each took
# and how many bytes came back.
REQUESTS_SINCE = """return performance.getEntriesByType("resource")
    .filter(e => e.name.includes("_dash-update-component") && e.startTime >= arguments[0])
    .map(e => [e.duration, e.encodedBodySize])"""


@contextmanager
def timed(name: str, duo=None) -> Iterator[None]:
    """Record how long the block takes (an interaction until its answer is shown) and, with
    ``duo``, the callback requests it sent: their number, time on the wire and server
    (summed) and bytes received, so a slow interaction says where its time went."""
    since = duo.driver.execute_script("return performance.now()") if duo else None
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    if duo is not None:
        sent = duo.driver.execute_script(REQUESTS_SINCE, since)
        server = sum(d for d, _ in sent) / 1000
        size = sum(b for _, b in sent) / 1000
        name += f" [{len(sent)} request(s): {server:.2f} s, {size:.0f} kB]"
    TIMINGS.append((name, seconds))
