"""Every CLI command has help text and is documented in the README."""

import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_command_has_help_and_is_in_readme(name):
    cmd = main.commands[name]
    assert cmd.help and len(cmd.help) > 10
    assert f"kg {name}" in README
    r = CliRunner().invoke(main, [name, "--help"])
    assert r.exit_code == 0


def test_readme_gives_the_two_newcomer_commands_first():
    lines = [line.strip() for line in README.splitlines() if line.startswith("    python3 -m venv")]
    assert lines[0].endswith("kg all") and "pytest" in lines[1]


def test_readme_library_example_runs_as_written(tmp_path):
    """The README's "Using it as a library" block, run on the seeds in a fresh folder."""
    import re
    import subprocess
    import sys

    from .conftest import DATA

    block = re.search(r"## Using it as a library\n\n```python\n(.*?)```", README, re.S).group(1)
    (tmp_path / "data").symlink_to(DATA.resolve())
    r = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "→" in r.stdout and (tmp_path / "out" / "build" / "build.json").is_file()
