"""Counts published before: a set within ``threshold`` patients of a set published in an
earlier answer reads as that set did (docs/disclosure.md, "Across answers").

Nested cells (``nested``) leave no look at a small group within one answer. Across answers
a sponsor can still build pairs: a set S_k with a small group T, then S_k without it, each
a new set with fresh noise, and average the differences ``|T| + p1 - p2`` over a budget of
answers. So every count published as a number is remembered (``PublishedCells``, a table of
DART's own database, for the whole deployment: every reader and endpoint), and a later
cell takes the published count of a remembered set when:

* it is the same set (the same count and packed key): always, so a set reads the same in
  every answer, whoever asks;
* otherwise the two sets differ by at most ``threshold`` patients: their bucket counts
  (``keys.pack``) differ by ``threshold`` or less in all. Two sets that differ by d
  patients always pass (the counts of 64 buckets differ by d at most), so S_k and S_k
  without T read the same whatever the size of T; two unrelated sets rarely do, and then
  the copy is as close to the truth as a nested one;
* the count it carries was a set's own within ``threshold`` of this one's (copies never
  chain further), and from ``copies_accurate_from`` patients (the policy's) it is within
  5 % of this one's.

The remembered counts are the deployment's published numbers and the exact counts beside
them; the exact counts never leave (nothing reads the table but this module). What it
does not cover is in docs/disclosure.md ("Across answers").
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from dart.analysis.disclosure.keys import BUCKETS, unpack, unpack_many
from dart.analysis.disclosure.policy import COPIES_ACCURATE_FROM, TOLERANCE
from dart.store.app_tables import ensure_app_tables, published_cells, utcnow

# An arbitrary constant naming the memory's lock among PostgreSQL advisory locks (the audit
# log's is another).
PG_LOCK_KEY = 0x44415254_4D454D
LOAD_CHUNK = 20_000  # remembered sets decoded at a time when a process loads them


@dataclass(frozen=True, slots=True)
class Remembered:
    """One published set: its exact count, the count it was published with, and the exact
    count of the set whose own count that is (its packed key and bucket counts are kept
    by ``PublishedCells``, compactly)."""

    n: int
    value: int
    root_n: int
    order: int = 0  # the order it was remembered in (the earliest wins among equals)


def digest(packed: int) -> bytes:
    """16 bytes naming a packed key: what tells the same set among those of its size
    (the packed key itself is 400 bytes; a collision of 128-bit digests is not a risk)."""
    raw = packed.to_bytes((packed.bit_length() + 8) // 8, "little", signed=True)
    return hashlib.blake2b(raw, digest_size=16).digest()


class _Sized:
    """The remembered sets of one size ``n``: their entries, and their bucket counts as the
    rows of one array in the same order (grown by doubling; int16 while no bucket can
    pass 32,767 patients, as a set of fewer patients cannot: 128 bytes a set)."""

    __slots__ = ("entries", "rows")

    def __init__(self, n: int) -> None:
        self.entries: list[Remembered] = []
        self.rows = np.zeros((1, BUCKETS), dtype=np.int16 if n < 2**15 else np.int32)

    def append(self, entry: Remembered, buckets: Sequence[int]) -> None:
        if len(self.entries) == len(self.rows):
            self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
        self.rows[len(self.entries)] = buckets
        self.entries.append(entry)

    def buckets(self) -> np.ndarray:
        return self.rows[:len(self.entries)]


def copyable(n: int, value: int, root_n: int, threshold: int,
             accurate_from: int = COPIES_ACCURATE_FROM) -> bool:
    """Whether a cell of ``n`` patients may be published as ``value``, the count of a set
    of ``root_n``: within ``threshold`` of it, and from ``accurate_from`` (the policy's
    ``copies_accurate_from``) within 5 %."""
    if abs(n - root_n) > threshold:
        return False
    return n < accurate_from or abs(value - n) <= n // TOLERANCE


def distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """How many patients two sets differ by at least: their bucket counts' differences."""
    return sum(abs(x - y) for x, y in zip(a, b, strict=True))


@dataclass
class Recall:
    """The remembered sets as one answer is published: ``same``, ``near``, and ``add`` what
    the answer publishes (seen at once by its later cells; saved when the answer is done).
    The first use takes the memory's lock (held until the answer is published) and reads
    what other processes published since, so counting before it holds nothing."""

    memory: PublishedCells
    threshold: int
    accurate_from: int = COPIES_ACCURATE_FROM
    new: list[tuple[Remembered, int]] = field(default_factory=list)  # with packed keys
    held: bool = False

    def _hold(self) -> None:
        if not self.held:
            self.memory._lock.acquire()
            self.held = True
            try:
                self.memory._begin()
                self.memory._load()
            except BaseException:
                self.memory._end(commit=False)
                self.held = False
                self.memory._lock.release()
                raise

    def same(self, n: int, packed: int) -> Remembered | None:
        """The remembered set with this count and packed key, if any."""
        self._hold()
        return self.memory._exact.get((n, digest(packed)))

    def near(self, n: int, packed: int) -> Remembered | None:
        """The closest remembered set (fewest patients apart, then the earliest) whose
        published count this cell may take (``copyable``), if any."""
        self._hold()
        buckets = np.array(unpack(packed)[1], dtype=np.int64)
        found: list[tuple[int, int, Remembered]] = []
        for m in range(max(n - self.threshold, 0), n + self.threshold + 1):
            sized = self.memory._sizes.get(m)
            if sized is None or not sized.entries:
                continue
            apart = np.abs(sized.buckets() - buckets).sum(axis=1)  # int64: no overflow
            for i in np.flatnonzero(apart <= self.threshold):
                entry = sized.entries[i]
                if copyable(n, entry.value, entry.root_n, self.threshold,
                            self.accurate_from):
                    found.append((int(apart[i]), entry.order, entry))
        return min(found, key=lambda f: f[:2])[2] if found else None

    def add(self, n: int, packed: int, value: int, root_n: int) -> None:
        """Remember a cell this answer publishes as ``value`` (a set already remembered
        is kept once)."""
        self._hold()
        name = digest(packed)
        if (n, name) in self.memory._exact:
            return
        entry = self.memory._keep(n, packed, value, root_n, name=name)
        self.new.append((entry, packed))


