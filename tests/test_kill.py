"""``kg all`` and ``kg build`` killed with SIGKILL at several points of a run: the output
folder is the old one or the new one, whole; no worker process outlives the run; the
next run removes what the killed ones left. Each run is bounded by a timeout."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .conftest import DATA, ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to see processes")

RUN_TIMEOUT = 120  # seconds a whole run of the seeds may take on a loaded machine
DROPPED = "jilin-2021-green-economy"  # removed from the corpus between the old run and the new ones


def _kg(root: Path, *args: str) -> subprocess.Popen:
    code = "import sys; from kg.cli import main; sys.argv[0] = 'kg'; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _complete(root: Path, *args: str) -> None:
    p = _kg(root, *args)
    _, err = p.communicate(timeout=RUN_TIMEOUT)
    assert p.returncode == 0, err


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process."""
    found = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
            found[int(d.name)] = (int(ppid), state)
    return found


def _descendants(pid: int) -> set[int]:
    procs, found, todo = _processes(), set(), [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _) in procs.items():
            if ppid == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    procs = _processes()
    return {p for p in pids if p in procs and procs[p][1] not in "ZX"}  # a zombie runs nothing


def _snapshot(out: Path, manifest: str):
    """What tells one output from another: its files (not the store's database files, which
    RocksDB names itself) and the build manifest; None when there is no output."""
    if not out.exists():
        return None
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and "store" not in p.parts)
    return files, (out / manifest).read_text(encoding="utf-8") if (out / manifest).is_file() else None


def _kill_when(root: Path, args: tuple, ready) -> dict:
    """Start ``kg *args``, SIGKILL it as soon as ``ready(pid)`` holds, and say what it left."""
    p = _kg(root, *args)
    seen: set[int] = set()
    deadline = time.monotonic() + RUN_TIMEOUT
    try:
        while p.poll() is None and time.monotonic() < deadline:
            seen |= _descendants(p.pid)
            if ready(p.pid):
                seen |= _descendants(p.pid)
                p.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        else:
            pytest.fail(f"the kill point was never reached ({p.returncode=}): {p.stderr.read()[-500:]}")
    finally:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=30)
        p.stderr.close()
    until = time.monotonic() + 10
    while _alive(seen) and time.monotonic() < until:
        time.sleep(0.05)
    return {"workers": len(seen), "orphans": _alive(seen)}


def _drop_a_document(data: Path) -> None:
    reg = yaml.safe_load((data / "corpus.yaml").read_text(encoding="utf-8"))
    (gone,) = [e for e in reg["documents"] if e["id"] == DROPPED]
    (data / gone["file"]).unlink()
    reg["documents"] = [e for e in reg["documents"] if e["id"] != DROPPED]
    (data / "corpus.yaml").write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")


def _glob(root: Path, pattern: str) -> bool:
    return any(root.glob(pattern))


def _check_kills(tmp_path, command: str, out_name: str, manifest: str, points: dict) -> None:
    root = tmp_path
    shutil.copytree(DATA, root / "data")
    args = ("--data", "data", command, "--out", out_name, "--workers", "2")
    out = root / out_name
    _complete(root, *args)
    old = _snapshot(out, manifest)
    _drop_a_document(root / "data")
    left = {}
    for name, ready in points.items():
        left[name] = _kill_when(root, args, lambda pid, ready=ready: ready(root, pid))
        left[name]["output"] = _snapshot(out, manifest)
    _complete(root, *args)
    new = _snapshot(out, manifest)
    assert new != old and not any(DROPPED in f for f in new[0])  # the dropped document's outputs vanished
    for name, what in left.items():
        assert what["output"] in (old, new), f"{command} killed {name}: a mix of old and new"
        assert not what["orphans"], f"{command} killed {name}: workers {what['orphans']} outlived it"
    assert any(what["workers"] for what in left.values())  # a kill did land while workers ran
    assert sorted(p.name for p in root.iterdir()) == sorted(["data", out_name])  # no temporary folder, no lock
    print({name: (what["workers"], "old" if what["output"] == old else "new") for name, what in left.items()})


def test_a_killed_kg_all_leaves_the_old_output_or_the_new_one_whole(tmp_path):
    _check_kills(
        tmp_path,
        "all",
        "out",
        "build/build.json",
        {
            "while parsing with workers": lambda root, pid: bool(_descendants(pid)),
            "while writing the graph": lambda root, pid: (
                _glob(root, ".out-new-*/build/graph.nt") or _glob(root, ".out-new-*/.build-new-*/graph.nt")
            ),
            "while drawing the views": lambda root, pid: _glob(root, ".out-new-*/alignment.html"),
            # the last stage before the swap (a point later than this is a race the run may win)
            "while writing the reports": lambda root, pid: _glob(root, ".out-new-*/report"),
        },
    )


def test_a_killed_kg_build_leaves_the_old_build_or_the_new_one_whole(tmp_path):
    _check_kills(
        tmp_path,
        "build",
        "build",
        "build.json",
        {
            "while parsing with workers": lambda root, pid: bool(_descendants(pid)),
            # validation runs while the store loads (no file marks it apart since Turtle and
            # JSON-LD left the build)
            "while loading the store and validating": lambda root, pid: _glob(root, ".build-new-*/store"),
        },
    )
