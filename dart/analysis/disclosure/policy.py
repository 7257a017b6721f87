"""The disclosure policy: the one place a count is turned into what a reader may see.

``DisclosurePolicy.disclose(n, cell_key)`` is the rule (docs/disclosure.md):

* a cell the criteria themselves make empty (a structural zero) is published as 0;
* a true count of 0..``threshold`` is published as no number at all (``None``, shown as
  the marker ``"<8"``), true zeros included, so that 0 and "a few" cannot be told apart;
* any other count is published as ``n + p(n, cell key)`` from the perturbation table:
  the same patients (the same count and cell key) always get the same published count.

With ``enabled=False`` (an admin, ``--no-suppression``) counts are exact. With ``memory``
(a ``memory.Recall``: the counts the deployment published before), a cell within
``threshold`` patients of a set published in an earlier answer reads as that set did
(``nested.publish_nested``, docs/disclosure.md "Across answers").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dart.analysis.disclosure.keys import KEY_BASE, RecordKeys, deployment_secret, record_keys
from dart.analysis.disclosure.ptable import perturbation

if TYPE_CHECKING:
    from dart.analysis.disclosure.memory import Recall

METHOD = "cell key perturbation"
# Every count of its own of this many patients or more is within 5 % of the truth
# (n // 20); funnel steps are from here or ``copies_accurate_from``, whichever is higher.
ACCURATE_FROM = 100
TOLERANCE = 20
# From this many patients a copied count (another set's, within ``threshold`` patients:
# nested, or published before) must be within 5 % of the cell's; from 220 every copy is
# (7 + 4 <= 220 // 20). The default: a set read again reads as before, so a cell 1..7
# patients from it must read the same to tell nothing of the gap, which is within 5 % of
# the cell only from 220 (docs/disclosure.md, "Why no rule for copies closes it"); copies
# of 100..219 are within 11 instead.
COPIES_ACCURATE_FROM = 220


@dataclass(frozen=True)
class DisclosurePolicy:
    """Suppress 0..``threshold``, perturb the rest by at most ``max_perturbation``."""

    threshold: int = 7
    max_perturbation: int = 4
    enabled: bool = True
    copies_accurate_from: int = COPIES_ACCURATE_FROM
    """From this many patients a cell takes another set's count (nested, or published
    before) only when that count is within 5 % of its own. 220 (the default, from where
    every copy is) leaves no look at the gap between two sets 1..7 patients apart at any
    size, and a copy of 100..219 is then within 11 of the truth; 100 keeps every count of
    100 or more within 5 %, and leaves looks at 100..219 (docs/disclosure.md, "Across
    answers")."""
    secret: str | None = field(default=None, repr=False, compare=False)
    memory: Recall | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.threshold < 0 or not 0 <= self.max_perturbation <= 10:
            raise ValueError("threshold must be >= 0 and max_perturbation 0..10")
        if self.copies_accurate_from < 0:
            raise ValueError("copies_accurate_from must be >= 0")

    @property
    def marker(self) -> str:
        """What a suppressed count reads as: ``"<8"`` for the default threshold."""
        return f"<{self.threshold + 1}"

    @property
    def keys(self) -> RecordKeys:
        """The record keys the counting queries add up (``secret``, else the deployment's)."""
        return record_keys(self.secret)

    def disclose(self, n: int, cell_key: int, *, structural: bool = False) -> int | None:
        """One count as published: ``None`` (the marker), 0 (structural) or perturbed."""
        if not self.enabled:
            return n
        if structural and n == 0:
            return 0
        if n <= self.threshold:
            return None
        return n + perturbation(n, cell_key, self.max_perturbation, self.threshold)

    def disclose_ids(self, patient_ids: Iterable[int]) -> int | None:
        """The count of a set of patients known by id (in Python, e.g. newly eligible), its
        packed key the sum of theirs as the SQL sums them (so its cell key too), published
        as ``publish`` does: with ``memory``, as a set published before within
        ``threshold`` patients of it."""
        return self.publish(*self.keys.cell(patient_ids))

    def publish(self, n: int, key: int) -> int | None:
        """One cell of ``n`` patients (``key``: their packed key) as published: ``disclose``,
        or with ``memory`` the count of a set published before that it is within
        ``threshold`` patients of (``nested.publish_one``)."""
        from dart.analysis.disclosure.nested import publish_one

        return publish_one(self, n, key)

    def disclose_aggregate(self, n: int, what: str) -> int | None:
        """A count whose patients the caller does not hold (a store-wide statistic, a
        recruitment stage), its cell key derived from the secret and ``what`` names it
        (e.g. ``"funnel 3 practice 12 invited"``): the same cell always gets the same
        perturbation for the same count. Only for cells a user cannot redefine at will:
        a query-shaped cell must sum its patients' keys (``disclose``)."""
        digest = hmac.new((self.secret or deployment_secret()).encode(), what.encode(),
                          hashlib.sha256).digest()
        return self.disclose(n, int.from_bytes(digest[:4], "big") % KEY_BASE)

    def to_json(self) -> dict:
        """The result's top-level ``"disclosure"`` object (the secret never appears)."""
        return {"method": METHOD, "threshold": self.threshold, "marker": self.marker,
                "max_perturbation": self.max_perturbation, "applied": self.enabled}


def count_text(value: int | None, *, marker: str, structural: bool = False) -> str:
    """A published count for a table or a chart label: ``"<8"``, ``"0 (structural)"``,
    ``"1,234"``; the one formatting of counts for the CLI, reports and the dashboard."""
    if value is None:
        return marker
    if structural and value == 0:
        return "0 (structural)"
    return f"{value:,}"
