"""``python -m bench.rules``: how compiling and counting grow with the number of rules.

    python -m bench.rules                          # DuckDB, 10 -> 1,000 rules, 2,000 patients
    python -m bench.rules --engines sqlite,duckdb --rules 10,100,500
    python -m bench.rules --define-chain --rules 10,20,40,60   # d{i} = d{i-1} or d{i-1}

For each file of ``include age > k`` x n it measures: parse and check, compile (the
compiler's query), the SQL's size for the engine (every statement feasibility runs) and the
time of running them on a small synthetic store. The criteria limits are raised to the
largest n (``Limits(rules=...)``) so the bench can pass the default of 500; SQLite and
PostgreSQL are measured up to 500 rules, past which a query has more columns than they allow.
Growth should be linear: each column of the table is compared with the first row's, per rule.

``--define-chain`` measures the doubling chain instead: ``define d0 = age > 1``, ``define
d{i} = d{i-1} or d{i-1}`` up to ``d{n-1}``, ``include d{n-1}`` (n levels). Written out it
would be 2^(n-1) conditions; each define shared (``dart.compiler.defines``), it should grow
linearly in n, like the rules.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from criteria_grammar import Limits, check, parse
from dart.analysis.disclosure import record_keys
from dart.analysis.feasibility.queries import statements
from dart.compiler import compile_criteria
from dart.store.codelists import load_library
from dart.store.engine import open_engine
from dart.store.generate import generate

RESULTS = Path(__file__).resolve().parent / "results"
COLUMN_LIMITED = {"sqlite": 500, "postgresql": 500}  # 2 columns per rule: 1,664 / 2,000 max


def criteria_text(n: int, chain: bool = False) -> str:
    """``include age > k`` x n, or (``chain``) the doubling define chain of n levels."""
    if chain:
        lines = ["define d0 = age > 1"]
        lines += [f"define d{i} = d{i - 1} or d{i - 1}" for i in range(1, n)]
        return "index date 2026-06-30\n" + "\n".join([*lines, f"include d{n - 1}"]) + "\n"
    return "index date 2026-06-30\n" + "".join(f"include age > {k % 90}\n" for k in range(n))


def measure(engine, n: int, library, limits: Limits, chain: bool = False) -> dict:
    """Seconds to parse+check, compile, render the SQL and run it; the SQL's size."""
    text = criteria_text(n, chain)
    began = time.perf_counter()
    criteria = parse(text, limits=limits)
    check(criteria, library, limits)
    checked = time.perf_counter()
    compiled = compile_criteria(criteria, library, criteria.index_date)
    runs = statements(compiled, record_keys("bench"))  # keys summed as a sponsor run sums them
    built = time.perf_counter()
    sql = sum(len(str(s.compile(dialect=engine.dialect))) for s in runs)
    rendered = time.perf_counter()
    with engine.connect() as conn:
        for statement in runs:
            conn.execute(statement).all()
    ran = time.perf_counter()
    return {"rules": n, "check_s": checked - began, "compile_s": built - checked,
            "sql_s": rendered - built, "sql_kb": sql / 1024, "run_s": ran - rendered}


@click.command()
@click.option("--engines", default="duckdb", show_default=True)
@click.option("--rules", "sizes", default="10,30,100,300,1000", show_default=True)
@click.option("--patients", default=2000, show_default=True)
@click.option("--postgres-url", default=None, help="A PostgreSQL database to fill.")
@click.option("--define-chain", "chain", is_flag=True,
              help="Measure the doubling define chain of n levels instead of n rules.")
def main(engines: str, sizes: str, patients: int, postgres_url: str | None,
         chain: bool) -> None:
    console = Console()
    ns = [int(s) for s in sizes.split(",")]
    limits = Limits(rules=max(ns), tokens=10 * max(ns) + 100, levels=max(ns))
    library = load_library()
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for name in engines.split(","):
            url = {"sqlite": f"sqlite:///{folder}/b.db", "duckdb": f"duckdb:///{folder}/b.duckdb",
                   "postgresql": postgres_url}[name]
            if url is None:
                raise click.UsageError("--postgres-url is needed for postgresql")
            engine = open_engine(url)
            generate(engine, patients, seed=1, progress=False, replace=True)
            what = "define levels" if chain else "rules"
            table = Table(title=f"{name}, {patients:,} patients, {what}")
            for col in (what, "check s", "compile s", "SQL s", "SQL KB", "run s",
                        "total s / rule (ms)"):
                table.add_column(col, justify="right")
            for n in ns:
                if n > COLUMN_LIMITED.get(name, n):
                    continue
                row = {"engine": name, "define_chain": chain,
                       **measure(engine, n, library, limits, chain)}
                out.append(row)
                total = row["check_s"] + row["compile_s"] + row["sql_s"] + row["run_s"]
                table.add_row(str(n), *(f"{row[k]:.3f}" for k in
                                        ("check_s", "compile_s", "sql_s")),
                              f"{row['sql_kb']:.0f}", f"{row['run_s']:.3f}",
                              f"{1000 * total / n:.2f}")
            engine.dispose()
            console.print(table)
    RESULTS.mkdir(exist_ok=True)
    kind = "define-chain" if chain else "rules"
    path = RESULTS / f"{kind}-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(out, indent=1))
    console.print(f"written to {path}")


if __name__ == "__main__":
    main()
