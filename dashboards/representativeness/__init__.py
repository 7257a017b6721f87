"""representativeness view of the dashboard."""

from dashboards.representativeness import callbacks, layout

__all__ = ["callbacks", "layout"]
