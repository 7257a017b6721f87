"""The browser tests change no tracked file unless asked: screenshots only on request."""

from __future__ import annotations

from tests.dashboard import conftest


def test_screenshots_are_taken_only_when_asked(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SCREENSHOTS", tmp_path / "shots")
    monkeypatch.delenv("DART_SCREENSHOTS", raising=False)
    # no browser is touched and nothing is written: the call returns first
    assert conftest.screenshot(object(), "workbench") is None
    monkeypatch.setenv("DART_SCREENSHOTS", "0")
    assert conftest.screenshot(object(), "workbench") is None
    assert not (tmp_path / "shots").exists()
