"""The query budget: how many feasibility and representativeness answers a sponsor or a
researcher gets per rolling window (docs/query-budget.md).

Perturbed counts resist rephrasing, but averaging many different answers that each contain
one patient can still wear the noise down; a budget bounds how many answers anyone gets.
Use is counted from the audit log (successful answers only), so it survives restarts and
every server process sharing the database sees the same number.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from dart.app.errors import TooManyRequests

# Anchor: the German research data portal for health data (Forschungsdatenportal für
# Gesundheit) lets a user run 50 feasibility queries per 7 days.
DEFAULT_QUERIES = 50
DEFAULT_WINDOW = dt.timedelta(days=7)
# The answers whose sets a reader shapes: criteria, a stage, a date (newly eligible since).
COUNTED_ACTIONS = ("feasibility", "representativeness", "recruitment.newly_eligible")
BUDGETED_ROLES = ("sponsor", "researcher")


@dataclass(frozen=True)
class QueryBudget:
    """``queries`` answers per rolling ``window`` for each user of ``roles``."""

    queries: int = DEFAULT_QUERIES
    window: dt.timedelta = DEFAULT_WINDOW
    roles: tuple[str, ...] = BUDGETED_ROLES

    def __post_init__(self) -> None:
        if self.queries < 1 or self.window.total_seconds() < 1:
            raise ValueError("a query budget needs at least one query and a window of "
                             "at least one second")

    def applies_to(self, role: str) -> bool:
        return role in self.roles

    def since(self, now: dt.datetime) -> dt.datetime:
        """The start of the window ending at ``now``."""
        return now - self.window

    def retry_after(self, used: Sequence[dt.datetime], now: dt.datetime) -> int | None:
        """Seconds until one more answer is allowed (None: allowed now).

        ``used`` are the times of the answers counted in the window, oldest first. The
        answer waits until enough of them have left the window that one fits again.
        """
        if len(used) < self.queries:
            return None
        leaving = used[len(used) - self.queries]
        return max(1, math.ceil((leaving + self.window - now).total_seconds()))

    def check(self, used: Sequence[dt.datetime], now: dt.datetime) -> None:
        """Raise ``TooManyRequests`` (429, with ``retry_after``) if the budget is spent."""
        wait = self.retry_after(used, now)
        if wait is not None:
            raise TooManyRequests(
                f"query budget spent: {self.queries} answers per "
                f"{_duration(self.window)}; the next is allowed in {wait} s",
                code="query_budget_exhausted",
                details={"retry_after": wait, **self.to_json()})

    def usage(self, accounts: Sequence[dict], answered: Sequence[tuple[int, dt.datetime]],
              now: dt.datetime) -> dict:
        """Each budgeted account's use in the window ending at ``now``: ``accounts`` as
        ``list_users`` gives them, ``answered`` the (user id, time) of the counted answers."""
        used: dict[int, list[dt.datetime]] = {}
        for user_id, at in answered:
            used.setdefault(user_id, []).append(at)
        rows = []
        for account in accounts:
            if not self.applies_to(account["role"]):
                continue
            times = used.get(account["user_id"], [])
            rows.append({"name": account["name"], "role": account["role"],
                         "used": len(times), "remaining": max(0, self.queries - len(times)),
                         "retry_after": self.retry_after(times, now),
                         "revoked": account["revoked_at"] is not None})
        return {"budget": self.to_json(), "at": now.isoformat(), "users": rows}

    def to_json(self) -> dict:
        return {"queries": self.queries, "window_seconds": int(self.window.total_seconds()),
                "roles": list(self.roles)}


def _duration(window: dt.timedelta) -> str:
    seconds = int(window.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    return f"{seconds} s"
