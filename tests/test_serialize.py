"""graph.nt written by an external merge: sorted blocks on disk, merged line by line."""

import random

from kg.rdf.graph import graph_lines, graph_runs
from kg.rdf.ntriples import split_run
from kg.rdf.serialize import read_lines, write_ntriples
from kg.rdf.validate import partition_of

DOC = "https://w3id.org/policy-kg/id/doc/"


def _runs(rng: random.Random, n: int) -> list[str]:
    """Sorted runs of distinct lines, sharing some lines between runs (as documents share a
    lost parent heading) and holding escaped line breaks and a U+2028 (not escaped by
    N-Triples, a line break to ``str.splitlines``)."""
    shared = [f'<{DOC}p/measure/{i}> <urn:p> "共\\n有 {i}" .\n' for i in range(5)]
    runs = []
    for r in range(n):
        own = [f'<{DOC}d{r}/measure/{i}> <urn:p> "{rng.random()}\\r\\n\u2028段" .\n' for i in range(rng.randint(0, 40))]
        own += rng.sample(shared, 2)
        runs.append("".join(sorted(set(own))))
    return runs


def test_blocks_on_disk_merge_into_the_sorted_distinct_lines(tmp_path):
    runs = _runs(random.Random(3), 30)
    expected = sorted({ln for text in runs for ln in split_run(text)})
    # a spill of a few hundred characters: many blocks, each merged back
    counts = write_ntriples(iter(runs), tmp_path / "graph.nt", partition_of, spill=300)
    assert list(read_lines(tmp_path / "graph.nt")) == expected
    assert sum(counts.values()) == len(expected)
    assert counts["d7"] == sum(1 for ln in expected if ln.startswith(f"<{DOC}d7/"))
    assert counts["p"] == 5
    assert not [p for p in tmp_path.iterdir() if p.name != "graph.nt"]  # the blocks are gone


def test_one_block_and_no_lines(tmp_path):
    runs = _runs(random.Random(4), 3)
    write_ntriples(runs, tmp_path / "one.nt")
    assert (tmp_path / "one.nt").read_text(encoding="utf-8") == "".join(
        sorted({ln for text in runs for ln in split_run(text)})
    )
    assert write_ntriples([], tmp_path / "empty.nt") == {}
    assert (tmp_path / "empty.nt").read_text(encoding="utf-8") == ""


def test_the_seed_graph_on_disk_is_the_graph_in_memory(tmp_path, processed, links):
    registry, results = processed
    write_ntriples(graph_runs(registry, results, links), tmp_path / "graph.nt", spill=1 << 16)
    assert list(read_lines(tmp_path / "graph.nt")) == graph_lines(registry, results, links)
