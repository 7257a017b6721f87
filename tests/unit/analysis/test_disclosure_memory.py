"""Counts published before (``disclosure.memory``): a set within 0..7 patients of a set an
earlier answer published reads as that set did, so pairs of answers (S + T, then S) give
no look at the size of T."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest
import sqlalchemy as sa

from dart.analysis.disclosure import DisclosurePolicy, apply_disclosure
from dart.analysis.disclosure.keys import BUCKETS, pack, unpack, unpack_many
from dart.analysis.disclosure.memory import PublishedCells, distance
from dart.analysis.feasibility import run_feasibility
from dart.store.app_tables import published_cells
from tests.support.tables import load_tables

POLICY = DisclosurePolicy(secret="memory")
KEYS = POLICY.keys


def packed(ids) -> tuple[int, int]:
    ids = list(ids)
    return len(ids), sum(KEYS.packed(i) for i in ids)


def publish(memory: PublishedCells, ids, policy: DisclosurePolicy = POLICY) -> int | None:
    """One answer publishing one set of patients."""
    with memory.recall(policy.threshold, policy.copies_accurate_from) as recall:
        return dataclasses.replace(policy, memory=recall).publish(*packed(ids))


def test_packed_keys_add_up_and_unpack_to_key_sums_and_bucket_counts():
    ids = range(1, 500)
    n, key = packed(ids)
    key_sum, buckets = unpack(key)
    assert key_sum == sum(KEYS.of(i) for i in ids) and key % 256 == key_sum % 256
    assert len(buckets) == BUCKETS and sum(buckets) == n
    assert buckets == tuple(sum(1 for i in ids if KEYS.of(i) % BUCKETS == b)
                            for b in range(BUCKETS))
    # differences unpack to differences, negative slots included
    small, big = packed(range(1, 100)), packed(range(50, 300))
    diff = unpack(small[1] - big[1])
    assert diff[0] == unpack(small[1])[0] - unpack(big[1])[0]
    assert diff[1] == tuple(a - b for a, b in zip(unpack(small[1])[1], unpack(big[1])[1],
                                                  strict=True))
    assert pack(5, 0, None) == 5


def test_many_packed_keys_unpack_at_once_as_one_at_a_time():
    """``unpack_many`` (how a process loads the remembered sets) reads every slot as
    ``unpack`` does: sets, differences of sets (negative slots, borrows across slots) and
    empty keys."""
    rng = random.Random(11)
    sets = [packed(rng.sample(range(1, 50_000), rng.randint(0, 3000)))[1] for _ in range(60)]
    keys = [*sets, *(a - b for a, b in zip(sets, reversed(sets), strict=True)), 0, -1,
            pack(5, 2**39, BUCKETS - 1), -pack(5, 2**39, 0)]
    decoded = unpack_many(keys)
    for key, row in zip(keys, decoded, strict=True):
        key_sum, buckets = unpack(key)
        assert [int(x) for x in row] == [key_sum, *buckets], key


def test_sets_that_differ_by_d_patients_have_bucket_counts_at_most_d_apart():
    rng = random.Random(3)
    for _ in range(300):
        base = set(rng.sample(range(1, 10_000), rng.randint(8, 400)))
        gone = set(rng.sample(sorted(base), rng.randint(0, 4)))
        added = set(rng.sample(range(10_000, 20_000), rng.randint(0, 3)))
        other = (base - gone) | added
        d = len(gone) + len(added)
        assert distance(unpack(packed(base)[1])[1], unpack(packed(other)[1])[1]) <= d


def test_a_set_within_7_patients_of_one_published_before_reads_as_it_did():
    s = range(1, 61)
    for gap in range(8):
        memory = PublishedCells()
        first = publish(memory, s)
        assert first == POLICY.disclose(*packed(s))
        # S plus T (gap more patients), S minus T, S with patients swapped: the same count
        assert publish(memory, [*s, *range(1000, 1000 + gap)]) == first
        assert publish(memory, range(1 + gap, 61)) == first
        assert publish(memory, [*range(1 + gap // 2, 61), *range(2000, 2000 + gap - gap // 2)]
                       ) == first
    # 8 patients more is a set of its own, with its own count
    memory = PublishedCells()
    publish(memory, s)
    other = [*s, *range(1000, 1008)]
    assert publish(memory, other) == POLICY.disclose(*packed(other))


def test_the_same_set_reads_the_same_in_every_answer_and_every_process(tmp_path):
    app = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    memory = PublishedCells(app)
    s = list(range(1, 61))
    first = publish(memory, s)
    near = publish(memory, s[3:])  # copies S
    assert near == first
    # another process over the same database (it loads what this one published)
    again = PublishedCells(app)
    assert publish(again, s[3:]) == first and publish(again, s) == first
    with app.connect() as conn:  # each set once, the exact counts with it
        rows = conn.execute(sa.select(published_cells.c.n, published_cells.c.value,
                                      published_cells.c.root_n)).all()
    assert sorted(rows) == [(57, first, 60), (60, first, 60)]


def test_copies_never_chain_past_the_threshold():
    memory = PublishedCells()
    r = list(range(1, 61))
    v = publish(memory, r)
    a = [*r, *range(1000, 1005)]  # 5 more: reads as R
    assert publish(memory, a) == v
    b = [*a, *range(2000, 2005)]  # 5 more than A but 10 more than R: its own count
    assert publish(memory, b) == POLICY.disclose(*packed(b))


def test_from_100_patients_a_copy_stays_within_5_percent():
    # under copies_accurate_from=100; the default (220) copies every gap, within 11
    strict = dataclasses.replace(POLICY, copies_accurate_from=100)
    rng = random.Random(5)
    copies = own = 0
    for n, gap in itertools.product(range(100, 240, 7), range(1, 8)):
        memory, default = PublishedCells(), PublishedCells()
        ids = rng.sample(range(1, 100_000), n + gap)
        v = publish(memory, ids, strict)
        out = publish(memory, ids[gap:], strict)
        assert abs(out - n) <= n // 20
        copies += out == v
        own += out == POLICY.disclose(*packed(ids[gap:])) != v
        assert publish(default, ids) == v == publish(default, ids[gap:])
        assert abs(v - n) <= 11
    assert copies > own > 0


def test_markers_exact_readers_and_structural_zeros_are_not_remembered():
    memory = PublishedCells()
    assert publish(memory, range(1, 8)) is None and len(memory) == 0
    exact = DisclosurePolicy(secret="memory", enabled=False)
    assert publish(memory, range(1, 50), exact) == 49 and len(memory) == 0


def test_a_failed_answer_remembers_nothing():
    memory = PublishedCells()
    with pytest.raises(RuntimeError), memory.recall(7) as recall:
        dataclasses.replace(POLICY, memory=recall).publish(*packed(range(1, 61)))
        raise RuntimeError("the answer failed")
    assert len(memory) == 0


STORE = "\n".join([
    "practice", "practice_id | ods_code | name | region | nation",
    "1 | A00001 | A | London | England",
    "",
    "patient", "patient_id | practice_id | sex | date_of_birth | registration_start",
    *(f"{i} | 1 | {'F' if i % 2 else 'M'} | 1960-01-01 | 2000-01-01" for i in range(1, 81)),
    *(f"{i} | 1 | M | 1950-01-01 | 2000-01-01" for i in range(81, 85)),  # T: 4 men of 76
    "",
    "observation", "patient_id | obs_date | code",
    *(f"{i} | 2020-01-01 | 1001" for i in range(81, 85)),
])
CODES = 'codelist t = snomed("1001")\n'


def test_pairs_of_feasibility_answers_give_no_look_at_a_small_group(store):
    load_tables(store, STORE)
    # S + T, then S: the eligible total and T's groups (men; age band 75-79) read the same
    memory = PublishedCells()
    shown = []
    for text in (CODES + 'include "s": age < 70 or has t\n', CODES + 'include "s": age < 70\n'):
        result = run_feasibility(store, text, keys=KEYS)
        with memory.recall(POLICY.threshold) as recall:
            shown.append(apply_disclosure(result, dataclasses.replace(
                POLICY, memory=recall)).to_json())
    with_t, without_t = shown
    assert with_t["eligible"] == without_t["eligible"] is not None
    men = [next(c["count"] for c in body["breakdowns"]["sex"] if c["group"] == "M")
           for body in shown]
    assert men[0] == men[1] is not None
    # without the memory the second answer's total is a count of its own
    alone = apply_disclosure(run_feasibility(store, CODES + 'include "s": age < 70\n',
                                             keys=KEYS), POLICY).to_json()
    assert alone["eligible"] == POLICY.disclose(80, packed(range(1, 81))[1])


def test_a_data_owner_can_close_the_looks_left_at_100_to_219():
    # copies_accurate_from=220: every set within 7 of one published before reads as it
    # did, whatever its size; copies are then within 11, own counts within 4
    policy = DisclosurePolicy(secret="memory", copies_accurate_from=220)
    rng = random.Random(7)
    for n, gap in itertools.product(range(100, 230, 9), range(1, 8)):
        memory = PublishedCells()
        ids = rng.sample(range(1, 100_000), n + gap)
        with memory.recall(policy.threshold, policy.copies_accurate_from) as recall:
            used = dataclasses.replace(policy, memory=recall)
            first = used.publish(*packed(ids))
            assert used.publish(*packed(ids[gap:])) == first
            assert abs(first - n) <= 11
    with pytest.raises(ValueError, match="copies_accurate_from"):
        DisclosurePolicy(copies_accurate_from=-1)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_processes_publish_one_after_the_other(kind, tmp_path, request):
    """Two processes of one deployment (each its own memory and engine on the same
    database): while one publishes, the other waits for it and then reads what it saved,
    so a set 3 patients from the first one's reads as it did (before, it read the table
    as it was and published a count of its own)."""
    import threading

    from dart.store.engine import open_engine

    url = (f"sqlite:///{tmp_path / 'app.db'}" if kind == "sqlite"
           else request.getfixturevalue("postgres_url"))
    first_app, second_app = open_engine(url), open_engine(url)
    first, second = PublishedCells(first_app), PublishedCells(second_app)
    s = list(range(1, 61))
    published, done = threading.Event(), threading.Event()
    shown: dict[str, int | None] = {}

    def answer_one() -> None:
        with first.recall(POLICY.threshold) as recall:
            shown["first"] = dataclasses.replace(POLICY, memory=recall).publish(*packed(s))
            published.set()
            done.wait(0.5)  # still publishing (its answer's other cells, say)

    thread = threading.Thread(target=answer_one)
    thread.start()
    assert published.wait(10)
    shown["second"] = publish(second, s[3:])  # waits for the first process to save
    done.set()
    thread.join()
    assert shown["second"] == shown["first"]
    with first_app.connect() as conn:
        rows = conn.execute(sa.select(published_cells.c.n, published_cells.c.root_n)).all()
    assert sorted(rows) == [(57, 60), (60, 60)]  # the second set copied the first
    first_app.dispose()
    second_app.dispose()
