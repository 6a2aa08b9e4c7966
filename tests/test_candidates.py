"""Parent discovery: the candidate index finds the labelled parents across all higher-level
documents, and aligning through it matches the full alignment while scoring fewer pairs."""

import pytest

from kg.align import align_documents, align_undeclared
from kg.align.candidates import CandidateIndex, candidate_documents, candidate_parents, shortlist
from kg.align.evaluate import load_labels
from kg.align.overrides import resolve_measure
from kg.corpus import process
from kg.extract.parse import parse_text

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID

HIGHER = (
    "jiangxi-2021-green-economy",
    "jiangxi-2022-pollution-carbon",
    "jiangxi-2024-eco-civilization",
    "jilin-2021-green-economy",
)


@pytest.fixture(scope="module")
def parents(docs_by_id):
    return {i: docs_by_id[i] for i in HIGHER}


@pytest.fixture(scope="module")
def index(parents):
    return CandidateIndex(parents)


@pytest.fixture(scope="module")
def gold(docs_by_id):
    """child measure key -> labelled parent key, for parents present in the parsed text."""
    child, parent = docs_by_id[SHANGRAO_ID], docs_by_id[JIANGXI_ID]
    present = {m.key for m in parent.measures}
    out = {}
    for lab in load_labels()[1]:
        if (lab.source_doc, lab.target_doc) != (SHANGRAO_ID, JIANGXI_ID) or not lab.target_measure:
            continue
        key = resolve_measure(parent, lab.target_measure, missing_ok=True)
        if key in present:
            out[resolve_measure(child, lab.source_measure)] = key
    return out


def test_index_covers_every_higher_level_measure(index, parents):
    assert index.size == sum(len(d.measures) for d in parents.values())


def test_query_finds_a_copied_sentence_first(index, parents):
    m = parents["jilin-2021-green-economy"].measures[5]
    assert index.query([m.sentences[0].text], k=3)[0][0][:2] == ("jilin-2021-green-economy", m.key)


def test_query_returns_at_most_k_best_first(index):
    (row,) = index.query(["推进工业绿色转型，推动传统产业绿色化改造"], k=4)
    assert len(row) == 4
    assert [s for _, _, s in row] == sorted((s for _, _, s in row), reverse=True)


def test_labelled_parents_are_among_the_top_10_candidates(docs_by_id, index, gold):
    child = docs_by_id[SHANGRAO_ID]
    rows = dict(zip((m.key for m in child.measures), candidate_parents(child, index, k=10)))
    hits = sum((JIANGXI_ID, gold[key]) in {(d, k) for d, k, _ in rows[key]} for key in gold)
    recall = hits / len(gold)
    print(f"candidate recall@10 over {index.size} parent measures: {recall:.3f} ({hits}/{len(gold)})")
    assert len(gold) >= 10
    assert recall >= 0.9


def test_shangrao_implements_jiangxi_2021_first(docs_by_id, index):
    ranked = candidate_documents(docs_by_id[SHANGRAO_ID], index)
    assert ranked[0][0] == JIANGXI_ID
    assert "jiangxi-2024-eco-civilization" not in [d for d, _ in ranked]


def test_align_undeclared_matches_full_alignment_with_fewer_pairs(docs_by_id, parents, index, gold):
    child = docs_by_id[SHANGRAO_ID]
    links, pairs = align_undeclared(child, SHANGRAO_ID, parents, index)
    full, scores = align_documents(child, parents[JIANGXI_ID], SHANGRAO_ID, JIANGXI_ID)
    found = {l.source_key: l.target_key for l in links if l.target_doc == JIANGXI_ID}
    expected = {l.source_key: l.target_key for l in full}
    assert {k: found[k] for k in gold} == {k: expected[k] for k in gold}
    brute = sum(align_documents(child, p)[1].pairs_scored for p in parents.values())
    print(f"pairs scored: {pairs} through the index, {brute} brute force ({brute / pairs:.1f}x)")
    assert pairs < brute
    assert scores.pairs_scored == scores.sim.size


