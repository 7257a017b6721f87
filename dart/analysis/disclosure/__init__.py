"""Statistical disclosure control: the one engine every published count goes through.

The cell key method (ONS, Census 2021; ABS TableBuilder), docs/disclosure.md: every patient
has a secret, fixed record key (``keys``, computed in SQL); a cell's key is the sum of its
patients' keys mod 256, aggregated beside its count in the same query; the published count
is the exact one plus ``p(count, cell key)`` from a public perturbation table (``ptable``);
counts 0..threshold are published as one marker (``"<8"``), structural zeros as 0.

    policy = DisclosurePolicy()                      # threshold 7, max perturbation 4
    shown = apply_disclosure(run_feasibility(engine, text, keys=policy.keys), policy)

Modules: ``keys`` (record keys and the secret), ``ptable`` (the perturbation table),
``policy`` (``DisclosurePolicy``, count formatting), ``structural`` (groups the criteria
make empty), ``nested`` (a cell within 0..threshold patients of its anchor in the same answer
reads as the anchor), ``feasibility`` (``apply_disclosure``, the funnel built from two pieces
a step).
"""

from dart.analysis.disclosure.feasibility import (
    Cell,
    DisclosedResult,
    apply_disclosure,
    published_funnel,
)
from dart.analysis.disclosure.keys import KEY_BASE, RecordKeys, deployment_secret, record_keys
from dart.analysis.disclosure.policy import DisclosurePolicy, count_text
from dart.analysis.disclosure.ptable import perturbation
from dart.analysis.disclosure.structural import structural_groups

__all__ = ["KEY_BASE", "Cell", "DisclosedResult", "DisclosurePolicy", "RecordKeys",
           "apply_disclosure", "count_text", "deployment_secret", "perturbation",
           "published_funnel", "record_keys", "structural_groups"]
