"""Every line of the README's Usage block, run as written in a fresh project folder (the
seeds as ``data/``), in order, each exiting 0.

Two lines need a server: ``kg serve`` is started and stopped once it answers, on a free
port instead of 7878 (another process on this machine may hold 7878), and ``kg push`` goes to
an ``oxigraph`` server started on a free port for it; ``~`` is a temporary home holding two of
the shared corpus's PDFs as ``~/pdfs``. Nothing else is changed.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import DATA, ROOT
from .test_push import _free_port, oxigraph_server

SHARED = ROOT.parent / "shared" / "corpora" / "dual-carbon" / "pdf"
USAGE = re.search(r"## Usage\n.*?```\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
LINES = [re.split(r"\s{2,}#", line)[0].strip() for line in USAGE.splitlines() if line.startswith("kg ")]
KG = str(Path(sys.executable).parent / "kg")


def _serve(cmd: str, cwd: Path, env: dict) -> int:
    port = _free_port()
    proc = subprocess.Popen(
        cmd.replace("--port 7878", f"--port {port}").split(), cwd=cwd, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=2)
                return 0 if r.status_code == 200 else r.status_code
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    return proc.poll() or 124
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Each Usage line → (exit code, the end of its stderr)."""
    root = tmp_path_factory.mktemp("usage")
    (root / "data").symlink_to(DATA.resolve())
    home = root / "home"
    (home / "pdfs").mkdir(parents=True)
    pdfs = sorted(SHARED.glob("*.pdf"), key=lambda p: p.stat().st_size)[:2] if SHARED.is_dir() else []
    for pdf in pdfs:
        (home / "pdfs" / pdf.name).symlink_to(pdf)
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(KG).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("KG_DATA", None), env.pop("KG_BUILD", None)
    out = {}
    for line in LINES:
        if "~/pdfs" in line and not pdfs:
            out[line] = (None, "the shared corpus is absent")
        elif line.startswith("kg serve"):
            out[line] = (_serve(line, root, env), "")
        elif line.startswith("kg push"):
            with oxigraph_server(root / "oxigraph") as base:
                cmd = line.replace("http://localhost:7878", base)
                r = subprocess.run(cmd, shell=True, cwd=root, env=env, capture_output=True, text=True, timeout=600)
                out[line] = (r.returncode, r.stderr[-1500:])
        else:
            r = subprocess.run(line, shell=True, cwd=root, env=env, capture_output=True, text=True, timeout=900)
            out[line] = (r.returncode, r.stderr[-1500:])
    shutil.rmtree(root / "out", ignore_errors=True)
    return out


def test_the_usage_block_is_read():
    assert len(LINES) >= 15 and LINES[0] == "kg docs"


@pytest.mark.parametrize("line", LINES)
def test_usage_line_exits_0(ran, line):
    code, err = ran[line]
    if code is None:
        pytest.skip(err)
    assert code == 0, f"{line}\n{err}"
