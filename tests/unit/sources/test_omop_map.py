"""``load_mapping``: overrides apply, anything it does not know is a clear error."""

from __future__ import annotations

import pytest

from dart.sources import get_source
from dart.sources.omop_map import DEFAULT, load_mapping
from dart.store.engine import StoreError


def _load(tmp_path, text: str):
    path = tmp_path / "map.toml"
    path.write_text(text)
    return load_mapping(path)


def test_a_table_left_out_keeps_its_defaults(tmp_path):
    mapping = _load(tmp_path, "[imd]\nobservation_source_value = 'imd'\n")
    assert mapping.imd_source_value == "imd"
    assert (mapping.female, mapping.races, mapping.snomed) == (
        DEFAULT.female, DEFAULT.races, DEFAULT.snomed)


@pytest.mark.parametrize("text,message", [
    ("[gender]\nfemale = 1\n", "unknown table"),
    ("[sex]\nfmale = 1\n", "unknown key 'fmale'"),
    ("[sex]\nfemale = '8532'\n", "female must be int"),
    ("[sex]\nfemale = true\n", "female must be int"),
    ("[race]\n8515 = 'Asian British'\n", "use one of"),
    ("[race]\nasian = 'asian'\n", "concept ids"),
    ("sex = 1\n", "must be a table"),
    ("[sex\n", "not TOML"),
])
def test_what_it_does_not_know_is_an_error(tmp_path, text, message):
    with pytest.raises(StoreError, match=message):
        _load(tmp_path, text)


def test_a_missing_file_and_a_native_source_are_refused(tmp_path):
    with pytest.raises(StoreError, match="source map"):
        load_mapping(tmp_path / "absent.toml")
    (tmp_path / "m.toml").write_text("")
    with pytest.raises(StoreError, match="omop only"):
        get_source("native", str(tmp_path / "m.toml"))
