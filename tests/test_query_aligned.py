"""The saved queries on the graph `kg build` makes with the real aligner (not hand links):
what a researcher sees for Shangrao → Jiangxi 2021."""

import pytest

from kg.query import resolve, run_query

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID


@pytest.fixture(scope="module")
def aligned_build(tmp_path_factory):
    from kg.build import build

    return build(DATA, tmp_path_factory.mktemp("aligned") / "build")


def rows(built, query):
    return run_query(built.out, resolve(query)).rows


def test_gaps_are_the_lost_heading_measures_without_an_aligned_child(aligned_build):
    # six before the scrape was rebuilt (kg.rebuild): （九）（十二）（十三）（二十） now hold their sentences
    got = [(r["child_doc"], r["parent_doc"], r["parent_number"]) for r in rows(aligned_build, "gaps")]
    assert got == [(SHANGRAO_ID, JIANGXI_ID, n) for n in ["十一", "十四"]]
    assert [r["weak_candidates"] for r in rows(aligned_build, "gaps")] == [0, 1]


def test_innovations_include_the_preamble_restatement_and_green_tourism(aligned_build):
    got = {r["number"]: r for r in rows(aligned_build, "innovations") if r["child_doc"] == SHANGRAO_ID}
    assert not got["一"]["weak_candidates"] and not got["四"]["weak_candidates"]
    assert "二" not in got and "十八" not in got  # aligned by the tool / by a curated override


def test_curated_link_to_a_lost_heading_is_a_plain_implements_triple(aligned_build):
    q = f"""PREFIX eli: <http://data.europa.eu/eli/ontology#>
    PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
    SELECT ?lost WHERE {{
      <https://w3id.org/policy-kg/id/doc/{SHANGRAO_ID}/measure/18> eli:implements ?p .
      ?p eli:number "十七" ; pkg:headingLost ?lost }}"""
    assert [r["lost"] for r in run_query(aligned_build.out, q).rows] == [True]
