"""Commands loaded when they are called: `regwarden sbom` imports the sbom command's module and no other.

Importing every command module and turning all of their options into click parameters cost about 0.1 s before
any command ran (measured on `sbom`: the modules' enums and models, then typer building ~60 commands). The root
group knows each command by name and where it lives, and builds only the one the command line asks for. `--help`
still lists every command: listing builds them all, which is what help needs anyway.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import typer

from regwarden.cli.errors import GuardedGroup


@dataclass(frozen=True)
class Entry:
    """Where a command lives: `module:attribute`, a command function or (when `group`) a `typer.Typer` app."""

    target: str
    group: bool = False
    hidden: bool = False

    def build(self, name: str) -> Any:
        module_name, attribute = self.target.split(":")
        value = getattr(importlib.import_module(module_name), attribute)
        if self.group:
            built: Any = typer.main.get_group(value)
        else:
            holder = typer.Typer(add_completion=False)
            holder.command(name, hidden=self.hidden)(value)
            built = typer.main.get_command(holder)
        built.name = name
        return built


def command(target: str, *, hidden: bool = False) -> Entry:
    return Entry(target, hidden=hidden)


def group(target: str) -> Entry:
    return Entry(target, group=True)


class LazyGroup(GuardedGroup):
    """The root group over a table of entries (`entries`, set by a subclass), each built on first use."""

    entries: Mapping[str, Entry] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in self.entries if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.entries:
            self.commands[cmd_name] = self.entries[cmd_name].build(cmd_name)
        return super().get_command(ctx, cmd_name)
