"""Agency load from the graph: known answers on tiny rows, then the real corpus built once
with the real aligner, and ``kg agencies --network`` as a user sees it."""

import json
from collections import defaultdict

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.analysis.load import (
    Agency,
    Responsibility,
    agency_load,
    betweenness,
    co_responsibility_graph,
    rank,
    reference_betweenness,
)
from kg.cli import main
from kg.pipeline import build_graph
from kg.present.records import agencies_records

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID

PROVINCE, CITY = "省工业和信息化厅", "市工业和信息化局"


def resp(measure, agency, role="support", doc="d", level="provincial"):
    return Responsibility(measure, doc, level, agency, role)


# ------------------------------------------------------------------ tiny rows


def test_co_listed_agencies_are_linked_by_shared_measures_and_generic_entries_are_left_out():
    agencies = {x: Agency(x, x) for x in "ABC"} | {"G": Agency("G", "各有关单位", generic=True)}
    rows = [
        resp("m1", "A", "lead"),
        resp("m1", "B"),
        resp("m1", "G"),
        resp("m2", "A", "lead"),
        resp("m2", "B"),
        resp("m3", "C", "lead"),
        resp("m3", "G"),
    ]
    g = co_responsibility_graph(rows, agencies)
    assert sorted(g.nodes) == ["A", "B", "C"]  # C is isolated once 各有关单位 is dropped
    assert sorted(g.edges(data="weight")) == [("A", "B", 2)]


def test_an_agency_printed_twice_on_a_measure_counts_twice_but_links_once():
    agencies = {x: Agency(x, x) for x in "AB"}
    rows = [resp("m1", "A", "lead"), resp("m1", "B"), resp("m1", "B")]
    ranking = {r.agency: r for r in rank(rows, agencies)}
    assert (ranking["B"].support, ranking["B"].degree, ranking["B"].strength) == (2, 1, 1)


def test_betweenness_prefers_the_path_of_frequent_co_listings():
    # A–B–C share three measures per edge, A–D–C one: A to C runs through B (length 1/3 + 1/3, not 1 + 1),
    # D to B through A or C (1 + 1/3 either way). Unweighted, all four would score 1/6.
    agencies = {x: Agency(x, x) for x in "ABCD"}
    rows = [
        resp(f"{pair}{i}", x)
        for pair, n in (("AB", 3), ("BC", 3), ("AD", 1), ("DC", 1))
        for i in range(n)
        for x in pair
    ]
    g = co_responsibility_graph(rows, agencies)
    assert betweenness(g) == {"A": 0.1667, "B": 0.3333, "C": 0.1667, "D": 0.0}
    assert "distance" not in next(iter(g.edges(data=True)))[2]  # the caller's graph is left as it was


def test_betweenness_equals_the_networkx_reference_on_ties_components_and_small_graphs():
    """networkit computes the ranking's betweenness; networkx's is the reference: the same
    figures on a graph with many equal shortest paths (a weighted grid: ties in float
    lengths), several components, and graphs too small to have a node between two others."""
    import random

    rng = random.Random(7)
    grid = nx.grid_2d_graph(6, 6)
    g = nx.Graph()
    for x, y in grid.edges:
        g.add_edge(str(x), str(y), weight=rng.choice([1, 2, 3]))
    g.add_edges_from([("p", "q", {"weight": 1}), ("q", "r", {"weight": 2}), ("r", "p", {"weight": 2})])
    g.add_node("alone")
    assert betweenness(g) == reference_betweenness(g)
    assert max(betweenness(g).values()) > 0
    for nodes in ([], ["A"], ["A", "B"]):
        small = nx.Graph()
        small.add_nodes_from(nodes)
        small.add_edges_from(zip(nodes, nodes[1:]), weight=1)
        assert betweenness(small) == reference_betweenness(small)


def test_betweenness_equals_the_networkx_reference_on_the_seed_network(real_build):
    from kg.analysis.load import read_agencies, read_responsibilities

    g = co_responsibility_graph(read_responsibilities(real_build), read_agencies(real_build))
    assert g.number_of_nodes() > 50
    assert betweenness(g) == reference_betweenness(g)


def test_provincial_agency_sits_next_to_its_city_counterparts_and_the_city_next_to_the_province():
    agencies = {
        "P": Agency("P", "省住房城乡建设厅", "provincial", "江西省"),
        "C1": Agency("C1", "市住房城乡建设局", "municipal", "上饶市", counterpart="P"),
        "C2": Agency("C2", "市城管局", "municipal", "上饶市", counterpart="P"),
        "N": Agency("N", "住房城乡建设部", "national"),
    }
    agencies["P"] = Agency("P", "省住房城乡建设厅", "provincial", "江西省", counterpart="N")
    rows = [
        resp("p1", "P", "lead"),
        resp("p2", "P"),
        resp("c1", "C1", "lead", "s", "municipal"),
        resp("c1", "C2", "support", "s", "municipal"),
        resp("c2", "C2", "lead", "s", "municipal"),
    ]
    ranking = {r.agency: r for r in rank(rows, agencies)}
    p = ranking["省住房城乡建设厅"]
    assert (p.counterpart, p.counterpart_region, p.counterpart_lead, p.counterpart_support) == (
        "市住房城乡建设局、市城管局",
        "上饶市",
        2,
        1,
    )
    c = ranking["市城管局"]
    assert (c.counterpart, c.counterpart_lead, c.counterpart_support) == ("省住房城乡建设厅", 1, 1)
    assert [r.agency for r in rank(rows, agencies)] == ["市城管局", "省住房城乡建设厅", "市住房城乡建设局"]


# ------------------------------------------------------------------ the real corpus


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):

    out = tmp_path_factory.mktemp("load") / "build"
    build_graph(DATA, out)
    return out


