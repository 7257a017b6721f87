"""Browser-test set-up: Chromium flags, a small store, and a fresh app per test.

``pytest_setup_options`` is dash's hook for the webdriver options; the flags stop Chromium
from trying to reach the internet (it stalls here without them). dash already points
Chrome's download directory at ``dash_duo.download_path`` (a per-test tmp folder).
Screenshots for the docs are written only when ``DART_SCREENSHOTS=1``: a test run never
changes a tracked file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import nullcontext

import pytest
from selenium.webdriver.chrome.options import Options

from tests.dashboard.audit import timed
from tests.dashboard.store import TestStore, make_store
from tests.support.browser import WAIT, WINDOW

CHROME_FLAGS = ("--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--no-first-run")
# Generous waits: the machine is shared, and a loaded CPU slows the first page load.


def pytest_setup_options() -> Options:
    """Chrome options for dash_duo (dash adds --headless and --no-sandbox itself)."""
    options = Options()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    return options


@pytest.fixture(scope="session", autouse=True)
def chromium_temp() -> Iterator[None]:
    """Chromium's temporary folders go into one folder that is removed at the end (it
    leaves org.chromium.* folders in the system's temp folder otherwise)."""
    folder = tempfile.mkdtemp(prefix="dart-browser-")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = folder  # read by chromedriver and Chromium when they start
    yield
    if before is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def test_store(tmp_path_factory) -> Iterator[TestStore]:
    """One store for the whole session (tests that write make their own studies)."""
    store = make_store(tmp_path_factory.mktemp("dashboard") / "store.db")
    yield store
    store.engine.dispose()


@pytest.fixture
def flask_app(test_store):
    """A fresh ``create_app`` with the dashboard mounted; ``.dash`` is the Dash app."""
    from dart.web import create_app
    from dashboards import init_dashboard

    mounted = []
    app = create_app({"ENGINE": test_store.engine, "SECRET_KEY": "dashboard-tests",
                      "DASHBOARD": lambda server: mounted.append(init_dashboard(server))})
    app.dash = mounted[0]
    return app


@pytest.fixture
def signed_in(dash_duo, flask_app, test_store) -> Iterator[Callable[[str], object]]:
    """Start the server and return ``sign_in(name)``, which signs in through the form."""
    dash_duo.start_server(flask_app.dash, navigate=False)
    base = dash_duo.server.url.rstrip("/")

    def sign_in(name: str, secret: str | None = None, until: str | None = None):
        """Sign in through the form; with ``until`` (a CSS selector), time the sign-in
        from pressing the button until that element of the first view is drawn."""
        sign_out(dash_duo, base)
        dash_duo.wait_for_element("#login-name", timeout=WAIT).send_keys(name)
        dash_duo.find_element("#login-secret").send_keys(secret or test_store.tokens[name])
        clock = (timed(f"sign in as {name} until the view is drawn", dash_duo, opens=until)
                 if until else nullcontext())
        with clock:
            dash_duo.find_element("#login-submit").click()
            if until:
                dash_duo.wait_for_element(until, timeout=WAIT)
        if secret is None:
            dash_duo.wait_for_contains_text("#app-who", name, timeout=WAIT)
        return dash_duo

    sign_in.base = base
    sign_in.duo = dash_duo
    yield sign_in
    # Every page of the test ran under the server's Content-Security-Policy: nothing refused.
    refused = [e["message"] for e in dash_duo.get_logs() or []
               if "Content Security Policy" in e["message"]]
    assert refused == [], refused


def sign_out(dash_duo, base: str) -> None:
    """Start anonymous: drop the browser's cookies (logout itself is a POST), open the form."""
    dash_duo.driver.get(f"{base}/dashboard/login")
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(f"{base}/dashboard/login")


def pytest_terminal_summary(terminalreporter) -> None:
    """Print how long each measured interaction took (see ``tests.dashboard.audit``)."""
    from tests.dashboard.audit import TIMINGS

    if TIMINGS:
        terminalreporter.section("dashboard interaction times")
        for name, seconds in TIMINGS:
            terminalreporter.write_line(f"{seconds:7.2f} s  {name}")
        # The times scale with the machine's load (other processes on its cores).
        loads = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        terminalreporter.write_line(f"load average (1, 5, 15 min): {loads} on "
                                    f"{os.cpu_count()} cores")

