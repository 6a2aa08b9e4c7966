"""Write docs/cli.md, the command-line reference, from the commands' own ``--help``.

    python docs/cli_reference.py          # rewrite docs/cli.md
    python docs/cli_reference.py --check  # exit 1 when docs/cli.md is out of date

tests/test_cli_reference.py runs the check, so the reference cannot drift from ``--help``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli import main

HERE = Path(__file__).resolve().parent
TARGET = HERE / "cli.md"


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=100, max_content_width=100)
    return command.get_help(ctx)


def reference() -> str:
    """The whole reference: ``kg --help``, then each subcommand's help, in the order ``kg --help`` lists them."""
    root = click.Context(main, info_name="kg", terminal_width=100, max_content_width=100)
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `python docs/cli_reference.py`; a test fails when it is out of date.",
        "",
        "## kg",
        "",
        "```",
        main.get_help(root),
        "```",
        "",
    ]
    for name in main.list_commands(root):
        parts += [f"## kg {name}", "", "```", _help(main.get_command(root, name), name, root), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    text = reference()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            sys.exit(f"{TARGET.name} is out of date: run python docs/cli_reference.py")
    else:
        TARGET.write_text(text, encoding="utf-8")
