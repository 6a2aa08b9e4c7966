"""One layout for every command: with default options, ``kg all`` (or ``kg build``) followed
by any reader works, as a new user types them in the folder holding ``data/``."""

import shutil
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import main

from .conftest import DATA
from .test_push import oxigraph_server
from .test_serve import _free_port

SHANGRAO = "shangrao-2022-green-economy"


def run(*args):
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == 0, (args, r.output)
    return r.output


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A folder holding a copy of the seed corpus as ``data/``, after ``kg all`` with defaults."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(DATA, root / "data")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        run("all")
    return root


@pytest.fixture
def in_project(project, monkeypatch):
    monkeypatch.chdir(project)
    monkeypatch.delenv("KG_BUILD", raising=False)
    monkeypatch.delenv("KG_DATA", raising=False)
    return project


@pytest.mark.parametrize(
    "args, expect",
    [
        (["gaps", "--format", "jsonl"], '"kind"'),
        (["gaps", "--summary", "--format", "csv"], "copy_rate"),
        (["query", "innovations", "--format", "csv"], SHANGRAO),
        (["agencies", "--network", "--format", "jsonl"], '"agency"'),
        (["report", "--child", SHANGRAO], "document pairs reported"),
        (["viz", "--view", "agencies"], "agencies.html"),
    ],
)
def test_every_reader_finds_what_kg_all_wrote(in_project, args, expect):
    assert expect in run(*args)


def test_views_and_report_land_where_kg_all_puts_them(in_project):
    run("viz")
    run("report")
    assert (in_project / "out" / "alignment.html").is_file()
    assert (in_project / "out" / "report" / "index.html").is_file()
    assert not (in_project / "build").exists() and not (in_project / "report").exists()


def test_the_output_folder_of_kg_all_is_accepted_as_the_build(in_project):
    assert SHANGRAO in run("query", "innovations", "--build", "out", "--format", "csv")


def test_build_is_read_from_the_environment(in_project, monkeypatch):
    monkeypatch.setenv("KG_BUILD", str(in_project / "out"))
    monkeypatch.chdir(in_project / "data")  # no out/ here: only $KG_BUILD can find it
    assert SHANGRAO in run("gaps", "--format", "jsonl")


def test_push_uploads_the_default_build(in_project, tmp_path):
    with oxigraph_server(tmp_path / "oxigraph") as base:
        assert "triples pushed" in run("push", "--endpoint", base + "/store", "--replace")


def test_serve_answers_from_the_default_build(in_project):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port", str(port)],
        cwd=in_project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(
                    f"http://127.0.0.1:{port}/sparql",
                    params={"query": "ASK { ?s ?p ?o }"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["boolean"] is True
    finally:
        proc.terminate()
        proc.wait(10)


def test_kg_build_with_defaults_feeds_the_same_readers(tmp_path, monkeypatch):
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_BUILD", raising=False)
    monkeypatch.delenv("KG_DATA", raising=False)
    run("build")
    assert (tmp_path / "out" / "build" / "build.json").is_file()
    assert SHANGRAO in run("gaps", "--format", "jsonl")


@pytest.mark.parametrize("command", [["docs"], ["targets"], ["agencies"], ["align", "--no-discover"]])
def test_data_is_accepted_after_the_subcommand(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)  # no ./data here
    monkeypatch.delenv("KG_DATA", raising=False)
    before = CliRunner().invoke(main, ["--data", str(DATA), *command, "--format", "jsonl"])
    after = CliRunner().invoke(main, [*command, "--data", str(DATA), "--format", "jsonl"])
    assert after.exit_code == before.exit_code == 0, after.output
    assert after.output == before.output
