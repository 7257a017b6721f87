"""The example criteria files a view offers in its picker."""

from __future__ import annotations

from dash.exceptions import PreventUpdate

from dashboards.auth import backend, require


def example_text(name: str | None, *roles: str) -> str:
    """The text of the chosen example, for a user holding one of ``roles``."""
    require(*roles)
    examples = backend().examples()
    if not name or name not in examples:
        raise PreventUpdate
    return examples[name]
