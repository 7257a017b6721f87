"""`practice in ("ODS", ...)`: the patient's practice has one of these ODS codes (bare or
quoted, matched ignoring case); a code no practice of the store has is an error."""

import pytest

from criteria_grammar.errors import CriteriaError
from dart.compiler import prepare
from tests.spec.helpers import CODELISTS, EMPTY_LIBRARY, spec_test
from tests.support.tables import load_tables

PRACTICES = """
practice
practice_id | ods_code | region
1           | A81001   | London
2           | B82002   | London
3           | C83003   | Wales

patient
patient_id | practice_id
1          | 1
2          | 2
3          | 3
4          | 1
"""


def test_practice_in_bare_and_quoted_codes_ignoring_case(store):
    spec_test(store, PRACTICES, 'include practice in (a81001, "B82002")', {1, 2, 4})


def test_not_practice_in(store):
    spec_test(store, PRACTICES, "exclude practice in (A81001)", {2, 3})


def test_an_ods_code_not_in_the_store_is_an_error_at_the_code(store):
    load_tables(store, PRACTICES)
    text = CODELISTS + "\ninclude practice in (A81001, Z99999)"
    with store.connect() as conn, pytest.raises(CriteriaError) as err:
        prepare(conn, text, EMPTY_LIBRARY)
    line = text.splitlines().index("include practice in (A81001, Z99999)") + 1
    assert (err.value.code, err.value.line, err.value.col) == ("unknown-practice", line, 30)
    assert "Z99999" in err.value.message
