"""The saved queries rewritten for speed (issue 20) answer exactly as the texts they
replaced, kept in tests/queries_before/: the same rows in the same order, on the seed
corpus's build."""

from pathlib import Path

import pytest

from kg.store.query import run_query, saved_queries

BEFORE = Path(__file__).parent / "queries_before"


@pytest.mark.parametrize("path", sorted(BEFORE.glob("*.rq")), ids=lambda p: p.stem)
def test_rewritten_query_gives_the_rows_of_the_text_it_replaced(built, path):
    old = run_query(built.out, path.read_text(encoding="utf-8"), timeout=120)
    new = run_query(built.out, saved_queries()[path.stem].text, timeout=120)
    assert new.variables == old.variables
    assert new.rows == old.rows
    assert new.rows, "the seed build should give this query rows to compare"


def test_every_replaced_text_is_a_saved_query():
    assert {p.stem for p in BEFORE.glob("*.rq")} <= set(saved_queries())
