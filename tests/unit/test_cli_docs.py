"""Every command and every option of ``dart`` is documented in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from dart.cli import main

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()


def commands(group: click.Group, prefix: tuple[str, ...] = ("dart",)):
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from commands(cmd, path)
        else:
            yield " ".join(path), cmd


def section(command: str) -> str:
    """The doc text about ``command``: its own section, or the group's section."""
    parts = command.split()
    for n in range(len(parts), 1, -1):
        heading = re.search(rf"^## `{' '.join(parts[:n])}[ `].*$", DOC, re.M)
        if heading:
            rest = DOC[heading.end():]
            nxt = re.search(r"^## ", rest, re.M)
            return rest[: nxt.start()] if nxt else rest
    return ""


@pytest.mark.parametrize("command,cmd", list(commands(main)), ids=lambda v: str(v))
def test_command_and_options_documented(command, cmd):
    text = section(command)
    assert text, f"no section for {command}"
    assert command in DOC
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert any(opt in text for opt in param.opts), f"{command} {param.opts}"


def test_every_documented_command_exists():
    known = {c for c, _ in commands(main)} | {"dart users"}
    for heading in re.findall(r"^## `(dart [a-z ]+?)(?: [A-Z].*)?`", DOC, re.M):
        assert heading.strip() in known, heading
