"""``dart users add|revoke|list``: API users and their bearer tokens.

Users live in the application database (``--app-db``); a practice user's ODS code is checked
against the record store (``--db``, read only). A token is printed once, when it is made;
DART keeps only its sha256.
"""

from __future__ import annotations

import click

from dart.app.accounts import AccountError, add_user, list_users, revoke_user
from dart.cli.common import app_db_option, cli_errors, db_option, open_app
from dart.store.app_tables import ROLES
from dart.store.engine import open_engine


def _engines(db_url: str | None, app_db_url: str | None):
    """(application database, record store): users serve an existing store, which is
    never made here (it would not be the one served) and only read."""
    store = open_engine(db_url, read_only=True, create=False)
    return open_app(app_db_url, store), store


@click.group("users")
def command() -> None:
    """Manage API users (sponsor, practice, researcher, admin)."""


@command.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--practice", "practice_ods", metavar="ODS",
              help="The practice's ODS code (practice users only).")
@db_option
@app_db_option
@cli_errors
def add(name: str, role: str, practice_ods: str | None, db_url: str | None,
        app_db_url: str | None) -> None:
    """Add user NAME and print their token (shown once)."""
    app, store = _engines(db_url, app_db_url)
    try:
        token = add_user(app, name, role, practice_ods, store=store)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {name} ({role}{' ' + practice_ods if practice_ods else ''})")
    click.echo(f"token (shown once): {token}")


@command.command("revoke")
@click.argument("name")
@db_option
@app_db_option
@cli_errors
def revoke(name: str, db_url: str | None, app_db_url: str | None) -> None:
    """Revoke user NAME's token."""
    try:
        revoke_user(_engines(db_url, app_db_url)[0], name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked {name}")


@command.command("list")
@db_option
@app_db_option
@cli_errors
def list_(db_url: str | None, app_db_url: str | None) -> None:
    """List users (never their tokens)."""
    for user in list_users(_engines(db_url, app_db_url)[0]):
        state = f"revoked {user['revoked_at']}" if user["revoked_at"] else "active"
        click.echo(f"{user['name']:<28} {user['role']:<11} {user['practice'] or '-':<8} "
                   f"{state}")
