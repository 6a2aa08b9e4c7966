"""docs/cli.md is the commands' own --help: it fails when a help text changes without the docs."""

import runpy

from .conftest import ROOT


def test_cli_reference_matches_the_help_of_every_command():
    script = runpy.run_path(str(ROOT / "docs" / "cli_reference.py"))
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == script["reference"](), "docs/cli.md is out of date: run python docs/cli_reference.py"


def test_every_command_has_a_section():
    from kg.cli import main

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert all(f"## kg {name}\n" in text for name in main.commands)
