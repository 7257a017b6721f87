"""A practice's outcomes as a CSV file: one row per patient, parsed into lifecycle changes.

The file can be the downloaded invite list itself with a ``status`` column filled in (its
``#`` preamble lines are skipped, and columns it does not know are ignored), or any CSV with:

    patient_id   (or nhs_number, digits with or without spaces)
    status       invited, responded, declined, screened_out or enrolled
                 ("screened out" and any case are accepted); a blank row is skipped
    channel      for invited: letter, text_message or in_person (optional)
    reason       for screened_out (required there)

A malformed file is refused whole, naming the line (``OutcomeFileError``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from dart.recruitment.lifecycle import Change

MAX_ROWS = 5000


class OutcomeFileError(ValueError):
    """A CSV the outcomes cannot be read from; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _token(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def parse_outcomes(text: str, nhs_to_id: Mapping[str, int]) -> list[Change]:
    """The changes in ``text``; ``nhs_to_id`` maps the practice's NHS numbers (10 digits)
    to patient ids, for rows that give only an NHS number."""
    lines = text.splitlines()
    body = [(n, ln) for n, ln in enumerate(lines, 1)
            if ln.strip() and not ln.lstrip('"\'').startswith("#")]
    if not body:
        raise OutcomeFileError("the file has no header row")
    reader = csv.reader(io.StringIO("\n".join(ln for _, ln in body)))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise OutcomeFileError(f"not a CSV file: {exc}") from None
    header = [_token(h) for h in rows[0]]
    if "status" not in header or not {"patient_id", "nhs_number"} & set(header):
        raise OutcomeFileError("the header needs a status column and a patient_id or "
                               "nhs_number column", body[0][0])
    if len(rows) - 1 > MAX_ROWS:
        raise OutcomeFileError(f"at most {MAX_ROWS} rows")
    changes = []
    for (line, _), cells in zip(body[1:], rows[1:], strict=False):
        record = dict(zip(header, cells, strict=False))
        status = _token(_clean(record.get("status")))
        if not status:
            continue
        changes.append(Change(_patient(record, nhs_to_id, line), status,
                              _token(_clean(record.get("channel"))) or None,
                              _clean(record.get("reason")) or None))
    if not changes:
        raise OutcomeFileError("no row has a status")
    return changes


def _patient(record: dict, nhs_to_id: Mapping[str, int], line: int) -> int:
    text = _clean(record.get("patient_id"))
    if text:
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 2**63 - 1:
            raise OutcomeFileError(f"patient_id {text[:20]!r} is not a positive integer", line)
        return int(text)
    nhs = _clean(record.get("nhs_number")).replace(" ", "")
    if nhs not in nhs_to_id:
        raise OutcomeFileError(f"NHS number {nhs[:12]!r} is not one of this practice's "
                               "patients", line)
    return nhs_to_id[nhs]
