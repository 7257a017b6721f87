"""``dart serve`` in its own process, for tests against the real server."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from tests.functional.api.test_cli import free_port


@contextmanager
def dart_serve(url: str, app_url: str, *options: str
               ) -> Iterator[tuple[str, subprocess.Popen]]:
    """The API base URL and the process of ``dart serve --db url --app-db app_url
    --no-dashboard`` with ``options``, once it answers (at most 120 s: the machine may be
    busy)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from dart.cli import main; main()", "serve", "--db", url,
         "--app-db", app_url, "--port", str(port), "--no-dashboard", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{base}/openapi.json", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):  # still starting
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
