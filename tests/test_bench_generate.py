"""bench/generate.py: synthetic city corpora with known ground truth."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from kg.corpus import process

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
            assert re.search(r"市\n\n[\u4e00-\u9fff]+(?:局|委|府|办)", raw)
        blocks = [b for b in raw.split("\n\n") if b.startswith(("（", "("))]
        assert len(blocks) != len(set(blocks))  # a duplicated passage
