"""A practice user's invite list in a browser: the CSV file, marking invited, isolation."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException

from dart.store.schema import patient
from dashboards.invites import ids
from tests.dashboard.audit import timed
from tests.support.browser import WAIT, screenshot

pytestmark = pytest.mark.browser


def downloaded_csv(folder: Path, timeout: float = WAIT) -> list[dict]:
    """Rows of the first finished CSV download in ``folder``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if p.suffix == ".csv"]
        if done:
            return csv_rows(done[0].read_text())
        time.sleep(0.2)
    raise AssertionError(f"no CSV downloaded into {folder}")


def csv_rows(text: str) -> list[dict]:
    """The patient rows of an invite-list CSV (after its ``#`` preamble)."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip('"').startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def practice_of(engine: sa.Engine) -> dict[int, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(patient.c.patient_id, patient.c.practice_id)).all())


def test_practice_downloads_its_own_list_and_marks_invited(signed_in, flask_app, test_store):
    duo = signed_in("practice2")
    duo.wait_for_element(f"#{ids.TABLE} td[data-dash-column=nhs_number]", timeout=WAIT)
    duo.find_element(f"#{ids.DOWNLOAD_BUTTON}").click()
    rows = downloaded_csv(Path(duo.download_path))

    api = flask_app.test_client().get(
        f"/api/v1/studies/{test_store.study_id}/invites?format=csv",
        headers={"Authorization": f"Bearer {test_store.tokens['practice2']}"})
    assert rows == csv_rows(api.get_data(as_text=True))
    owners = practice_of(test_store.engine)
    assert len(rows) >= 2
    assert {owners[int(r["patient_id"])] for r in rows} == {test_store.practices["practice2"]}
    screenshot(duo, "invites")

    # select the first two rows and mark them invited: they leave the list
    first = [r["patient_id"] for r in rows[:2]]
    boxes = duo.find_elements(f"#{ids.TABLE} input[type=checkbox]")
    boxes[0].click()
    boxes[1].click()
    with timed("invite list: mark 2 invited until the list is drawn without them", duo):
        duo.find_element(f"#{ids.MARK}").click()
        duo.wait_for_contains_text(f"#{ids.MESSAGE}", "Marked 2 patient(s) as invited",
                                   timeout=WAIT)
        # the list reloads after the message: wait until the invited patients have left it
        duo.wait_for_contains_text(f"#{ids.SUMMARY}", f"{len(rows) - 2} patients on the list",
                                   timeout=WAIT)
        until(lambda: not shown_ids(duo) & set(first), timeout=WAIT)

    # select all: one click ticks every row shown
    with timed("invite list: select all", duo):
        duo.find_element(f"#{ids.SELECT_ALL}").click()
        until(lambda: checked(duo) == len(rows) - 2, timeout=WAIT)
    with timed("invite list: select none", duo):
        duo.find_element(f"#{ids.SELECT_NONE}").click()
        until(lambda: checked(duo) == 0, timeout=WAIT)


def checked(duo) -> int:
    for _ in range(5):
        try:
            return sum(box.is_selected() for box in duo.find_elements(
                f"#{ids.TABLE} input[type=checkbox]"))
        except StaleElementReferenceException:
            continue
    raise AssertionError("the table kept changing")


def shown_ids(duo) -> set[str]:
    """Patient ids in the table now (read again if the table is redrawn meanwhile)."""
    for _ in range(5):
        try:
            return {td.text for td in duo.find_elements(
                f"#{ids.TABLE} td[data-dash-column=patient_id]")}
        except StaleElementReferenceException:
            continue
    raise AssertionError("the table kept changing")


def test_practice_lists_never_mix(signed_in, test_store):
    owners = practice_of(test_store.engine)
    for name, practice in test_store.practices.items():
        duo = signed_in(name)
        duo.wait_for_element(f"#{ids.TABLE} td[data-dash-column=patient_id]", timeout=WAIT)
        ids_shown = {int(td.text) for td in duo.find_elements(
            f"#{ids.TABLE} td[data-dash-column=patient_id]")}
        assert ids_shown and {owners[i] for i in ids_shown} == {practice}
