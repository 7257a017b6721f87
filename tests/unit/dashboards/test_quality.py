"""The workbench's data-quality panel as a pure function of a trial profile's JSON."""

from __future__ import annotations

from dashboards.workbench import ids, quality
from tests.unit.dashboards.fake import TRIAL_PROFILE
from tests.unit.dashboards.helpers import find, text_of


def test_the_panel_names_codes_never_seen_and_the_share_not_up_to_standard():
    panel = quality.panel(TRIAL_PROFILE)
    # 40 of 150 eligible: 26.7%, at the one practice flagged
    assert text_of(find(panel, ids.NOT_UP_TO_STANDARD)) == (
        "Of the 150 eligible, 40 (26.7%) are registered at 1 practice not up to standard "
        "(T00002).")
    assert "99999999 (t2dm)" in text_of(find(panel, ids.NEVER_SEEN))
    table = find(panel, ids.CODES)
    assert [r["code"] for r in table.data] == ["44054006", "313436004"]
    # a suppressed count stays None in the table and reads as the result's marker
    assert table.data[1]["records"] is None
    assert table.columns[2]["format"].to_plotly_json()["nully"] == "<8"


def test_a_withheld_count_is_said_so_and_no_share_is_made_up():
    withheld = {**TRIAL_PROFILE, "eligible_not_up_to_standard": None}
    assert quality.not_up_to_standard(withheld).startswith(
        "Of the 150 eligible, how many are registered at the 1 practice not up to standard "
        "(T00002) is not published")
    clean = {**TRIAL_PROFILE, "practices_not_up_to_standard": [], "never_seen": []}
    assert quality.not_up_to_standard(clean) == "Every practice in the store is up to standard."
    assert "Every code" in text_of(quality.never_seen(clean))
