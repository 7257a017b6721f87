"""``spark:///PATH?master=...&memory=...``: what the local session is started with."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dart.store.spark import DEFAULT_MASTER, DEFAULT_MEMORY, SparkDialect, _cores


def args(url: str) -> dict:
    return SparkDialect().create_connect_args(sa.make_url(url))[1]


def test_defaults_and_choices():
    assert args("spark:////data/dart") == {"path": "/data/dart", "master": DEFAULT_MASTER,
                                           "memory": DEFAULT_MEMORY}
    assert args("spark:////data/dart?master=local[8]&memory=16g") == {
        "path": "/data/dart", "master": "local[8]", "memory": "16g"}


@pytest.mark.parametrize("memory", ["lots", "4", "4gb; rm"])
def test_bad_memory_is_refused(memory):
    with pytest.raises(ValueError, match="memory must be like 4g"):
        args(f"spark:////data/dart?memory={memory}")


def test_shuffle_partitions_follow_the_local_cores():
    assert _cores("local[3]") == 3 and _cores("spark://host:7077") == 4
