"""Assertions shared by the API tests: the error shape, hidden NHS numbers, disclosed counts."""

from __future__ import annotations

import json
import re

from tests.support.api import CRITERIA, PRACTICE_1, PRACTICE_2, nhs_numbers

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


def counts_in(body, path: str = "", structural: bool = False) -> list[tuple[str, int, bool]]:
    """Every (path, integer, structural) in a feasibility or representativeness JSON body;
    ``structural``: the object holding the integer says ``"structural": true``."""
    found = []
    if isinstance(body, dict):
        here = body.get("structural") is True
        for key, value in body.items():
            found += counts_in(value, f"{path}.{key}", here)
    elif isinstance(body, list):
        for i, value in enumerate(body):
            found += counts_in(value, f"{path}[{i}]")
    elif isinstance(body, int) and not isinstance(body, bool):
        found.append((path, body, structural))
    return found


# Integers in a result that are not counts of people; a funnel step's ``dropped`` is the
# difference of two published counts, not a count of its own.
NOT_COUNTS = ("disclosure.threshold", "disclosure.max_perturbation", "thresholds.",
              "age_range.", "].index", ".dropped")


def assert_disclosed(body: dict, threshold: int = 7, skip: tuple[str, ...] = ()) -> None:
    """Every count is above the threshold, or a 0 that says it is structural (null
    counts are the marker): no count 1..threshold, no true zero told apart from them."""
    assert body["disclosure"]["applied"] is True
    for path, value, structural in counts_in(body):
        if any(marker in path for marker in (*NOT_COUNTS, *skip)):
            continue
        assert value > threshold or (value == 0 and structural), \
            f"{path} = {value} is a small count"


def body_text(response) -> str:
    return json.dumps(response.get_json()) if response.is_json else response.get_data(True)


__all__ = ["ALL_PATIENTS", "CRITERIA", "assert_disclosed", "assert_error", "body_text",
           "nhs_in", "nhs_numbers"]
