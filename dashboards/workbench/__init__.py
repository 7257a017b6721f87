"""workbench view of the dashboard."""

from dashboards.workbench import callbacks, layout

__all__ = ["callbacks", "layout"]
