"""Helpers for the browser tests: raw Dash callback requests with a browser's session."""

from __future__ import annotations

import requests


def session_cookies(dash_duo) -> dict[str, str]:
    """The browser's cookies (the Flask session among them)."""
    return {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}


def outputs_of(dash_app, output: str) -> list[tuple[str, str]]:
    """All outputs of the app's callback that has ``output`` ("id.property") among them."""
    key = next(k for k in dash_app.callback_map if output in k.strip(".").split("..."))
    return [tuple(part.rsplit(".", 1)) for part in key.strip(".").split("...")]


def call_callback(dash_duo, base: str, outputs: list[tuple[str, str]],
                  inputs: list[tuple[str, str, object]],
                  state: list[tuple[str, str, object]] = (),
                  csrf: bool = True, cookies: dict[str, str] | None = None
                  ) -> requests.Response:
    """POST a callback as the browser would, with its session cookie and (``csrf``) the
    CSRF header Dash's renderer sends, bypassing the UI (``cookies``: others, e.g. copied
    before a sign-out).

    This is what a user could craft by hand: the server must refuse it by itself.
    """
    out = [{"id": i, "property": p} for i, p in outputs]
    if len(outputs) == 1:
        output = f"{outputs[0][0]}.{outputs[0][1]}"
        out = out[0]
    else:
        output = ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."
    body = {
        "output": output, "outputs": out,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
    }
    cookies = cookies or session_cookies(dash_duo)
    headers = {"X-CSRFToken": cookies.get("_csrf_token", "")} if csrf else {}
    return requests.post(f"{base}/dashboard/_dash-update-component", json=body,
                         cookies=cookies, headers=headers, timeout=30)
