"""Saved queries answer the researcher's questions on the seed corpus (with hand-written
links); ``kg query`` formats, errors, time limit and store problems."""

import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.present.records import agencies_records
from kg.store.query import resolve, run_query, saved_queries

from .conftest import HAND, JIANGXI_ID, SHANGRAO_ID

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def rows(built, name):
    return run_query(built.out, resolve(name)).rows


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_saved_query_states_its_question_and_how_it_treats_weak_links(name):
    q = saved_queries()[name]
    assert q.question.endswith("?") and len(q.question) > 30
    if name in ("gaps", "innovations", "dropped-agencies"):
        assert "WEAK LINKS" in q.text
    # SPARQLWrapper strips only every other comment line before guessing the query type,
    # so an update keyword in a header comment makes it send the query as an update.
    comments = "\n".join(line for line in q.text.splitlines() if line.startswith("#"))
    assert not re.search(r"insert|delete|create|clear|drop|load|copy|move|add", comments, re.IGNORECASE)


def test_gaps_are_the_parent_measures_no_child_measure_implements(built, docs_by_id):
    implemented = {p for _, p, _, status, method in HAND if p and (status == "aligned" or method == "curated")}
    expected = [m.key for m in docs_by_id[JIANGXI_ID].measures if m.key not in implemented]
    got = rows(built, "gaps")
    assert expected == [str(k) for k in range(7, 22)]  # the rebuilt scrape has every number 1–21
    assert [(r["child_doc"], r["parent_doc"], r["parent_key"]) for r in got] == [
        (SHANGRAO_ID, JIANGXI_ID, k) for k in expected
    ]
    weak = {r["parent_key"]: (r["weak_candidates"], r["best_weak_score"]) for r in got if r["weak_candidates"]}
    assert weak == {"7": (1, 0.41)}  # 上饶 9 → 江西 7 is only weak: still a gap, shown for review


def test_innovations_are_child_measures_that_implement_nothing(built, docs_by_id):
    implementing = {c for c, p, _, status, method in HAND if p and (status == "aligned" or method == "curated")}
    expected = [m.key for m in docs_by_id[SHANGRAO_ID].measures if m.key not in implementing]
    got = rows(built, "innovations")
    assert [r["key"] for r in got] == expected and {r["child_doc"] for r in got} == {SHANGRAO_ID}
    assert len(expected) == 17
    weak = {r["key"]: r["best_weak_score"] for r in got if r["weak_candidates"]}
    assert weak == {"4": 0.45, "9": 0.41}


def test_dropped_agencies_compare_parent_agencies_with_child_agencies_and_counterparts(built, docs_by_id):
    def measure(doc, key):
        return next(m for m in docs_by_id[doc].measures if m.key == key)

    expected = []
    for child, parent, _, status, method in HAND:
        if not parent or not (status == "aligned" or method == "curated"):
            continue
        c = measure(SHANGRAO_ID, child)
        covered = {a.name for a in c.agencies} | {a.counterpart for a in c.agencies if a.counterpart}
        seen = set()
        for a in measure(JIANGXI_ID, parent).agencies:
            if not a.generic and a.name not in covered and a.name not in seen:
                seen.add(a.name)
                expected.append((child, parent, a.name, a.role))
    got = [(r["child_key"], r["parent_key"], r["name"], r["role"]) for r in rows(built, "dropped-agencies")]
    assert got == expected
    assert ("2", "1", "省能源局", "support") in got and ("2", "1", "省工业和信息化厅", "lead") not in got


def test_agency_load_is_the_agency_listing_one_row_per_agency(built, corpus):
    got = sorted((r["level"], r["name"], r["region"], r["lead"], r["support"]) for r in rows(built, "agency-load"))
    expected = sorted((a["level"], a["name"], a["region"], a["lead"], a["support"]) for a in agencies_records(corpus))
    assert got == expected
    top = rows(built, "agency-load")[0]
    assert (top["level"], top["name"], top["lead"], top["support"]) == ("provincial", "省生态环境厅", 16, 14)


def test_targets_per_document_match_the_parsed_targets(built, docs_by_id):
    got = {r["doc"]: r for r in rows(built, "targets")}
    for doc_id, d in docs_by_id.items():
        if d is None:
            assert doc_id not in got
            continue
        targets = [t for _, _, t in d.all_targets()]
        quantitative = sum(t.value is not None for t in targets)
        years = [t.year for t in targets if t.year]
        assert (got[doc_id]["targets"], got[doc_id]["quantitative"], got[doc_id]["dated"]) == (
            len(targets),
            quantitative,
            len(targets) - quantitative,
        )
        assert (got[doc_id]["first_year"], got[doc_id]["last_year"]) == (min(years), max(years))


