"""A/B two code trees on one store: ``python -m bench.ab --tree A --tree B --store S``.

For judging a change on a noisy machine: the trees (e.g. ``git worktree add /tmp/before
HEAD~1`` and ``.``) run one after the other, ``--rounds`` times, each in a fresh process
that imports DART from its own tree; per floor trial each prints DART's best wall time of
``--repeats`` full feasibility runs, the floor's, and their ratio. Both must agree on the
eligible count. See docs/performance.md, *What changed*.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

_WORKER = """
import json, sys, time
tree, url, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, tree)
from pathlib import Path
from bench.floor import FLOOR_TRIALS, floor_query, run_floor
from dart.analysis.feasibility import run_feasibility
from dart.store.codelists import load_library
from dart.store.engine import open_engine
engine, library, out = open_engine(url), load_library(), {}
for trial in FLOOR_TRIALS:
    text = Path(tree, "sample_data", "criteria", trial + ".criteria").read_text()
    query = floor_query(trial)
    def dart():
        return run_feasibility(engine, text, library).eligible
    def floor():
        return run_floor(engine, query)
    eligible = dart()
    if floor() != eligible:
        raise SystemExit(f"{trial}: DART and the floor disagree")
    best = {"dart": float("inf"), "floor": float("inf")}
    for _ in range(repeats):
        for name, run in (("dart", dart), ("floor", floor)):
            began = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - began)
    out[trial] = {**best, "eligible": eligible}
print(json.dumps(out))
"""


def measure(tree: Path, url: str, repeats: int) -> dict:
    """One round for one tree, in a process of its own."""
    done = subprocess.run([sys.executable, "-c", _WORKER, str(tree), url, str(repeats)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise click.ClickException(f"{tree}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@click.command()
@click.option("--tree", "trees", multiple=True, required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A code tree (repeat: A, B, ...).")
@click.option("--store", required=True, help="A store URL, or a DuckDB file's path.")
@click.option("--rounds", default=2, show_default=True, help="Times each tree runs, in turn.")
@click.option("--repeats", default=5, show_default=True, help="Runs per measurement (best).")
def main(trees: tuple[Path, ...], store: str, rounds: int, repeats: int) -> None:
    """Alternate the code TREEs on one store; print DART ÷ floor per trial and round."""
    url = store if "://" in store else f"duckdb:///{Path(store).resolve()}"
    table = Table("round", "tree", "trial", "DART s", "floor s", "DART ÷ floor", "eligible")
    console = Console()
    with console.status("measuring") as status:
        for r in range(1, rounds + 1):
            for tree in trees:
                status.update(f"round {r}/{rounds}: {tree}")
                for trial, m in measure(tree.resolve(), url, repeats).items():
                    table.add_row(str(r), str(tree), trial, f"{m['dart']:.3f}",
                                  f"{m['floor']:.3f}", f"{m['dart'] / m['floor']:.2f}",
                                  f"{m['eligible']:,}")
    console.print(table)


if __name__ == "__main__":
    main()
