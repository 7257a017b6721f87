"""Units of measurement: spelling normalisation and the conversions the language knows.

Comparison policy: a unit is first stripped of spaces. If it is one of the known units below,
matched ignoring case (``mmhg`` = ``mmHg``, ``ml/min/1.73m2`` = ``mL/min/1.73m2``), it becomes
that unit's canonical spelling. This is safe because no two known units differ only in case.
An unknown unit is kept exactly as written and must match exactly: ignoring case in general
could confuse prefixes (``mU/L`` milli-units against ``MU/L`` mega-units).

Only the threshold in a criterion is ever converted, never the data
(docs/criteria-language.md, Units).
"""

from __future__ import annotations

from collections.abc import Callable

# Canonical spelling -> other accepted spellings (compared ignoring case, without spaces).
KNOWN_UNITS: dict[str, tuple[str, ...]] = {
    "mmol/mol": (),
    "%": ("percent",),
    "mmol/L": (),
    "µmol/L": ("umol/l", "μmol/l", "micromol/l"),
    "mg/L": (),
    "g/L": (),
    "mmHg": ("mm hg", "mm[hg]"),
    "kg/m2": ("kg/m^2", "kg/m²"),
    "mL/min/1.73m2": ("ml/min/1.73m^2", "ml/min/1.73m²", "ml/min/1.73 m2",
                      "ml/min/{1.73_m2}"),
    "kg": (),
    "g": (),
    "cm": (),
    "m": (),
    "bpm": ("beats/min",),
}

_ALIASES: dict[str, str] = {}
for _canonical, _others in KNOWN_UNITS.items():
    for _spelling in (_canonical, *_others):
        _ALIASES[_spelling.replace(" ", "").casefold()] = _canonical

# HbA1c: DCCT % to IFCC mmol/mol (the NGSP/IFCC master equation).
_HBA1C_SLOPE, _HBA1C_OFFSET = 10.929, 2.15

CONVERSIONS: dict[tuple[str, str], Callable[[float], float]] = {
    ("%", "mmol/mol"): lambda v: (v - _HBA1C_OFFSET) * _HBA1C_SLOPE,
    ("mmol/mol", "%"): lambda v: v / _HBA1C_SLOPE + _HBA1C_OFFSET,
    ("g", "kg"): lambda v: v / 1000.0,
    ("kg", "g"): lambda v: v * 1000.0,
    ("cm", "m"): lambda v: v / 100.0,
    ("m", "cm"): lambda v: v * 100.0,
}


def normalise(unit: str) -> str:
    """The canonical spelling of ``unit`` (unknown units are returned without spaces)."""
    compact = unit.strip().replace(" ", "")
    return _ALIASES.get(compact.casefold(), compact)


def same_unit(a: str, b: str) -> bool:
    """Whether two spellings name the same unit (see the module docstring for the policy)."""
    return normalise(a) == normalise(b)


def can_convert(from_unit: str, to_unit: str) -> bool:
    """Whether a value in ``from_unit`` can be expressed in ``to_unit`` (same unit included)."""
    source, target = normalise(from_unit), normalise(to_unit)
    return source == target or (source, target) in CONVERSIONS


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``.

    >>> round(convert(7.5, "%", "mmol/mol"), 1)
    58.5

    Raises ``KeyError`` when no conversion is known.
    """
    source, target = normalise(from_unit), normalise(to_unit)
    if source == target:
        return float(value)
    try:
        return CONVERSIONS[(source, target)](float(value))
    except KeyError:
        raise KeyError(f"no conversion from {from_unit!r} to {to_unit!r}") from None
