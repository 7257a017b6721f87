"""How every view writes a published count and a share (one place, so views agree).

A count that leaves for a non-exact role is, in a result's JSON, an integer (already
perturbed), or ``null`` with ``"suppressed": true`` (a true count from 0 to the threshold:
shown as the marker of the result's ``"disclosure"`` section, "<8" by default), or ``0`` with
``"structural": true`` (the criteria themselves make the group empty: shown as such, so
nobody reads it as a gap). The views never round or suppress: they only write what came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_MARKER = "<8"
STRUCTURAL = "0 (excluded by criteria)"


def marker(disclosure: Mapping[str, Any] | None) -> str:
    """The suppression marker of a result's ``disclosure`` section ("<8" by default)."""
    value = (disclosure or {}).get("marker")
    if isinstance(value, str) and value:
        return value
    threshold = (disclosure or {}).get("threshold")
    return f"<{threshold + 1}" if isinstance(threshold, int) else DEFAULT_MARKER


def is_suppressed(cell: Any) -> bool:
    """True for a suppressed count: ``None``, or a cell marked ``suppressed``."""
    if isinstance(cell, Mapping):
        return bool(cell.get("suppressed")) or _value(cell) is None
    return cell is None or isinstance(cell, bool)


def is_structural(cell: Any) -> bool:
    """True for a group that the criteria exclude by design (``"structural": true``)."""
    return isinstance(cell, Mapping) and bool(cell.get("structural"))


def _value(cell: Mapping[str, Any]) -> Any:
    for key in ("count", "remaining", "total", "value", "n"):
        if key in cell:
            return cell[key]
    return None


def count_value(cell: Any) -> int | None:
    """The number to draw: the count, or None when suppressed."""
    if is_suppressed(cell):
        return None
    value = _value(cell) if isinstance(cell, Mapping) else cell
    return int(value) if isinstance(value, int | float) else None


def format_count(cell: Any, disclosure: Mapping[str, Any] | None = None) -> str:
    """A published count as text: "1,234", the suppression marker, or a structural zero.

    ``cell`` is a bare count (int or None) or a JSON cell with ``count`` and its flags.
    """
    if is_structural(cell):
        return STRUCTURAL
    value = count_value(cell)
    return marker(disclosure) if value is None else f"{value:,}"


def format_share(percent: float | None) -> str:
    """A percentage with one decimal everywhere ("8.0%"), or "" when there is none."""
    return "" if percent is None else f"{percent:.1f}%"
