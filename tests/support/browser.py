"""What the browser tests share: the window size, the wait for a view, screenshots."""

from __future__ import annotations

import os
import time
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WINDOW = (1440, 1000)
WAIT = 30


def screenshot(dash_duo, name: str, height: int | None = None) -> Path | None:
    """With ``DART_SCREENSHOTS=1``, save the view as docs/screenshots/<name>.png (the
    page's full height); otherwise do nothing."""
    if os.environ.get("DART_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver = dash_duo.driver
    driver.execute_script("window.scrollTo(0, 0)")
    full = height or driver.execute_script(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(WINDOW[0], max(WINDOW[1], min(int(full) + 40, 4000)))
    time.sleep(1.5)  # the charts are responsive: let them redraw at the new size
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(*WINDOW)
    return path