def test_query_runs_a_saved_query_a_file_or_text(built, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text(saved_queries()["targets"].text, encoding="utf-8")
    by_name = CliRunner().invoke(main, ["query", "targets", "--build", str(built.out), "--format", "csv"])
    by_file = CliRunner().invoke(main, ["query", str(f), "--build", str(built.out), "--format", "csv"])
    assert by_name.exit_code == 0 and by_name.output == by_file.output
    assert by_name.output.splitlines()[0] == "doc,level,targets,quantitative,dated,first_year,last_year,title"
    assert len(by_name.output.splitlines()) == 6


def test_query_json_is_w3c_sparql_results(built):
    r = CliRunner().invoke(main, ["query", "ASK { ?s ?p ?o }", "--build", str(built.out), "--format", "json"])
    assert json.loads(r.output) == {"head": {}, "boolean": True}
    r = CliRunner().invoke(main, ["query", "gaps", "--build", str(built.out), "--format", "json"])
    doc = json.loads(r.output)
    assert doc["head"]["vars"][:3] == ["child_doc", "parent_doc", "parent_key"]
    assert doc["results"]["bindings"][0]["parent_key"] == {"type": "literal", "value": "7"}


def test_query_list_names_every_saved_query(built):
    r = CliRunner().invoke(main, ["query", "--list", "--format", "jsonl"])
    assert [json.loads(line)["name"] for line in r.output.splitlines()] == sorted(saved_queries())


def test_invalid_sparql_is_one_line_with_the_parser_message(built):
    r = CliRunner().invoke(main, ["query", "SELEC ?x WHERE {}", "--build", str(built.out)])
    assert r.exit_code == 1
    assert r.output.startswith("Error: invalid SPARQL: error at 1:") and r.output.count("\n") == 1  # parser's words


def test_unknown_saved_query_name_says_what_exists(built):
    r = CliRunner().invoke(main, ["query", "gapz", "--build", str(built.out)])
    assert (
        r.exit_code == 1
        and "neither a saved query (agency-load, coverage, diffusion, dropped-agencies, function-load, gaps" in r.output
    )


def test_long_query_is_cut_off_and_says_so(built):
    r = CliRunner().invoke(main, ["query", CARTESIAN, "--build", str(built.out), "--timeout", "1"])
    assert r.exit_code == 1
    assert r.output == "Error: the query ran longer than the 1 s time limit and was stopped\n"


def test_missing_store_says_how_to_build_it(tmp_path):
    r = CliRunner().invoke(main, ["query", "gaps", "--build", str(tmp_path / "nowhere")])
    assert r.exit_code == 1
    assert (
        r.output
        == f"Error: {tmp_path / 'nowhere'}: no graph store found; run `kg build --out {tmp_path / 'nowhere'}` to build it\n"
    )


def test_corrupt_store_says_how_to_rebuild_it(built, tmp_path):
    out = tmp_path / "b"
    shutil.copytree(built.out, out)
    for f in (out / "store").iterdir():
        if f.is_file():
            f.write_bytes(b"garbage")
    r = CliRunner().invoke(main, ["query", "gaps", "--build", str(out)])
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {out / 'store'}: the graph store is corrupt or unreadable (")
    assert r.output.rstrip().endswith(f"run `kg build --out {out}` to build it") and r.output.count("\n") == 1


def test_restrict_puts_values_or_a_filter_where_the_query_marks_them():
    from kg.store.query import restrict

    q = "SELECT * WHERE {\n  ?d <x:id> ?doc .\n  # VALUES ?doc ?other\n  # FILTER ?doc\n}"
    got = restrict(q, {"doc": ["a", 'b"c\\d']})
    assert got.splitlines()[2:4] == ['  VALUES ?doc { "a" "b\\"c\\\\d" }', '  FILTER(?doc IN ("a", "b\\"c\\\\d"))']
    assert restrict(q, {}) == q  # unrestricted: the marks stay comments


def test_restrict_refuses_a_variable_the_query_does_not_mark():
    from kg.core.errors import QueryError
    from kg.store.query import restrict

    with pytest.raises(QueryError, match=r"cannot be restricted by \?child_doc"):
        restrict("SELECT * WHERE { ?s ?p ?o }\n# VALUES ?doc", {"child_doc": ["x"]})


def test_restricted_query_answers_for_the_document_asked_for(built):
    from kg.analysis.gaps import query_text
    from kg.store.query import restrict

    rows = run_query(built.out, restrict(query_text("unimplemented"), {"child_doc": [SHANGRAO_ID]})).rows
    assert rows and {r["child_doc"] for r in rows} == {SHANGRAO_ID}
    assert run_query(built.out, restrict(query_text("unimplemented"), {"child_doc": ["nowhere"]})).rows == []


def test_queries_on_an_open_build_share_a_worker_and_survive_a_timeout(built):
    from kg.core.errors import QueryTimeout
    from kg.store.query import Build

    with Build(built.out) as build:
        first = build.query(resolve("gaps")).rows
        worker = build._worker
        assert run_query(build, resolve("gaps")).rows == first and build._worker is worker
        with pytest.raises(QueryTimeout):
            run_query(build, CARTESIAN, timeout=1)
        assert run_query(build, resolve("gaps")).rows == first  # a fresh worker took the stopped one's place
        assert build._worker is not worker
    assert build._worker is None  # closed with the block
    assert run_query(built.out, resolve("gaps")).rows == first


def test_an_open_build_stands_for_its_path(built):
    from kg.analysis.gaps import coverage
    from kg.store.query import Build

    with Build(built.out.parent if (built.out.parent / "build").exists() else built.out) as build:
        assert os.fspath(build) == str(build.path) and (build.path / "build.json").is_file()
        assert [c.record() for c in coverage(build)] == [c.record() for c in coverage(built.out)]
