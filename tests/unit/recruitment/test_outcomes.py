"""Parsing a practice's outcomes CSV: what is accepted, and errors that name the line."""

from __future__ import annotations

import pytest

from dart.recruitment.lifecycle import Change
from dart.recruitment.outcomes import OutcomeFileError, parse_outcomes

NHS = {"9990000107": 1}


def test_the_downloaded_list_with_a_status_column_is_accepted():
    text = ('"# study 1: T (version 1)"\n# list date 2026-07-15\n'
            "patient_id,nhs_number,new,reason: Adults,Status,Channel\n"
            "5,9990000050,yes,age 56,Invited,Text message\n6,9990000069,,age 40,,\n")
    assert parse_outcomes(text, NHS) == [Change(5, "invited", "text_message", None)]


def test_nhs_numbers_with_spaces_and_spelt_statuses():
    text = "nhs_number,status,reason\n999 000 0107,Screened out, frail \n"
    assert parse_outcomes(text, NHS) == [Change(1, "screened_out", None, "frail")]


@pytest.mark.parametrize(("text", "line"), [
    ("patient_id,status\n-1,invited\n", 2),
    ("a,b\n1,2\n", 1),
    ("nhs_number,status\n\n9991234567,invited\n", 3),
])
def test_errors_name_the_line(text, line):
    with pytest.raises(OutcomeFileError) as err:
        parse_outcomes(text, NHS)
    assert err.value.line == line


@pytest.mark.parametrize("text", ["", "# only a comment\n", "patient_id,status\n1,\n"])
def test_files_without_outcomes_are_refused(text):
    with pytest.raises(OutcomeFileError):
        parse_outcomes(text, NHS)
