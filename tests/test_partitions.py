"""Partitions found in graph.nt by binary search are exactly the lines each document owns,
and a node's lines are found by lookup as a pass over the file finds them."""

import pytest

from kg.rdf.ntriples import line, lit
from kg.rdf.partitions import Reader, batches, partition_of, scan
from kg.rdf.sorted_nt import SortedLines, marks
from kg.rdf.vocab import ID

DOC = f"{ID}doc/"
# ids that extend one another sort between a document's own node and its parts
IDS = ["a", "a-1", "a-10", "a-1-2", "a0", "a1", "b", "%E4%B8%8A%E9%A5%B6"]


def _lines():
    out = [line(f"{ID}agency/x", "http://example.org/p", lit("机构"))]
    out.append(line("http://example.org/C", "http://www.w3.org/2000/01/rdf-schema#subClassOf", "http://example.org/D"))
    for d in IDS:
        out.append(line(f"{DOC}{d}", "http://example.org/title", lit(f"文件 {d}")))
        for m in range(1, 12):
            out.append(line(f"{DOC}{d}/measure/{m}", "http://example.org/of", f"{DOC}{d}"))
            out.append(line(f"{DOC}{d}/measure/{m}", "http://example.org/agency", f"{ID}agency/x"))
    return sorted(set(out))


@pytest.fixture
def graph(tmp_path):
    path = tmp_path / "graph.nt"
    lines = _lines()
    path.write_text("".join(lines), encoding="utf-8")
    return path, lines


def test_each_partition_is_exactly_the_lines_its_document_owns(graph):
    path, lines = graph
    plan = scan(path)
    with SortedLines(path, plan.marks) as f:
        for key, ranges in plan.ranges.items():
            assert list(f.read(ranges)) == [ln for ln in lines if partition_of(ln[1 : ln.index(">")]) == key]
    assert set(plan.ranges) == {"", *IDS}
    assert any(len(r) == 2 for r in plan.ranges.values())  # some document's lines are two runs
    assert [ln.split(" ")[1] for ln in plan.hierarchy] == ["<http://www.w3.org/2000/01/rdf-schema#subClassOf>"]
    assert sorted(k for b in batches(plan, 5) for k, _ in b) == sorted(plan.ranges)


@pytest.mark.parametrize("every", [1, 64, 1 << 20])
def test_a_lookup_finds_what_a_pass_over_the_file_finds(graph, every):
    path, lines = graph
    with SortedLines(path, marks(path, every)) as f:
        for subject in sorted({ln[1 : ln.index(">")] for ln in lines}) + [f"{DOC}a-", f"{DOC}zz", "http://a"]:
            assert list(f.facts(subject)) == [ln for ln in lines if ln.startswith(f"<{subject}> ")], subject


def test_a_reader_borrows_the_nodes_of_other_partitions_only(graph):
    path, _ = graph
    plan = scan(path)
    reader = Reader(plan, None, frozenset({"http://example.org/agency", "http://example.org/of"}))
    try:
        _, pointed = reader.own_pointed(plan.ranges["a-1"])
        context = reader.context(pointed, {"a-1"})
        assert {ln[1 : ln.index(">")] for ln in context} == {f"{ID}agency/x", "http://example.org/C"}
    finally:
        reader.close()


def test_a_digest_is_the_hash_of_the_lines_and_context_one_by_one(graph):
    # builds record these digests and later builds compare them: the hash must not change
    import hashlib

    path, _ = graph
    plan = scan(path)
    keep = frozenset({"http://example.org/agency", "http://example.org/of", "http://example.org/title"})
    reader = Reader(plan, keep, frozenset({"http://example.org/agency"}))
    try:
        own, pointed = reader.own_pointed(plan.ranges["a"])
        h = hashlib.sha256(b"rules")
        for ln in own + reader.context(pointed, {"a"}):
            h.update(ln.encode("utf-8"))
        assert reader.digest("a", own, pointed, b"rules") == h.hexdigest()
    finally:
        reader.close()


def test_a_looked_up_node_keeps_only_the_predicates_read_and_points_through_the_classed_ones(graph):
    path, lines = graph
    keep = frozenset({"http://example.org/agency", "http://example.org/of"})
    reader = Reader(scan(path), keep, frozenset({"http://example.org/agency"}))
    try:
        node = f"{DOC}a0/measure/3"
        facts, pointed = reader._facts(node)
        assert facts == [ln for ln in lines if ln.startswith(f"<{node}> ") and ln.split(" ")[1][1:-1] in keep]
        assert set(pointed) == {f"{ID}agency/x"}  # not the document it is "of": that predicate is not classed
        assert reader._facts(f"{DOC}a0")[0] == []  # its only line, the title, is not read
    finally:
        reader.close()
