"""admin view of the dashboard."""

from dashboards.admin import callbacks, layout

__all__ = ["callbacks", "layout"]
