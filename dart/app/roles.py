"""Who may do what, and who sees exact counts: the role rules every service applies.

A role that may never do something gets 403 before any lookup (``require``). Only an admin
(and, outside the server, the local data owner who asks for ``--no-suppression``) sees
exact counts; every other reader's counts go through the disclosure policy
(``reader_policy``), the one place that choice is made.
"""

from __future__ import annotations

import dataclasses

from dart.analysis.disclosure import DisclosurePolicy
from dart.app.errors import Forbidden
from dart.store.app_tables import ROLES

ANALYSTS = ("sponsor", "researcher", "admin")
# Roles that read approved studies only, each as its frozen version alone.
APPROVED_READERS = ("practice", "researcher")
STUDY_READERS = ("sponsor", *APPROVED_READERS, "admin")
SPONSOR_VIEWS = ("sponsor", "admin")
EXACT_ROLES = ("admin",)

__all__ = ["ANALYSTS", "APPROVED_READERS", "EXACT_ROLES", "ROLES", "SPONSOR_VIEWS",
           "STUDY_READERS", "reader_policy", "require", "sees_exact"]


def require(user, *roles: str) -> None:
    """Refuse (403) a ``user`` whose role is not one of ``roles``."""
    if user.role not in roles:
        raise Forbidden(f"the {user.role} role may not do this")


def sees_exact(role: str) -> bool:
    """True for a role that is shown exact counts (no disclosure control)."""
    return role in EXACT_ROLES


def reader_policy(policy: DisclosurePolicy, *, exact: bool) -> DisclosurePolicy:
    """The policy a reader's counts go through: ``policy`` itself, or the same policy with
    disclosure control off for a reader who sees exact counts (its record keys unchanged)."""
    return dataclasses.replace(policy, enabled=False) if exact else policy
