"""Accessibility audits and interaction timings for the browser tests.

``audit(duo, view)`` injects axe-core (vendored under ``vendor/axe-core``, MPL-2.0) into the
page and fails on any serious or critical violation of the WCAG 2.x A and AA rules it checks
(the NHS service standard asks for WCAG 2.2 AA). ``timed(name)`` measures how long an
interaction takes until its answer is on the screen; the times are printed at the end of the
run (reported, never asserted: the machine's load is not the app's speed).
"""

from __future__ import annotations

import json
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


# Installed on the page at the start of a timed block: when the user last clicked or typed
# and when the page last changed, by the page's own clock (no webdriver round trips in it).
WATCH = """
if (!window.__dartTimes) {
  const t = window.__dartTimes = {input: [], change: []};
  for (const kind of ["click", "keydown"]) {
    document.addEventListener(kind, () => t.input.push(performance.now()), true);
  }
  // Nodes and text only: attributes also change on hover and focus, after the answer.
  new MutationObserver(() => t.change.push(performance.now())).observe(
    document.documentElement, {subtree: true, childList: true, characterData: true});
}
window.__dartTimes.input = []; window.__dartTimes.change = [];
return performance.now();
"""
# What happened since ``arguments[0]``: the callback requests (time each took, bytes back),
# the user's last input and the page's last change.
SINCE = """
const since = arguments[0], t = window.__dartTimes || {input: [], change: []};
const sent = performance.getEntriesByType("resource")
    .filter(e => e.name.includes("_dash-update-component") && e.startTime >= since)
    .map(e => [e.duration, e.encodedBodySize]);
const last = t.change.length ? Math.max(...t.change) : null;
const inputs = t.input.filter(x => last === null || x <= last);
return [sent, inputs.length ? Math.max(...inputs) : null, last];
"""


# For a block that opens a new page (signing in), put in every page the browser opens
# (Chromium's DevTools protocol): when the element awaited first appeared, by the page's
# clock, which starts when its navigation does (the sign-in form sent).
APPEARS = """
const wanted = SELECTORS;
window.__dartAppeared = {};
new MutationObserver((_, observer) => {
  for (const selector of wanted) {
    if (!(selector in window.__dartAppeared) && document.querySelector(selector)) {
      window.__dartAppeared[selector] = performance.now();
    }
  }
  if (Object.keys(window.__dartAppeared).length === wanted.length) observer.disconnect();
}).observe(document, {subtree: true, childList: true});
"""
# What that page measured: when the element appeared, when its scripts had run, and its
# callback requests (time each took, bytes back).
OPENED = """
const nav = performance.getEntriesByType("navigation")[0];
const sent = performance.getEntriesByType("resource")
    .filter(e => e.name.includes("_dash-update-component"))
    .map(e => [e.duration, e.encodedBodySize]);
return [window.__dartAppeared || {}, nav ? nav.domContentLoadedEventEnd : null, sent];
"""


@contextmanager
def timed(name: str, duo=None, opens: str | None = None,
          also: dict[str, str] | None = None) -> Iterator[None]:
    """Record how long the block takes (an interaction until its answer is shown).

    With ``duo``, also what the page measured: the time from the user's last click or key
    to the page's last change within the block (the answer as the browser drew it, without
    the test's webdriver round trips), and the callback requests sent (their number, time
    summed and kB received), so a slow interaction says where its time went.

    ``opens``: the block ends on a new page (e.g. signing in) once the element ``opens``
    (a CSS selector) is there: what that page measured instead, from its navigation's
    start (the form sent) until the element first appeared, when its scripts had run, and
    its callback requests; the rest of the block is the test's webdriver round trips (the
    click, polling for the element). ``also``: other elements of that page ({what: CSS
    selector}) whose first appearance is reported too (e.g. a table drawn before a chart)."""
    watched = [opens, *(also or {}).values()] if opens else []
    since = duo.driver.execute_script(WATCH) if duo and not opens else None
    added = duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": APPEARS.replace("SELECTORS", json.dumps(watched))}) if duo and opens else None
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    if added is not None:
        duo.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", added)
        appeared, ready, sent = duo.driver.execute_script(OPENED)
        server = sum(d for d, _ in sent) / 1000
        size = sum(b for _, b in sent) / 1000
        drawn = ("" if opens not in appeared
                 else f"drawn {appeared[opens] / 1000:.2f} s after the form sent; ")
        for what, selector in (also or {}).items():
            if selector in appeared:
                drawn += f"{what} at {appeared[selector] / 1000:.2f} s; "
        scripts = "" if ready is None else f"scripts ready at {ready / 1000:.2f} s; "
        name += f" [{drawn}{scripts}{len(sent)} request(s): {server:.2f} s, {size:.0f} kB]"
    elif duo is not None:
        sent, last_input, last_change = duo.driver.execute_script(SINCE, since)
        server = sum(d for d, _ in sent) / 1000
        size = sum(b for _, b in sent) / 1000
        drawn = ("" if last_input is None or last_change is None
                 else f"drawn {(last_change - last_input) / 1000:.2f} s after the last input; ")
        name += f" [{drawn}{len(sent)} request(s): {server:.2f} s, {size:.0f} kB]"
    TIMINGS.append((name, seconds))
