"""A synthetic store's generation summary as text: ``dart generate``'s report."""

from __future__ import annotations

from rich.table import Table

from dart.store.generate import GenerationSummary


def render_summary(summary: GenerationSummary, url: str) -> Table:
    """The generation summary as a rich table."""
    table = Table(title=f"Generated {url}", show_header=True)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in summary.rows.items():
        table.add_row(name, f"{count:,}")
    return table


def summary_line(summary: GenerationSummary) -> str:
    """One line: patients, practices, seed, extract date, time taken."""
    return (f"{summary.patients:,} patients, {summary.practices:,} practices, "
            f"seed {summary.seed}, extract date {summary.extract_date}, "
            f"{summary.seconds:.1f} s")
