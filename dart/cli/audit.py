"""``dart audit verify``: check the audit log's hash chain and name the first bad entry;
``dart audit review``: the answers about sets of patients a few patients apart."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from dart.cli.common import (
    app_db_option,
    cli_errors,
    db_option,
    open_app,
    open_records,
    open_store_for_app,
    read_options,
)


@click.group("audit")
def command() -> None:
    """The audit log of the API and dashboard."""


@command.command("verify")
@db_option
@app_db_option
@click.option("--head", "noted", metavar="HASH", default=None,
              help="A head hash noted earlier: it must still be in the chain.")
@cli_errors
def verify(db_url: str | None, app_db_url: str | None, noted: str | None) -> None:
    """Check that no audit entry was edited, deleted, inserted or moved (exit 1 if so)."""
    from dart.app.audit import holds
    from dart.app.audit import verify as verify_chain

    engine = open_app(app_db_url, open_store_for_app(db_url))
    report = verify_chain(engine)
    if report.ok and noted and not holds(engine, noted):
        click.echo(f"audit log BROKEN: the noted head {noted} is no longer in the chain "
                   "(entries were cut off its end)", err=True)
        sys.exit(1)
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries; head {report.head}")
        return
    click.echo(f"audit log BROKEN at entry {report.bad_id}: {report.reason}; "
               f"{report.entries} entries before it are intact", err=True)
    sys.exit(1)


@command.command("review")
@db_option
@app_db_option
@read_options
@click.option("--days", type=click.IntRange(1, 3660), default=7, show_default=True,
              help="Review the answers of this many days back from now.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@cli_errors
def review(db_url: str | None, app_db_url: str | None, source_name: str | None,
           source_map: str | None, days: int, as_json: bool) -> None:
    """Replay the answers of the last DAYS on the store and list pairs of answers about sets
    of patients 1-7 apart: the signature of every differencing attack (docs/disclosure.md).
    Exact counts on this machine; nothing of it leaves."""
    from dart.analysis.disclosure import DisclosurePolicy
    from dart.app.audit_review import review as replay
    from dart.store.app_tables import utcnow

    engine, source = open_records(db_url, source_name, source_map, app_db_url)
    try:
        found = replay(open_app(app_db_url, engine), engine,
                       utcnow() - dt.timedelta(days=days),
                       threshold=DisclosurePolicy().threshold, source=source)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2))
        return
    _print_review(found, days)


def _print_review(found, days: int) -> None:
    click.echo(f"{len(found.answers)} feasibility and representativeness answers in the last "
               f"{days} days; sets 1-{found.threshold} patients apart in "
               f"{len(found.near)} {'pair' if len(found.near) == 1 else 'pairs'} of answers")
    for row in found.users():
        click.echo(f"  {row['user'] or '(no user)'} ({row['role']}): {row['answers']} answers "
                   f"of {row['texts']} texts; near pairs: {row['near_own']} among their own, "
                   f"{row['near_others']} with other users'")
    for pair in found.near:
        about = "" if pair.exact else "about "
        first, second = pair.first, pair.second
        click.echo(f"\naudit {first.audit_id} ({first.user}, {first.at:%Y-%m-%d %H:%M}) "
                   f"{pair.first_set} and audit {second.audit_id} ({second.user}, "
                   f"{second.at:%Y-%m-%d %H:%M}) {pair.second_set}: {about}{pair.apart} "
                   f"{'patient' if pair.apart == 1 else 'patients'} apart "
                   f"({pair.pairs} {'pair' if pair.pairs == 1 else 'pairs'} of sets)")
        for line in pair.diff()[2:]:
            click.echo(f"    {line}")
    for answer, why in found.not_replayed:
        click.echo(f"\nnot replayed: audit {answer.audit_id} ({answer.user}): {why}")
