"""Record keys: a fixed pseudo-random number per patient, computed in SQL on every engine.

The cell key method (docs/disclosure.md) gives every patient a record key in
``0..KEY_BASE-1``; a cell's key is the sum of its patients' keys modulo ``KEY_BASE``. The
key must be the same on SQLite, DuckDB and PostgreSQL, and unknown to whoever reads the
results, so it is a polynomial hash of the patient id over the prime field of
``PRIME = 2^31 - 1`` whose five coefficients come from the deployment's secret:

    x = patient_id mod PRIME            (made non-negative: engines differ on negative %)
    h = ((((c4 x + c3) x + c2) x + c1) x + c0) mod PRIME      (Horner; mod after each step)
    record key = h mod KEY_BASE

Every product is of two numbers below 2^31, so below 2^62: exact in SQLite's and
PostgreSQL's 64-bit integers and DuckDB's BIGINT (no engine hash function, no XOR, no
overflow). A random degree-4 polynomial over a prime field is a 5-wise independent hash
family: knowing some patients' keys says nothing about another's.

Every patient is also in one of ``BUCKETS`` buckets (its record key mod ``BUCKETS``), and
a cell's count is kept per bucket beside its key sum, packed into one Python int
(``pack``: the key sum in the low ``SLOT`` bits, the count of bucket b in the slot above
it), so that every sum and difference the analyses take of key sums takes them of the
bucket counts too, and ``packed % KEY_BASE`` is still the cell key. Two sets that differ
by d patients have bucket counts that differ by at most d in all (``memory``: how a set
published before is recognised in a later answer).

The secret: ``DART_DISCLOSURE_SECRET`` if set, else one generated once and kept in
``disclosure.secret`` in the user data directory (mode 0600). It is never shown or logged.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import platformdirs
import sqlalchemy as sa

from dart.compiler import BIGINT

PRIME = 2_147_483_647  # 2^31 - 1
KEY_BASE = 256  # record and cell keys are 0..255, as in the ONS cell key method
BUCKETS = 64  # a patient's bucket: its record key mod BUCKETS
SLOT = 48  # bits per slot of a packed key: |a key sum| < 2^42 and |a count| < 2^40
ENV_SECRET = "DART_DISCLOSURE_SECRET"
SECRET_FILE = "disclosure.secret"


@dataclass(frozen=True)
class RecordKeys:
    """The record-key hash of one secret (``from_secret``); ``sql`` and ``of`` agree."""

    coefficients: tuple[int, ...] = field(repr=False)

    @classmethod
    def from_secret(cls, secret: str) -> RecordKeys:
        """The five coefficients, each in 1..PRIME-1, from HMAC-SHA256 of the secret."""
        if not secret:
            raise ValueError("the disclosure secret must not be empty")
        coefficients = []
        for i in range(5):
            digest = hmac.new(secret.encode(), f"record-key-{i}".encode(), hashlib.sha256)
            coefficients.append(int.from_bytes(digest.digest()[:8], "big") % (PRIME - 1) + 1)
        return cls(tuple(coefficients))

    def sql(self, patient_id: sa.ColumnElement) -> sa.ColumnElement[int]:
        """A patient's record key as a SQL expression (bound coefficients)."""
        prime = sa.literal_column(str(PRIME), BIGINT)
        x = (sa.cast(patient_id, BIGINT) % prime + prime) % prime
        c4, *rest = (sa.cast(sa.literal(c, BIGINT), BIGINT) for c in self.coefficients)
        h = c4
        for c in rest:
            h = (h * x + c) % prime
        return h % sa.literal_column(str(KEY_BASE), BIGINT)

    def packed(self, patient_id: int) -> int:
        """One patient's packed key (``pack``): record key, and 1 in its bucket."""
        key = self.of(patient_id)
        return pack(key, 1, key % BUCKETS)

    def cell(self, patient_ids: Iterable[int]) -> tuple[int, int]:
        """The count and packed key of a set of patients known by id, as the SQL sums
        them for a cell of the same patients."""
        ids = list(patient_ids)
        return len(ids), sum(self.packed(i) for i in ids)

    def of(self, patient_id: int) -> int:
        """The same record key computed in Python (for tests and checks)."""
        x = patient_id % PRIME
        c4, *rest = self.coefficients
        h = c4
        for c in rest:
            h = (h * x + c) % PRIME
        return h % KEY_BASE


def bucket_sql(record_key: sa.ColumnElement) -> sa.ColumnElement[int]:
    """The bucket of a patient, from its record key (a SQL expression or column)."""
    return record_key % sa.literal_column(str(BUCKETS), BIGINT)


def pack(key_sum: int, n: int, bucket: int | None) -> int:
    """The packed key of ``n`` patients of one ``bucket`` whose record keys sum to
    ``key_sum`` (a ``GROUP BY`` row); ``bucket`` None (no patients) packs the key sum."""
    if bucket is None:
        return key_sum
    return key_sum + (n << (SLOT * (int(bucket) + 1)))


def unpack(packed: int) -> tuple[int, tuple[int, ...]]:
    """The key sum and the count per bucket of a packed key (slots read as signed, so a
    difference of packed keys unpacks to the differences)."""
    size, half = 1 << SLOT, 1 << (SLOT - 1)
    slots = []
    for _ in range(BUCKETS + 1):
        low = packed & (size - 1)
        if low >= half:
            low -= size
        slots.append(low)
        packed = (packed - low) >> SLOT
    return slots[0], tuple(slots[1:])


def unpack_many(packed: Sequence[int]) -> np.ndarray:
    """``unpack`` of many packed keys at once: one row each, the key sum then the count per
    bucket (signed, as ``unpack`` reads them). Each key's bytes are its slots (``SLOT`` is
    a whole number of bytes), so numpy reads them all and only the borrows of negative
    slots are carried, slot by slot across every key: what loading a deployment's
    remembered sets costs (``unpack`` a key at a time took 14 us)."""
    width = SLOT // 8
    raw = b"".join(p.to_bytes(width * (BUCKETS + 1), "little", signed=True) for p in packed)
    words = np.zeros((len(packed), BUCKETS + 1, 8), dtype=np.uint8)  # each slot in 8 bytes
    words[:, :, :width] = np.frombuffer(raw, np.uint8).reshape(len(packed), BUCKETS + 1,
                                                               width)
    unsigned = words.view("<u8")[:, :, 0].astype(np.int64)
    size, half = 1 << SLOT, 1 << (SLOT - 1)
    out = np.empty_like(unsigned)
    borrow = np.zeros(len(packed), dtype=np.int64)
    for i in range(BUCKETS + 1):
        slot = unsigned[:, i] + borrow
        borrow = (slot >= half).astype(np.int64)
        out[:, i] = slot - borrow * size
    return out


def secret_path() -> Path:
    """Where the generated secret is kept when ``DART_DISCLOSURE_SECRET`` is not set."""
    return Path(platformdirs.user_data_dir("dart")) / SECRET_FILE


def deployment_secret() -> str:
    """``DART_DISCLOSURE_SECRET``, else the stored secret (generated on first use)."""
    if os.environ.get(ENV_SECRET):
        return os.environ[ENV_SECRET]
    path = secret_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once keep whichever secret was written first.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip()


@functools.lru_cache(maxsize=8)
def _keys(secret: str) -> RecordKeys:
    return RecordKeys.from_secret(secret)


def record_keys(secret: str | None = None) -> RecordKeys:
    """The record keys of ``secret``, else of the deployment's secret."""
    return _keys(secret if secret is not None else deployment_secret())
