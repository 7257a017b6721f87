"""Assertions shared by the API tests: the error shape, hidden NHS numbers, disclosed counts."""

from __future__ import annotations

import json
import re

from tests.functional.api.conftest import CRITERIA, PRACTICE_1, PRACTICE_2, nhs_numbers

ALL_PATIENTS = (*PRACTICE_1, 14, *PRACTICE_2, 30, 31)
NHS_RE = re.compile(r"\b999\d{7}\b")


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The shared error shape with ``status`` (and ``code``, if given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status and isinstance(error["message"], str)
    assert isinstance(error["details"], dict)
    if code:
        assert error["code"] == code, error
    return error


def nhs_in(response) -> set[str]:
    """Every NHS-number-like string in a response body."""
    return set(NHS_RE.findall(response.get_data(as_text=True)))


def counts_in(body, path: str = "") -> list[tuple[str, int]]:
    """Every (path, integer) in a feasibility or representativeness JSON body."""
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            found += counts_in(value, f"{path}.{key}")
    elif isinstance(body, list):
        for i, value in enumerate(body):
            found += counts_in(value, f"{path}[{i}]")
    elif isinstance(body, int) and not isinstance(body, bool):
        found.append((path, body))
    return found


# Integers in a result that are not counts of people.
NOT_COUNTS = ("disclosure.threshold", "disclosure.rounding", "policy.threshold",
              "policy.rounding", "thresholds.", "age_range.", "].index")


def assert_disclosed(body: dict) -> None:
    """No count of 1..7 and no count that is not a multiple of 5 (funnel drops included)."""
    for path, value in counts_in(body):
        if any(marker in path for marker in NOT_COUNTS):
            continue
        assert not 1 <= value <= 7, f"{path} = {value} is a small count"
        assert value % 5 == 0, f"{path} = {value} is not rounded"


def body_text(response) -> str:
    return json.dumps(response.get_json()) if response.is_json else response.get_data(True)


__all__ = ["ALL_PATIENTS", "CRITERIA", "assert_disclosed", "assert_error", "body_text",
           "nhs_in", "nhs_numbers"]