@pytest.fixture(scope="module")
def ranking(real_build):
    return agency_load(real_build)


def test_lead_and_support_counts_equal_the_agency_listing(ranking, corpus):
    expected = {
        (a["name"], a["region"]): (a["lead"], a["support"]) for a in agencies_records(corpus) if not a["generic"]
    }
    assert {(r.agency, r.region): (r.lead, r.support) for r in ranking} == expected
    assert all(r.total == r.lead + r.support for r in ranking)


def test_per_document_counts_add_up_and_carry_the_document_level(ranking):
    for r in ranking:
        assert sum(d.lead for d in r.documents) == r.lead and sum(d.support for d in r.documents) == r.support
    levels = {d.doc: d.level for r in ranking for d in r.documents}
    assert levels[JIANGXI_ID] == "provincial" and levels[SHANGRAO_ID] == "municipal"


def test_degree_is_the_number_of_distinct_co_listed_agencies(ranking, corpus):
    partners = defaultdict(set)
    for p in corpus:
        for m in p.doc.measures if p.doc else []:
            names = {(a.name, a.region) for a in m.agencies if not a.generic}
            for a in names:
                partners[a] |= names - {a}
    assert {(r.agency, r.region): r.degree for r in ranking} == {k: len(v) for k, v in partners.items()}


def test_generic_entries_are_not_ranked(ranking):
    names = {r.agency for r in ranking}
    assert not names & {"各有关单位", "各有关部门", "设区市"}


def test_ranking_is_sorted_by_load_then_name_and_stable(ranking, real_build):
    keys = [(-r.total, -r.lead, r.agency) for r in ranking]
    assert keys == sorted(keys)
    assert agency_load(real_build) == ranking
    top = ranking[0]
    assert (top.agency, top.level, top.region, top.lead, top.support) == (
        "省生态环境厅",
        "provincial",
        "江西省",
        16,
        14,
    )  # 16, 16 before the scrape was rebuilt
    assert 0 < top.betweenness < 1 and top.counterpart == "市生态环境局"


def test_provincial_industry_department_pairs_with_the_city_industry_bureau(ranking):
    by_name = {(r.agency, r.region): r for r in ranking}
    province, city = by_name[(PROVINCE, "江西省")], by_name[(CITY, "上饶市")]
    assert (province.counterpart, province.counterpart_region) == (CITY, "上饶市")
    assert (province.counterpart_lead, province.counterpart_support) == (city.lead, city.support)
    assert (city.counterpart, city.counterpart_region) == (PROVINCE, "江西省")
    assert (city.counterpart_lead, city.counterpart_support) == (province.lead, province.support)
    jiangxi_2021 = next(d for d in province.documents if d.doc == JIANGXI_ID)
    assert (jiangxi_2021.lead, jiangxi_2021.support) == (2, 6)  # (2, 7) before the scrape was rebuilt
    assert [(d.doc, d.lead, d.support) for d in city.documents] == [(SHANGRAO_ID, 1, 8)]


def test_level_filter_keeps_the_network_of_the_whole_graph(ranking, real_build):
    municipal = agency_load(real_build, "municipal")
    assert municipal == [r for r in ranking if r.level == "municipal"] and municipal


# ------------------------------------------------------------------ the command


def test_network_table_shows_the_ranking_columns(real_build, ranking):
    r = CliRunner().invoke(main, ["agencies", "--network", "--build", str(real_build), "--format", "table"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    header = [c.strip() for c in lines[1].strip("┃").split("┃")]
    assert header == [
        "agency",
        "level",
        "region",
        "lead",
        "support",
        "total",
        "degree",
        "betweenness",
        "counterpart",
        "counterpart_lead",
        "counterpart_support",
    ]
    first = [c.strip() for c in lines[3].strip("│").split("│")]
    top = ranking[0]
    assert first == [
        top.agency,
        "provincial",
        "江西省",
        "16",
        "14",
        "30",
        str(top.degree),
        str(top.betweenness),
        "市生态环境局",
        str(top.counterpart_lead),
        str(top.counterpart_support),
    ]


def test_network_jsonl_is_one_record_per_agency(real_build, ranking):
    r = CliRunner().invoke(main, ["agencies", "--network", "--build", str(real_build), "--format", "jsonl"])
    records = [json.loads(line) for line in r.output.splitlines()]
    assert len(records) == len(ranking)
    first = records[0]
    assert {k: first[k] for k in ("agency", "level", "region", "lead", "support", "total")} == {
        "agency": "省生态环境厅",
        "level": "provincial",
        "region": "江西省",
        "lead": 16,
        "support": 14,
        "total": 30,
    }
    assert first["documents"][0].keys() == {"doc", "level", "lead", "support"}


def test_network_csv_starts_with_the_ranking_columns(real_build):
    r = CliRunner().invoke(
        main, ["agencies", "--network", "--build", str(real_build), "--format", "csv", "--level", "municipal"]
    )
    header, first = r.output.splitlines()[:2]
    assert header.startswith("agency,level,region,lead,support,total,degree")
    assert first.startswith("市发展改革委,municipal,上饶市,")


def test_network_without_a_store_says_to_run_kg_build(tmp_path):
    r = CliRunner().invoke(main, ["agencies", "--network", "--build", str(tmp_path / "nowhere")])
    assert r.exit_code == 1
    assert (
        r.output
        == f"Error: {tmp_path / 'nowhere'}: no graph store found; run `kg build --out {tmp_path / 'nowhere'}` to build it\n"
    )


def test_network_with_doc_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(main, ["agencies", "--network", "--doc", SHANGRAO_ID, "--build", str(tmp_path)])
    assert r.exit_code == 2 and "--doc does not apply with --network" in r.output
