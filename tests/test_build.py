"""``kg build``: files, store, determinism, and a failed build that changes nothing."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import to_isomorphic

from kg.cli import main
from kg.core.errors import BuildError, GraphInvalid
from kg.core.model import Link
from kg.corpus import process
from kg.pipeline import build_graph
from kg.rdf.serialize import EXPORTS, export
from kg.store import open_store
from kg.store.build import FILES, build

from .conftest import DATA, MINI_DOC, ROOT, SHANGRAO_ID, write_corpus


def _snapshot(out):
    return {name: (out / name).read_bytes() for name in FILES}


def test_build_writes_graph_files_store_and_manifest(built):
    out = built.out
    for name in FILES:
        assert (out / name).is_file()
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert manifest["triples"] == built.triples == len(lines) and lines == sorted(lines)
    assert manifest["links"] == 10 and manifest["documents"][SHANGRAO_ID] > 1000
    assert manifest["documents"]["china-2021-green-economy"] > 0  # registered without text, still described
    store = open_store(out)
    (count,) = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    assert int(count.value) == built.triples


def test_graph_nt_passes_a_strict_parse_the_store_skips(built):
    # The store loads graph.nt leniently (IRIs not parsed again), so the IRIs are checked here.
    import pyoxigraph

    strict = pyoxigraph.parse(path=str(built.out / "graph.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert sum(1 for _ in strict) == built.triples


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory):
    """Turtle and JSON-LD written on demand from the build's graph.nt, into another folder."""
    folder = tmp_path_factory.mktemp("exported")
    return {fmt: export(built.out / "graph.nt", fmt, folder / EXPORTS[fmt][0]) for fmt in EXPORTS}


def test_the_build_writes_ntriples_only_and_exports_turtle_and_jsonld_on_demand(built, tmp_path):
    assert not (built.out / "graph.ttl").exists() and not (built.out / "graph.jsonld").exists()
    copy = tmp_path / "build"
    shutil.copytree(built.out, copy, ignore=shutil.ignore_patterns("store"))
    r = CliRunner().invoke(main, ["export", "turtle", "--build", str(copy)])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == f"wrote {copy / 'graph.ttl'}" and not list(copy.glob(".*.part"))
    r = CliRunner().invoke(main, ["export", "jsonld", "--build", str(tmp_path / "none")])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "no graph.nt found" in r.output


def test_turtle_ntriples_and_jsonld_hold_the_same_graph(built, exported):
    graphs = [
        Graph().parse(path, format=fmt)
        for path, fmt in [
            (exported["turtle"], "turtle"),
            (built.out / "graph.nt", "nt"),
            (exported["jsonld"], "json-ld"),
        ]
    ]
    assert len(graphs[0]) == built.triples
    iso = [to_isomorphic(g) for g in graphs]
    assert iso[0] == iso[1] == iso[2]


def test_jsonld_holds_one_node_per_line_with_the_prefix_context(exported):
    text = exported["jsonld"].read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["@context"]["pkg"] == "https://w3id.org/policy-kg/ontology#"
    lines = text.splitlines()
    nodes = lines[lines.index(' "@graph": [') + 1 : -2]
    assert len(nodes) == len(data["@graph"]) > 1000
    first = json.loads(nodes[0].strip().rstrip(","))
    assert first == data["@graph"][0] and list(first) == sorted(first)
    measure = next(n for n in data["@graph"] if n["@id"] == f"doc:{SHANGRAO_ID}/measure/2")
    assert measure["@type"] == ["eli:LegalResourceSubdivision", "pkg:Measure"] and measure["pkg:key"] == "2"


