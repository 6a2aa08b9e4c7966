"""The saved queries read the derived aggregates (kg/rdf/aggregates.py) and answer exactly as
the texts that count the underlying triples, kept in tests/queries_before/ (the rewrites of
issue 20's first round; tests/queries_before/oldest/ holds the texts those replaced, and
tests/queries_before/joined/ those of the second round, which joined the values rows print): the
same rows in the same order, on the seed corpus's build and on a synthetic corpus of
about fifty cities with their aligned links."""

import importlib.util
import sys
from pathlib import Path

import pytest

from kg.align import align_corpus
from kg.corpus import process
from kg.store.build import build
from kg.store.query import run_query, saved_queries

ROOT = Path(__file__).resolve().parent.parent
BEFORE = Path(__file__).parent / "queries_before"
# joined/: the texts of issue 20's second round, which read the aggregates' counts and
# joined the documents, measures and agencies for the values a row prints
REFERENCES = (
    sorted(BEFORE.glob("*.rq")) + sorted((BEFORE / "oldest").glob("*.rq")) + sorted((BEFORE / "joined").glob("*.rq"))
)


def _same_rows(out: Path, reference: Path, empty_ok: bool = False) -> None:
    old = run_query(out, reference.read_text(encoding="utf-8"), timeout=300)
    new = run_query(out, saved_queries()[reference.stem].text, timeout=300)
    assert new.variables == old.variables
    assert len(new.rows) == len(old.rows)
    assert new.rows == old.rows
    assert empty_ok or new.rows, "the build should give this query rows to compare"


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.stem}" if p.parent != BEFORE else p.stem


@pytest.mark.parametrize("path", REFERENCES, ids=_id)
def test_saved_query_gives_the_rows_of_the_reference_text_on_the_seeds(built, path):
    _same_rows(built.out, path)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A generated corpus of 50 cities (with their provinces' versions), parsed, aligned and built."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    tmp = tmp_path_factory.mktemp("synthetic")
    module.generate(tmp / "corpus", 50, 7)
    corpus = process(tmp / "corpus", workers=2)
    links = align_corpus(corpus, workers=2).links
    return build(corpus, links, tmp / "build", workers=2).out


@pytest.mark.parametrize("path", sorted(BEFORE.glob("*.rq")) + sorted((BEFORE / "joined").glob("*.rq")), ids=_id)
def test_saved_query_gives_the_rows_of_the_reference_text_on_a_synthetic_corpus(synthetic, path):
    # the generated texts name no agency a city drops from its province's measure
    _same_rows(synthetic, path, empty_ok=path.stem == "dropped-agencies")


def test_every_reference_text_is_a_saved_query():
    assert {p.stem for p in REFERENCES} <= set(saved_queries())
    assert {p.stem for p in BEFORE.glob("*.rq")} == set(saved_queries())
