"""A whole output folder replaced in one step, under a lock; what killed runs left is removed."""

import os
import resource
import signal
import subprocess
import sys

import pytest

from kg.core import files
from kg.core.errors import BuildError
from kg.core.files import exchange, leftovers, lock_path, replacing_folder

from .conftest import DATA, ROOT


def _tree(d):
    return sorted((str(p.relative_to(d)), p.read_text()) for p in d.rglob("*") if p.is_file())


def _old(tmp_path):
    out = tmp_path / "out"
    (out / "documents").mkdir(parents=True)
    (out / "docs.jsonl").write_text("old\n")
    (out / "documents" / "gone.json").write_text("{}\n")
    return out


def test_the_new_folder_replaces_the_old_whole_and_nothing_is_left_beside_it(tmp_path):
    out = _old(tmp_path)
    with replacing_folder(out) as new:
        assert new.parent == tmp_path and new.name.startswith(".out-new-") and lock_path(out).exists()
        assert _tree(out) == [("docs.jsonl", "old\n"), ("documents/gone.json", "{}\n")]  # untouched meanwhile
        (new / "docs.jsonl").write_text("new\n")
    assert _tree(out) == [("docs.jsonl", "new\n")]  # a document no longer in the corpus leaves no file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_run_leaves_the_old_folder_and_no_temporary_one(tmp_path):
    out = _old(tmp_path)
    before = _tree(out)
    with pytest.raises(ValueError), replacing_folder(out) as new:
        (new / "docs.jsonl").write_text("half")
        raise ValueError("a stage failed")
    assert _tree(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_first_run_creates_the_folder(tmp_path):
    with replacing_folder(tmp_path / "a" / "out") as new:
        (new / "x").write_text("1")
    assert (tmp_path / "a" / "out" / "x").read_text() == "1"


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here; the two-rename fallback is tested below")
    assert (tmp_path / "b" / "from-a").exists() and not (tmp_path / "a" / "from-a").exists()


def test_leftovers_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    out = _old(tmp_path)
    for name in (".out-new-1a2b3c4d", ".out-old-x"):
        (tmp_path / name / "build").mkdir(parents=True)
    (tmp_path / ".other-new-1").mkdir()  # another folder's: not ours to remove
    assert [p.name for p in leftovers(out)] == [".out-new-1a2b3c4d", ".out-old-x"]
    with replacing_folder(out) as new:
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == sorted(["out", ".other-new-1", new.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other-new-1", "out"]


def test_without_exchange_two_renames_and_a_crash_between_them_is_recovered(tmp_path, monkeypatch):
    out = _old(tmp_path)
    monkeypatch.setattr(files, "exchange", lambda a, b: False)  # as on a system without renameat2
    with replacing_folder(out) as new:
        (new / "docs.jsonl").write_text("new\n")
    assert _tree(out) == [("docs.jsonl", "new\n")] and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # the state a run killed between the two renames leaves: no ``out``, the old one moved aside
    os.rename(out, tmp_path / ".out-old-abc")
    with replacing_folder(out):
        assert _tree(out) == [("docs.jsonl", "new\n")]  # put back before anything else
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_second_run_into_the_same_folder_fails_at_once_with_one_line(tmp_path):
    out = tmp_path / "build"
    with replacing_folder(out):
        r = subprocess.run(
            [sys.executable, "-c", "from kg.cli import main; main()", "--data", str(DATA), "build", "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        with pytest.raises(BuildError, match="another kg run is writing this folder"):
            with replacing_folder(out):
                pass
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        f"Error: {out}: another kg run is writing this folder (pid {os.getpid()}); "
        "wait for it to end or choose another --out"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # the first run's (empty) folder, no lock


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing


def test_a_build_that_cannot_write_says_the_previous_one_was_kept_and_it_was(built, tmp_path):
    """A write that fails half-way (here: a file-size limit, as a full disk would) leaves the
    previous build exactly as it was, and the message says so."""
    out = tmp_path / "build"
    subprocess.run(["cp", "-r", str(built.out), str(out)], check=True)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    r = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "--data", str(DATA), "build", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"Error: {out}: could not write the build (File too large); {out} was left as it was"
    ]
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
