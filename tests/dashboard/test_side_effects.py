"""The browser tests change no tracked file unless asked: screenshots only on request."""

from __future__ import annotations

from tests.support import browser


def test_screenshots_are_taken_only_when_asked(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "SCREENSHOTS", tmp_path / "shots")
    monkeypatch.delenv("DART_SCREENSHOTS", raising=False)
    # no browser is touched and nothing is written: the call returns first
    assert browser.screenshot(object(), "workbench") is None
    monkeypatch.setenv("DART_SCREENSHOTS", "0")
    assert browser.screenshot(object(), "workbench") is None
    assert not (tmp_path / "shots").exists()
