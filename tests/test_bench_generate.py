"""bench/generate.py: synthetic corpora with known ground truth — cities implementing their
own province's version of each policy, some registered without a declared parent."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from kg.corpus import load_registry, process
from kg.curated.mappings import parent_region

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_generator_is_deterministic_for_a_seed(gen, tmp_path):
    a, b, c = (gen.generate(tmp_path / n, 3, seed=s) for n, s in (("a", 7), ("b", 7), ("c", 8)))
    assert _files(a) == _files(b)
    assert _files(a) != _files(c)


@pytest.fixture(scope="module")
def corpus(gen, tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    gen.P_DEFECT = 1.0  # every defect in every document, so each is checked
    try:
        gen.generate(out, 3, seed=3)
    finally:
        gen.P_DEFECT = 0.5
    return out


def test_generated_corpus_parses_without_errors(corpus):
    registry, results = process(corpus)
    children = [p for p in results if p.entry.id.startswith("syn-")]
    assert len(children) == 3
    assert all(p.doc is not None and p.error is None for p in results if p.entry.file)
    assert all(p.entry.implements for p in children)


def test_ground_truth_keys_exist_in_parsed_documents(gen, corpus):
    _, results = process(corpus)
    keys = {p.entry.id: {m.key for m in p.doc.measures} for p in results if p.doc}
    truth = gen.read_truth(corpus)
    assert truth
    for row in truth:
        assert row["key"] in keys[row["doc"]]
        assert row["parent_key"] is None or row["parent_key"] in keys[row["parent_doc"]]
    assert any(r["parent_key"] is None for r in truth)  # local measures have no parent


def test_injected_defects_are_in_the_raw_text(corpus):
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for doc_id, info in manifest["children"].items():
        raw = (corpus / "texts" / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert set(info["defects"]) >= {"half_width", "number_space", "duplicate"}
        assert re.search(r"^\([一二三四五六七八九十]+\)", raw, re.M)  # half-width measure bracket
        assert re.search(r"\d{4} 年", raw)
        if "page_break" in info["defects"]:
            # a page end inside an agency name (市\n\n市场监管局, 自\n\n治区发展改革委)
            assert re.search(r"[\u4e00-\u9fff]\n\n[\u4e00-\u9fff]+(?:局|委|府|办|厅)", raw)
        blocks = [b for b in raw.split("\n\n") if b.startswith(("（", "("))]
        assert len(blocks) != len(set(blocks))  # a duplicated passage


@pytest.fixture(scope="module")
def wide(gen, tmp_path_factory):
    """Twelve cities, a quarter of them registered without a parent."""
    return gen.generate(tmp_path_factory.mktemp("wide"), 12, seed=5, undeclared=0.25)


def test_a_share_of_children_is_registered_without_a_parent_and_truth_keeps_it(gen, wide):
    entries = {e.id: e for e in load_registry(wide).entries}
    manifest = json.loads((wide / "manifest.json").read_text(encoding="utf-8"))
    hidden = [c for c, info in manifest["children"].items() if not info["declared"]]
    assert len(hidden) == 3
    assert all(entries[c].implements == [] for c in hidden)
    assert all(
        entries[c].implements == [info["parent"]] for c, info in manifest["children"].items() if info["declared"]
    )
    truth = gen.read_truth(wide)
    for c in hidden:
        assert {r["parent_doc"] for r in truth if r["doc"] == c} == {manifest["children"][c]["parent"]}


def test_cities_implement_their_own_provinces_version_of_the_policy(wide):
    entries = {e.id: e for e in load_registry(wide).entries}
    manifest = json.loads((wide / "manifest.json").read_text(encoding="utf-8"))
    provinces = set()
    for c, info in manifest["children"].items():
        parent = entries[info["parent"]]
        assert parent.level == "provincial" and parent.region == parent_region(entries[c].region).name
        provinces.add(parent.region)
    assert len(provinces) > 2  # not only the seed's 江西 and 吉林


def test_provincial_versions_carry_their_own_province_and_differ_from_the_source(wide):
    _, results = process(wide)
    docs = {p.entry.id: p for p in results}
    versions = [p for p in results if p.entry.id.startswith("prov-")]
    assert versions
    for v in versions:
        raw = v.doc.raw
        assert v.entry.title.startswith(v.entry.region) and v.doc.region == v.entry.region
        for source in ("江西", "吉林"):
            if not v.entry.region.startswith(source):
                assert source not in raw
        real = [docs[i] for i in docs if not i.startswith(("prov-", "syn-", "china")) and docs[i].doc]
        sentences = {s.text for m in v.doc.measures for s in m.sentences}
        assert all(sentences != {s.text for m in r.doc.measures for s in m.sentences} for r in real)


def test_seed_parents_only_keeps_the_four_real_provincial_documents(gen, tmp_path):
    out = gen.generate(tmp_path / "seed", 6, seed=2, seed_parents_only=True)
    documents = yaml.safe_load((out / "corpus.yaml").read_text(encoding="utf-8"))["documents"]
    assert not [d for d in documents if d["id"].startswith("prov-")]
    regions = {parent_region(d["region"]).name for d in documents if d["id"].startswith("syn-")}
    assert regions <= {"江西省", "吉林省"}


def test_undeclared_share_outside_zero_to_one_is_refused(gen, tmp_path):
    with pytest.raises(ValueError, match="between 0 and 1"):
        gen.generate(tmp_path / "bad", 3, undeclared=1.5)
