"""Results kept per store version, so that asking again costs no query (docs/api.md).

A feasibility run, a representativeness report or the store's data-quality profile depends
only on the criteria text, the store's data and, for what is published, on whether the
reader sees exact counts. ``ResultCache`` keeps the latest results under a key made of
those, so the dashboard's second Run of the same criteria, or a second
``GET /api/v1/profile`` (75 s at a million patients), is answered from memory.

The store's version (``store_version``) is its ``store_info`` rows (extract date, seed,
schema version: what a load or the generator writes), its number of patients and of
invitations, the store's own and those the application database recorded (insert-only;
the criteria's ``invited`` reads both), and the application database's lifecycle as the
criteria's ``enrolled`` reads it (how many are enrolled and its latest change, since an
outcome can be corrected): a new extract, a regenerated store, added patients, a recorded
invitation or outcome make a new version, so nothing older is served for it. Every
answer is still audited and counted against the query budget by the caller: the cache
saves the store's work, not the rules.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa

from dart.sources.native import NATIVE
from dart.store.app_tables import invitations, recruitment_status
from dart.store.engine import store_info

T = TypeVar("T")
DEFAULT_SIZE = 64


def store_version(bind: sa.Engine | sa.Connection, app: sa.Engine | None = None) -> str:
    """A short fingerprint of the store's data: ``store_info``, patients and invitations
    (the store's own and, with ``app``, those the application database recorded, and its
    lifecycle's enrolments and latest change)."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return store_version(conn, app)
    info = store_info(bind)
    counts = [bind.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
              for t in (NATIVE.identities, NATIVE.invitations)]
    if app is not None:  # its tables made when the services start
        with app.connect() as conn:
            counts.append(conn.execute(
                sa.select(sa.func.count()).select_from(invitations)).scalar_one())
            rs = recruitment_status.c
            enrolled, changed = conn.execute(sa.select(
                sa.func.count().filter(rs.status == sa.bindparam("enrolled", "enrolled")),
                sa.func.max(rs.updated_at))).one()
            counts += [enrolled, str(changed)]
    text = json.dumps([sorted(info.items()), counts])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def json_key(value: object) -> str:
    """A key for a JSON-ready value (e.g. a result as a reader receives it)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


class ResultCache:
    """The ``size`` most recently used results by key (thread-safe).

    Two threads asking for the same missing key may both compute it (the later one is
    kept): a lock held across a query would make every other reader wait for it.
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a result cache holds at least one result")
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # how many results were computed (not found): for tests and logs

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result kept under ``key``, else ``compute()`` kept under it (an exception
        keeps nothing)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self.computed += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._items.clear()