def test_rebuild_with_another_hash_seed_gives_identical_files(built, exported, tmp_path):
    code = (
        "from kg.store.build import build; from tests.conftest import hand_links, DATA; from kg.corpus import process;"
        "docs = {p.entry.id: p.doc for p in process(DATA)[1]};"
        f"build(process(DATA), hand_links(docs), {str(tmp_path / 'again')!r})"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    assert _snapshot(tmp_path / "again") == _snapshot(built.out)
    for fmt, path in exported.items():  # and so do the files exported from it
        assert export(tmp_path / "again" / "graph.nt", fmt).read_bytes() == path.read_bytes()


def test_a_rebuild_validates_only_the_documents_that_changed(processed, tmp_path):
    from .conftest import hand_links

    docs = {p.entry.id: p.doc for p in processed[1]}
    links = hand_links(docs)
    out = tmp_path / "build"
    first = build(processed, links, out)
    parts = len(processed[1]) + 1  # one per document, one for agencies, regions and vocabulary
    assert (first.checked, first.reused) == (parts, 0)
    again = build(processed, links, out)
    assert (again.checked, again.reused) == (0, parts)
    fewer = [link for link in links if not (link.source_doc == SHANGRAO_ID and link.source_key == "9")]
    third = build(processed, fewer, out)
    # 上饶's links changed; a parent measure only the removed links reached is now a
    # pkg:UnreachedMeasure of its parent's partition (docs/graph.md), which changes too
    gone = {(x.target_doc, x.target_key) for x in links if x not in fewer}
    unreached = {doc for doc, key in gone if not any((x.target_doc, x.target_key) == (doc, key) for x in fewer)}
    changed = 1 + len(unreached - {SHANGRAO_ID})
    assert (third.checked, third.reused) == (changed, parts - changed)
    assert third.triples < again.triples


def test_failed_build_leaves_the_previous_outputs_intact(built, tmp_path):
    out = tmp_path / "build"
    shutil.copytree(built.out, out)
    before = _snapshot(out)
    bad = [Link(SHANGRAO_ID, "2", "jiangxi-2021-green-economy", "1", 2.0, "aligned")]
    with pytest.raises(GraphInvalid, match="score"):
        build(process(DATA), bad, out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"], "no temporary directories left behind"
    open_store(out)


def test_build_replaces_a_previous_build_in_place(tmp_path):
    data = write_corpus(tmp_path, {"mini.txt": MINI_DOC}, REGISTRY)
    out = tmp_path / "out"
    first = build_graph(data, out)
    (out / "graph.nt").write_text("stale", encoding="utf-8")
    (out / "graph.ttl").write_text("stale", encoding="utf-8")  # an export of the old build goes with it
    second = build_graph(data, out)
    assert second.triples == first.triples and (out / "graph.nt").read_text(encoding="utf-8") != "stale"
    assert not (out / "graph.ttl").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.yaml", "mini.txt", "out"]


def test_build_refuses_to_replace_a_directory_it_did_not_write(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(BuildError, match="not a `kg build` output"):
        build_graph(DATA, tmp_path / "notes")
    assert (tmp_path / "notes" / "mine.txt").read_text(encoding="utf-8") == "keep"


REGISTRY = """documents:
  - id: mini-2022
    file: mini.txt
    title: 上饶市人民政府印发关于测试的实施方案的通知
    level: municipal
    region: 上饶市
    issued: 2022-03-27
"""


def test_cli_build_then_query(tmp_path):
    data = write_corpus(tmp_path, {"mini.txt": MINI_DOC}, REGISTRY)
    out = tmp_path / "b"
    r = CliRunner().invoke(main, ["--data", str(data), "build", "--out", str(out)])
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[0]
    assert first.startswith(
        f"{json.loads((out / 'build.json').read_text())['triples']} triples from 1 documents (0 alignment links), SHACL-valid"
    )
    r = CliRunner().invoke(
        main,
        [
            "query",
            "--build",
            str(out),
            "--format",
            "csv",
            "PREFIX pkg: <https://w3id.org/policy-kg/ontology#> "
            "SELECT ?key ?lead WHERE { ?m pkg:key ?key ; pkg:leadAgency/<http://www.w3.org/2004/02/skos/core#prefLabel> ?lead } ORDER BY ?key",
        ],
    )
    assert r.exit_code == 0, r.output
    assert r.output == "key,lead\n1,市工业和信息化局\n2,市农业农村局\n"


def test_cli_build_into_a_foreign_directory_is_one_line(tmp_path):
    (tmp_path / "x.txt").write_text("keep", encoding="utf-8")
    r = CliRunner().invoke(main, ["--data", str(DATA), "build", "--out", str(tmp_path)])
    assert r.exit_code == 1
    assert (
        r.output == f"Error: {tmp_path}: exists and is not a `kg build` output (no build.json); choose another --out\n"
    )


@pytest.mark.parametrize("load_block", [100, 1 << 20])
def test_the_store_loads_the_spilled_blocks_and_holds_every_triple_once(
    processed, links, tmp_path, monkeypatch, load_block
):
    # Blocks far shorter than the graph, loaded as they are spilled while the graph is still
    # being made: each by its own call, or several joined into one; a line spilled in two
    # blocks is one triple in the store, as in graph.nt.
    import kg.store.build

    blocks = []

    def small_blocks(runs, path, count=None, spilled=None):
        def seen(block):
            blocks.append(block.read_text(encoding="utf-8").splitlines())
            spilled(block)

        def twice(runs):  # every run made twice: each line in two blocks
            for run in runs:
                yield run
                yield run

        return write_ntriples(twice(runs), path, count, spill=2000, spilled=seen)

    calls = []

    def joined(blocks, into):
        calls.append(len(blocks))
        return join(blocks, into)

    write_ntriples, join = kg.store.build.write_ntriples, kg.store.build._joined
    monkeypatch.setattr(kg.store.build, "write_ntriples", small_blocks)
    monkeypatch.setattr(kg.store.build, "_joined", joined)
    monkeypatch.setattr(kg.store.build, "LOAD_BLOCK", load_block)
    out = tmp_path / "out"
    summary = build(processed, links, out)
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(blocks) > 5 and sum(map(len, blocks)) > 1.9 * len(lines) and len(lines) == summary.triples
    assert {ln for block in blocks for ln in block} == set(lines)
    assert sum(calls) == len(blocks) and (max(calls) == 1) == (load_block == 100)
    (count,) = next(iter(open_store(out).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    assert int(count.value) == summary.triples
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, "store"]), "the loader's links are gone"


def test_a_build_failing_while_the_store_loads_leaves_the_previous_outputs_intact(built, tmp_path, monkeypatch):
    import threading

    import kg.store.build

    out = tmp_path / "build"
    shutil.copytree(built.out, out)
    before, threads = _snapshot(out), threading.active_count()
    runs = kg.store.build.graph_runs

    def failing(*a, **kw):
        for n, run in enumerate(runs(*a, **kw)):
            if n == 3:
                raise OSError("disk full")
            yield run

    monkeypatch.setattr(kg.store.build, "graph_runs", failing)
    with pytest.raises(BuildError, match="disk full"):
        build(process(DATA), [], out)
    assert _snapshot(out) == before and threading.active_count() == threads
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"], "no temporary directories left behind"
