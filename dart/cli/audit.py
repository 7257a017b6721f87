"""``dart audit verify``: check the audit log's hash chain and name the first bad entry."""

from __future__ import annotations

import sys

import click

from dart.cli.common import app_db_option, cli_errors, db_option, open_app, open_store_for_app


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
