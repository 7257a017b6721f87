"""invites view of the dashboard."""

from dashboards.invites import callbacks, layout

__all__ = ["callbacks", "layout"]