class PublishedCells:
    """Every count a deployment published as a number (``published_cells`` in DART's own
    database ``app``; in memory only when ``app`` is None), loaded once per process and
    read again from the last row seen before each answer, so every process of one
    deployment sees what the others published. One answer is published at a time per
    process (``recall``; ``lock``: the process's lock for writing to ``app``, if any) and
    per database (``_begin``: the processes of a deployment wait for each other)."""

    def __init__(self, app: sa.Engine | None = None,
                 lock: threading.Lock | threading.RLock | None = None):
        self.app = app
        self._lock = lock or threading.Lock()
        self._sizes: dict[int, _Sized] = {}
        self._exact: dict[tuple[int, bytes], Remembered] = {}  # by (n, digest(packed))
        self._last_id = 0
        self._conn: sa.Connection | None = None  # the transaction holding the lock, if any
        self._txn: sa.RootTransaction | None = None
        if app is not None:
            ensure_app_tables(app)

    def __len__(self) -> int:
        return len(self._exact)

    @contextmanager
    def recall(self, threshold: int,
               accurate_from: int = COPIES_ACCURATE_FROM) -> Iterator[Recall]:
        """The remembered sets for publishing one answer under a policy of ``threshold``
        and ``copies_accurate_from``; what it adds is saved after (and forgotten again if
        publishing fails)."""
        recall = Recall(self, threshold, accurate_from)
        try:
            yield recall
            if recall.held:
                self._save(recall.new)
                self._end(commit=True)
        except BaseException:
            # this answer's sets are the last of their sizes (it held the lock throughout)
            for entry, packed in reversed(recall.new):
                self._sizes[entry.n].entries.pop()
                del self._exact[(entry.n, digest(packed))]
            if recall.held:
                self._end(commit=False)
            raise
        finally:
            if recall.held:
                self._lock.release()

    def _begin(self) -> None:
        """Open the transaction that holds the deployment's lock on the memory until the
        answer is saved: every process publishing on this database waits here for the one
        before it, then reads what it saved (``_load``), so two processes never publish
        near sets unaware of each other. PostgreSQL: an advisory lock of the transaction;
        SQLite: a write (deleting nothing) takes the database's write lock, waited for
        with the busy timeout."""
        if self.app is None:
            return
        self._conn = self.app.connect()
        self._txn = self._conn.begin()
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(sa.select(sa.func.pg_advisory_xact_lock(
                sa.bindparam("lock_key", PG_LOCK_KEY, sa.BigInteger))))
        else:
            self._conn.execute(published_cells.delete().where(
                published_cells.c.cell_id < sa.bindparam("none", 0, sa.Integer)))

    def _end(self, commit: bool) -> None:
        """Commit (or roll back) and close ``_begin``'s transaction, releasing the lock."""
        if self._conn is None or self._txn is None:
            return
        try:
            if commit:
                self._txn.commit()
            else:
                self._txn.rollback()
        finally:
            self._conn.close()
            self._conn = self._txn = None

    def _keep(self, n: int, packed: int, value: int, root_n: int,
              buckets: Sequence[int] | None = None, name: bytes | None = None
              ) -> Remembered:
        """Remember a set (its bucket counts and digest from ``packed`` unless given)."""
        entry = Remembered(n, value, root_n, len(self._exact))
        sized = self._sizes.get(n)
        if sized is None:
            sized = self._sizes[n] = _Sized(n)
        sized.append(entry, unpack(packed)[1] if buckets is None else buckets)
        self._exact[(n, digest(packed) if name is None else name)] = entry
        return entry

    def _load(self) -> None:
        if self.app is None:
            return
        t = published_cells.c
        rows = self._conn.execute(
            sa.select(t.cell_id, t.n, t.packed, t.value, t.root_n)
            .where(t.cell_id > sa.bindparam("last_id", self._last_id, sa.Integer))
            .order_by(t.cell_id)).all()
        for start in range(0, len(rows), LOAD_CHUNK):  # bounded memory for unpack_many
            chunk = rows[start:start + LOAD_CHUNK]
            keys = [int(row.packed) for row in chunk]
            for (cell_id, n, _, value, root_n), key, slots in zip(
                    chunk, keys, unpack_many(keys), strict=True):
                name = digest(key)
                if (n, name) not in self._exact:
                    self._keep(n, key, value, root_n, slots[1:], name)
                self._last_id = max(self._last_id, cell_id)

    def _save(self, entries: list[tuple[Remembered, int]]) -> None:
        if self.app is None or not entries:
            return
        now = utcnow()
        self._conn.execute(published_cells.insert(), [
            {"n": e.n, "packed": str(packed), "value": e.value, "root_n": e.root_n,
             "published_at": now} for e, packed in entries])
