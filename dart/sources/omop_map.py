"""The concept ids and values the OMOP mapping reads, and ``--source-map FILE`` (TOML),
which overrides them for a CDM whose ETL chose others (docs/sources.md)::

    [sex]
    female = 8532
    male = 8507

    [race]            # race_concept_id = DART ethnic group
    8515 = "asian"

    [imd]
    observation_source_value = "imd_quintile"

    [vocabulary]      # concept.vocabulary_id of each code system
    snomed = "SNOMED"
    dmd = "dm+d"

A table left out keeps its defaults; ``[race]`` replaces the default races as a whole.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from dart.store.engine import StoreError
from dart_vocab import ETHNIC_GROUPS

FIVE_GROUPS = tuple(g for g in ETHNIC_GROUPS if g != "unknown")
"""The groups a race concept or ``race_source_value`` may name."""


@dataclass(frozen=True)
class OmopMapping:
    female: int = 8532
    male: int = 8507
    races: dict[int, str] = field(default_factory=lambda: {
        8515: "asian", 8516: "black", 8527: "white"})
    imd_source_value: str = "imd_quintile"
    snomed: str = "SNOMED"
    dmd: str = "dm+d"

    def vocabulary(self, system: str) -> str:
        """``concept.vocabulary_id`` of a code set's system (snomed or dmd)."""
        return self.snomed if system == "snomed" else self.dmd


DEFAULT = OmopMapping()
_KEYS = {"sex": {"female": int, "male": int}, "imd": {"observation_source_value": str},
         "vocabulary": {"snomed": str, "dmd": str}, "race": None}
_FIELDS = {("sex", "female"): "female", ("sex", "male"): "male",
           ("imd", "observation_source_value"): "imd_source_value",
           ("vocabulary", "snomed"): "snomed", ("vocabulary", "dmd"): "dmd"}


def _fail(path: Path, message: str) -> StoreError:
    return StoreError(f"source map {path}: {message}")


def load_mapping(path: str | Path) -> OmopMapping:
    """``DEFAULT`` with the overrides of the TOML file at ``path``; ``StoreError`` if the
    file cannot be read or holds a key, type or group the mapping does not know."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, exc.strerror or str(exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not TOML: {exc}") from None
    changes: dict = {}
    for table, values in data.items():
        if table not in _KEYS:
            raise _fail(path, f"unknown table [{table}] (known: {', '.join(_KEYS)})")
        if not isinstance(values, dict):
            raise _fail(path, f"{table} must be a table ([{table}])")
        if table == "race":
            changes["races"] = _races(path, values)
            continue
        for key, value in values.items():
            want = _KEYS[table].get(key)
            if want is None:
                raise _fail(path, f"unknown key {key!r} in [{table}]")
            if not isinstance(value, want) or isinstance(value, bool):
                raise _fail(path, f"[{table}] {key} must be {want.__name__}")
            changes[_FIELDS[(table, key)]] = value
    return replace(DEFAULT, **changes)


def _races(path: Path, values: dict) -> dict[int, str]:
    races = {}
    for key, group in values.items():
        if not key.isdigit():
            raise _fail(path, f"[race] keys are concept ids, not {key!r}")
        if group not in FIVE_GROUPS:
            raise _fail(path, f"[race] {key} = {group!r}: use one of {', '.join(FIVE_GROUPS)}")
        races[int(key)] = group
    return races