def test_candidate_set_limits_scored_units_but_keeps_the_preamble(docs_by_id):
    child, parent = docs_by_id[SHANGRAO_ID], docs_by_id[JIANGXI_ID]
    keys = {parent.measures[0].key, parent.measures[3].key}
    links, scores = align_documents(child, parent, candidates=keys)
    assert [u.key for u in scores.units] == [parent.measures[0].key, parent.measures[3].key, "preamble"]
    assert scores.pairs_scored < align_documents(child, parent)[1].pairs_scored
    assert {l.target_key for l in links if not l.recovered} <= keys | {None}


def test_empty_index_gives_no_candidates():
    doc = parse_text("甲市方案\n\n一、任务\n\n（一）推进工业绿色转型。推动传统产业改造。\n")
    index = CandidateIndex({})
    assert index.size == 0
    assert candidate_parents(doc, index) == [[]]
    assert candidate_documents(doc, index) == []


def test_parallel_processing_returns_the_same_documents(processed):
    reg, serial = processed
    _, parallel = process(DATA, workers=2)
    assert [p.entry.id for p in parallel] == [p.entry.id for p in serial]
    assert [p.error for p in parallel] == [p.error for p in serial]
    for a, b in zip(serial, parallel):
        if a.doc is None:
            assert b.doc is None
            continue
        assert [(m.key, m.title, m.text) for m in a.doc.measures] == [(m.key, m.title, m.text) for m in b.doc.measures]
        assert [str(w) for w in a.doc.warnings] == [str(w) for w in b.doc.warnings]


def test_parallel_processing_records_failures(tmp_path):
    from .conftest import MINI_DOC, write_corpus

    registry = """documents:
  - {id: good, file: good.txt, title: 上饶市人民政府印发关于测试的实施方案的通知, level: municipal, region: 上饶市}
  - {id: empty, file: empty.txt, title: 空, level: municipal, region: 上饶市}
  - {id: textless, title: 无文本, level: provincial, region: 江西省}
"""
    d = write_corpus(tmp_path, {"good.txt": MINI_DOC, "empty.txt": " \n"}, registry)
    seen = []
    _, results = process(d, progress=seen.append, workers=2)
    assert [s.split(" (last: ")[1] for s in seen] == ["good.txt)", "empty.txt)", "textless)"]
    assert [s.split(" documents")[0] for s in seen] == ["read 1/3", "read 2/3", "read 3/3"]
    assert results[0].doc is not None and results[0].error is None
    assert results[1].doc is None and results[1].error
    assert results[2].doc is None and results[2].error is None
    assert results[1].error == process(d)[1][1].error


TWIN = "甲省方案\n\n一、任务\n\n（一）推进工业绿色转型。推动钢铁、石化等传统产业绿色化改造。\n\n（二）打造绿色物流。加快发展冷链物流，推广新能源物流车辆。\n"
CHILD = "丙市方案\n\n一、任务\n\n（一）打造绿色物流。加快发展冷链物流，推广新能源物流车辆。\n"


def test_identical_versions_each_get_their_own_candidate_measures():
    # Two provinces issued the same text: over the whole index the tie goes to the first
    # one indexed, but each shortlisted document is searched on its own.
    twins = {"first": parse_text(TWIN), "second": parse_text(TWIN)}
    index = CandidateIndex(twins)
    child = parse_text(CHILD)
    assert [d for d, _, _ in candidate_parents(child, index, k=1)[0]] == ["first"]
    listed = shortlist(child, index, k=1, top=2)
    assert [(s.doc, s.keys) for s in listed] == [("first", {"2"}), ("second", {"2"})]
    assert listed[0].support == listed[1].support == 1.0


def test_allowed_documents_limit_the_candidates():
    twins = {"first": parse_text(TWIN), "second": parse_text(TWIN)}
    index = CandidateIndex(twins)
    child = parse_text(CHILD)
    only = index.allowed(["second"])
    assert {d for row in candidate_parents(child, index, k=4, allowed=only) for d, _, _ in row} == {"second"}
    assert [d for d, _ in candidate_documents(child, index, allowed=only)] == ["second"]


def test_measures_without_text_give_no_candidates():
    untitled = parse_text("甲省方案\n\n一、任务\n\n（一）\n")  # a measure with neither title nor text
    index = CandidateIndex({"province": untitled})
    assert index.size == 1
    assert index.query(["推进工业绿色转型"]) == [[]]
