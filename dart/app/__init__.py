"""DART's application layer: what a user may do, for the API, the CLI and the dashboard alike.

``services.Services`` applies the access rules, writes the audit entry and returns plain
results; ``accounts`` (users and tokens), ``audit`` (the hash-chained audit log),
``sessions`` (dashboard sessions), ``budget`` (the query budget), ``analyses`` (criteria
checked once and counted), ``roles`` (who may do what, who sees exact counts) and
``errors`` (the ``ServiceError`` kinds, each with its HTTP status). No Flask here: ``dart.web``
turns these into HTTP.
"""
