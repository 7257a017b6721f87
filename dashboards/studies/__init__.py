"""The sponsor's "My studies": each study's status, recruitment funnel and forecast."""

from dashboards.studies import callbacks, ids, layout

__all__ = ["callbacks", "ids", "layout"]
