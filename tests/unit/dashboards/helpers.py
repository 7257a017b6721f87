"""Walking Dash component trees in unit tests."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dash import html
from dash.development.base_component import Component


def walk(node) -> Iterator[Component]:
    """Every component under ``node`` (a component, a list or plain text)."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
    elif isinstance(node, Component):
        yield node
        yield from walk(getattr(node, "children", None))


def find(node, id_: str) -> Component:
    """The component with ``id_``."""
    return next(c for c in walk(node) if getattr(c, "id", None) == id_)


def text_of(node) -> str:
    """All the text under ``node``, joined."""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(text_of(c) for c in node)
    if isinstance(node, Component):
        return text_of(getattr(node, "children", None))
    return ""


def labels_point_at_inputs(node) -> set[str]:
    """Ids named by ``html.Label(htmlFor=...)``; asserts each names a component present."""
    ids = {getattr(c, "id", None) for c in walk(node)}
    targets = {c.htmlFor for c in walk(node) if isinstance(c, html.Label)}
    assert targets <= ids, targets - ids
    return targets


def csrf_token(client, path: str = "/dashboard/login") -> str:
    """The CSRF token of the client's session: the login form's hidden field, else the
    ``_csrf_token`` cookie that every dashboard answer sets."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    if found:
        return found.group(1)
    return client.get_cookie("_csrf_token", path="/dashboard/").value
