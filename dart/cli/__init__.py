"""The ``dart`` command: each sub-command lives in a module of its own here and only parses
arguments, calls library functions and renders their result objects."""

from __future__ import annotations

import click

from dart.cli.common import cli_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dart-trials")
def main() -> None:
    """DART: trial feasibility and recruitment over UK GP records."""


def _register() -> None:
    # One line per command module; each module defines ``command`` (a click command).
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"dart.cli.{name}")
        main.add_command(module.command)


COMMAND_MODULES: list[str] = [
    "serve",
    "users",
    "audit",
    "check",
    "count",
    "representativeness",
    "generate",
    "profile",
    "rescreen",
]

_register()

__all__ = ["main", "cli_errors"]
