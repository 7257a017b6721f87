"""The first parses of a fresh process, run at once in many threads, all succeed.

pyparsing learns how many arguments a parse action or condition takes on its first call,
by calling and catching ``TypeError``; two threads doing that at once can break it. The
server parses in a thread pool, so a fresh server's first requests did exactly this: the
grammar's callbacks take pyparsing's full ``(string, location, tokens)`` signature so that
nothing is learnt at run time.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import threading
from criteria_grammar import parse

TEXT = 'codelist h = snomed("1") unit "mmol/mol"\ninclude "a": age >= 40 and latest h > 58'
barrier = threading.Barrier(16)
errors = []

def work():
    barrier.wait()
    try:
        parse(TEXT)
    except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
        errors.append(repr(exc))

threads = [threading.Thread(target=work) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(errors), errors[:1])
"""


def test_first_parses_in_many_threads_at_once() -> None:
    for _ in range(5):  # each run is a fresh process: the first parses again
        out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                             timeout=60, check=True).stdout
        assert out.startswith("0 "), out
