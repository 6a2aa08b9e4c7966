"""The alignment view's data (kg.present.view_alignment) on the seeds build: pairs with the
coverage of the saved query, two columns in document order, links with their evidence."""

import pytest

from kg.present.view_alignment import alignment_data, pair_label
from kg.store.query import resolve, run_query

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID

PAIR = f"{SHANGRAO_ID}__{JIANGXI_ID}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from kg.pipeline import build_graph

    return build_graph(DATA, tmp_path_factory.mktemp("view") / "build").out


@pytest.fixture(scope="module")
def data(built):
    return alignment_data(built)


def test_documents_go_national_provincial_municipal(data):
    levels = [d["level"] for d in data["documents"]]
    assert levels == sorted(levels, key=data["levels"].index) and levels[0] == "national"
    china = next(d for d in data["documents"] if d["id"] == "china-2021-green-economy")
    assert not china["has_text"] and china["measures"] == 0


def test_pairs_carry_the_coverage_of_the_saved_query(built, data):
    coverage = {(r["child_doc"], r["parent_doc"]): r for r in run_query(built, resolve("coverage")).rows}
    pairs = {p["id"]: p for p in data["pairs"]}
    assert set(pairs) >= {PAIR, f"{SHANGRAO_ID}__china-2021-green-economy", f"{JIANGXI_ID}__china-2021-green-economy"}
    p = pairs[PAIR]
    row = coverage[(SHANGRAO_ID, JIANGXI_ID)]
    assert (p["implemented"], p["parent_measures"]) == (row["implemented"], row["parent_measures"])
    assert p["openable"] and not pairs[f"{SHANGRAO_ID}__china-2021-green-economy"]["openable"]  # no text above
    assert set(data["pair"]) == {x for x, q in pairs.items() if q["openable"]}
    docs = {d["id"]: d for d in data["documents"]}
    assert pair_label(p, docs).startswith(f"上饶市 2022 → 江西省 2021 · 落实 {p['implemented']}/{p['parent_measures']}")


def test_a_pair_has_every_measure_of_both_documents_in_document_order(built, data):
    pair = data["pair"][PAIR]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/policy-kg/ontology#Measure> ; <http://data.europa.eu/eli/ontology#is_part_of> <https://w3id.org/policy-kg/id/doc/%s> }"
    assert len(pair["parents"]) == run_query(built, count % JIANGXI_ID).rows[0]["n"] == 21
    assert len(pair["children"]) == run_query(built, count % SHANGRAO_ID).rows[0]["n"] == 23
    for column in (pair["parents"], pair["children"]):
        keys = [int(m["key"]) for m in column]
        assert keys == sorted(keys)
    lost = [m for m in pair["parents"] if m["lost"]]
    assert lost and all(m["text"] for m in lost), "a parent whose heading was lost still shows its text"


def test_implemented_and_innovations_follow_the_aligned_links(data):
    pair = data["pair"][PAIR]
    implementing = [x for x in pair["links"] if x["implements"]]
    assert {m["key"] for m in pair["parents"] if m["implemented"]} == {x["parent"] for x in implementing}
    assert {m["key"] for m in pair["children"] if not m["innovation"]} == {x["child"] for x in implementing}
    assert [m["number"] for m in pair["children"] if m["innovation"]][:1] == ["一"]


def test_every_link_carries_its_evidence(data):
    pair = data["pair"][PAIR]
    texts = {("c", m["key"]): m["text"] for m in pair["children"]} | {
        ("p", m["key"]): m["text"] for m in pair["parents"]
    }
    assert pair["links"]
    for link in pair["links"]:
        child, parent = texts[("c", link["child"])], texts[("p", link["parent"])]
        assert link["status"] in ("aligned", "weak") and 0 <= link["score"] <= 1
        for start, end, kind in link["child_marks"]:
            assert 0 <= start < end <= len(child) and kind in ("copied", "changed", "added", "dropped")
        for start, end, _ in link["parent_marks"]:
            assert 0 <= start < end <= len(parent)
    first = pair["links"][0]
    assert first["pairs"] and all(c in texts[("c", first["child"])] for c, _ in first["pairs"])
    assert any(kind == "copied" for _, _, kind in first["child_marks"])


def test_the_reports_columns_are_the_views_own(built, data, tmp_path):
    """`kg all` reads each pair's evidence once, in the report's workers, and draws the view
    from what they hand back: the columns must be what the view computes by itself."""
    from kg.present.report import write_report

    report = write_report(built, tmp_path / "report", workers=2, views=True)
    assert PAIR in report.views and set(report.views) <= set(data["pair"])
    assert alignment_data(built, drawn=report.views) == data
    assert write_report(built, tmp_path / "plain").views == {}  # only when asked
