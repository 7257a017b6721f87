"""The codelist library: good files load, every shipped file loads, bad ones name the line."""

from __future__ import annotations

import pytest

from dart.store.codelists import LIBRARY_DIR, CodelistError, load_library, parse_codelist

EXPECTED = """
t2dm t1dm diabetes_resolved hypertension asthma copd copd_exacerbation af ckd heart_failure
chd stroke_tia depression obesity osteoporosis dementia pregnancy smoking_status
smoking_current smoking_ex smoking_never hba1c egfr bmi systolic_bp diastolic_bp metformin
sulfonylurea pioglitazone sglt2i dpp4i insulin statins antihypertensives anticoagulants
inhaled_corticosteroids bisphosphonates antidepressants influenza_vaccination
shingles_vaccination fragility_fracture
""".split()

UNITS = {"hba1c": "mmol/mol", "egfr": "mL/min/1.73m2", "bmi": "kg/m2",
         "systolic_bp": "mmHg", "diastolic_bp": "mmHg"}
DMD = {"metformin", "sulfonylurea", "pioglitazone", "sglt2i", "dpp4i", "insulin", "statins",
       "antihypertensives", "anticoagulants", "inhaled_corticosteroids", "bisphosphonates",
       "antidepressants"}


def test_good_snomed_file_loads():
    cl = parse_codelist("x", "# unit: mmol/mol\n# source: here\ncode,term\n1,A\n2,\"B, c\"\n")
    assert cl.codes == ("1", "2") and cl.system == "snomed" and cl.unit == "mmol/mol"
    assert cl.terms["2"] == "B, c" and cl.source == "here"


def test_dmd_columns_mean_dmd():
    cl = parse_codelist("x", "dmd_id,dmd_name\n325278007,Metformin 500mg tablets\n")
    assert cl.system == "dmd"


def test_every_shipped_file_loads():
    library = load_library()
    assert set(EXPECTED) <= set(library)
    assert len(library) == len(list(LIBRARY_DIR.glob("*.csv")))
    for name, cl in library.items():
        assert cl.codes, name
        assert cl.source, f"{name} has no '# source:' line"
        assert cl.system == ("dmd" if name in DMD else "snomed"), name
        assert cl.unit == UNITS.get(name), name


def test_smoking_status_is_the_union_of_its_parts():
    lib = load_library()
    parts = set(lib["smoking_current"].codes) | set(lib["smoking_ex"].codes)
    parts |= set(lib["smoking_never"].codes)
    assert set(lib["smoking_status"].codes) == parts


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# system: snomed\ncode,term\n123,ok\n12x,bad\n", 4),
        ("code,term\n1,a\n2,b,c\n", 3),
        ("# source: s\n# unit: mmHg\n\nterm,other\n1,a\n", 4),
        ("# source: nothing here\n", 2),
        ("code,term\n", 1),
    ],
)
def test_malformed_file_names_the_line(tmp_path, text, line):
    path = tmp_path / "broken.csv"
    path.write_text(text)
    with pytest.raises(CodelistError) as info:
        load_library(tmp_path)
    assert info.value.line == line
    assert str(path) in str(info.value)


def test_unknown_system_is_an_error():
    with pytest.raises(CodelistError, match="unknown system"):
        parse_codelist("x", "# system: icd10\ncode,term\n1,a\n")


def test_every_shipped_code_is_a_valid_snomed_ct_identifier():
    # dm+d ids (VMP, AMP and their packs) are SNOMED CT identifiers of the UK drug extension,
    # so both systems are held to the same rules: digits, a concept partition and the
    # Verhoeff check digit the profile checks records with (docs/profile.md).
    from dart.analysis.profile.conformance import valid_code

    bad = {(name, code) for name, cl in load_library().items() for code in cl.codes
           if not valid_code(code)}
    assert bad == set()
