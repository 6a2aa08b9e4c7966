"""The quality gate CI runs with the tests: ruff's lint rules and formatting, and the import
layering of the stages (import-linter), all configured in pyproject.toml."""

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff") or shutil.which("ruff", path=str(ROOT / ".venv" / "bin"))
    cmd = [exe] if exe else [sys.executable, "-m", "ruff"]
    return subprocess.run([*cmd, *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")], ids=["lint", "format"])
def test_ruff_finds_nothing(args):
    r = _ruff(*args)
    assert r.returncode == 0, r.stdout + r.stderr


def test_stages_import_only_lower_stages():
    """``[tool.importlinter]``: lower stages never import higher ones; nothing imports the CLI."""
    exe = shutil.which("lint-imports") or shutil.which("lint-imports", path=str(ROOT / ".venv" / "bin"))
    assert exe, "lint-imports is not installed (pip install -e '.[test]')"
    r = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr


def test_public_api_resolves_and_import_is_cheap():
    import kg

    for name in kg.__all__:
        assert getattr(kg, name) is not None, name
    probe = "import sys, kg; print(sorted(m for m in sys.modules if m.startswith('kg.')))"
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]", r.stdout


def test_lock_file_pins_every_dependency():
    """requirements.lock (docs/install.md) is regenerated when a dependency is added."""
    import re
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").lower()
    names = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}
    missing = sorted(n for n in names if f"\n{n}==" not in lock)
    assert not missing, f"not in requirements.lock: {missing}; regenerate it (docs/install.md)"
