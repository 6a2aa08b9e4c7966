"""Every curated alignment row checked against the text it names: the measure its number
names exists and its printed title is the one the row gives (overrides and labels alike).

A label of the Jiangxi scrape (seed 000) may name a measure whose heading the scrape lost:
its title is then checked in the corpus's cleaner copy of the same document (the official
PDF, shared 89), found by text similarity, not by name. Shared-corpus rows are skipped
where ``../shared/corpora/dual-carbon`` is absent.
"""

from pathlib import Path

import pytest

from kg.align.evaluate import load_labels
from kg.align.overrides import check_title, load_overrides, resolve_measure
from kg.core.errors import KgError
from kg.core.model import Document
from kg.corpus import load_registry, process
from kg.corpus.duplicates import similarity

from .conftest import DATA

PDF = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon" / "pdf"


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    """Every parsed document a curated row may name: the seeds and, when present, the shared PDFs."""
    docs = {}
    for folder in [DATA] + ([PDF] if PDF.is_dir() else []):
        registry, results = process(folder)
        docs.update({p.entry.id: p.doc for p in results if p.doc is not None})
    return docs


@pytest.fixture(scope="module")
def copies() -> dict[str, Document | None]:
    """Each document's clean copy, found once (several rows name measures of one scrape)."""
    return {}


def _clean_copy(doc_id: str, docs: dict[str, Document], copies: dict) -> Document | None:
    """The most similar other document when it is the same text (see kg.corpus.duplicates), else None."""
    if doc_id not in copies:
        scored = [(similarity(docs[doc_id], d), i) for i, d in docs.items() if i != doc_id]
        best, other = max(scored, default=(0.0, None))
        copies[doc_id] = docs[other] if best >= 0.5 else None
    return copies[doc_id]


def _check(rows, line, side, docs, copies, doc_id, ref, title, lost_ok=False) -> str:
    """'checked', 'lost' (checked in a clean copy), 'no_copy' (heading lost and no clean copy in this
    corpus) or 'absent' (document not in this corpus)."""
    doc = docs.get(doc_id)
    if doc is None:
        return "absent"
    key = resolve_measure(doc, ref, missing_ok=lost_ok)
    assert key is not None, f"line {line}: {doc_id} has no measure “{ref}”"
    measure = next((m for m in doc.measures if m.key == key), None)
    if title and (measure is None or not measure.title):  # a heading the text lost: check the clean copy
        copy = _clean_copy(doc_id, docs, copies)
        if copy is None:  # allowed only where the document itself reports the heading as lost
            assert measure is None or measure.recovered, f"line {line}: {doc_id} {ref} has no title"
            assert any(w.code == "lost_heading" for w in doc.warnings), f"line {line}: {doc_id} reports no lost heading"
            return "no_copy"
        doc, key = copy, resolve_measure(copy, ref)
        assert key is not None, f"line {line}: the clean copy of {doc_id} has no measure “{ref}”"
        check_title(rows, line, f"{side}_title", doc, doc_id, key, title)
        return "lost"
    check_title(rows, line, f"{side}_title", doc, doc_id, key, title)
    return "checked"


def test_every_label_names_the_measures_its_titles_name(documents, copies):
    rows, labels = load_labels()
    outcome = {"checked": 0, "lost": 0, "no_copy": 0, "absent": 0}
    present = 0  # label sides naming a document of this corpus: each must be checked one way or another
    for lab in labels:
        try:
            src = _check(
                rows, lab.line, "source", documents, copies, lab.source_doc, lab.source_measure, lab.source_title
            )
            outcome[src] += 1
            present += lab.source_doc in documents
            if lab.target_measure and src != "absent":
                outcome[
                    _check(
                        rows,
                        lab.line,
                        "target",
                        documents,
                        copies,
                        lab.target_doc,
                        lab.target_measure,
                        lab.target_title,
                        lost_ok=True,
                    )
                ] += 1
                present += lab.target_doc in documents
        except KgError as e:
            pytest.fail(str(e))
    assert outcome["checked"] + outcome["lost"] + outcome["no_copy"] == present, outcome
    seed_ids = {e.id for e in load_registry(DATA).entries}
    seed_sides = sum(lab.source_doc in seed_ids for lab in labels)
    assert seed_sides >= 50, seed_sides  # the seed pairs alone: 50 rows, most with a target
    assert outcome["checked"] >= seed_sides, outcome  # at least every source side naming a seed
    if PDF.is_dir():
        assert outcome["absent"] == 0 and outcome["no_copy"] == 0, outcome
        assert outcome["lost"] >= 8, outcome  # the scrape's lost headings, checked in the official PDF
        assert outcome["checked"] > 1300, outcome  # 724 rows, both sides


def test_every_override_names_the_measures_its_titles_name(documents, copies):
    rows, items = load_overrides()
    assert items, "the installed overrides table is empty"
    for o in items:
        try:
            _check(rows, o.line, "source", documents, copies, o.source_doc, o.source_measure, o.source_title)
            if o.target_measure:
                _check(
                    rows,
                    o.line,
                    "target",
                    documents,
                    copies,
                    o.target_doc,
                    o.target_measure,
                    o.target_title,
                    lost_ok=True,
                )
        except KgError as e:
            pytest.fail(str(e))


def test_a_swapped_number_is_caught(documents, copies, tmp_path):
    """The curated error issue 16 found: Shangrao （十八）大力发展绿色金融 labelled （十七） of Jiangxi,
    whose （十七） is 强化法规制度保障 in the official text."""
    if PDF.is_dir() is False:
        pytest.skip("shared corpus ../shared/corpora/dual-carbon is absent")
    path = tmp_path / "labels.csv"
    path.write_text(
        "source_doc,source_measure,source_title,target_doc,target_measure,target_title,note\n"
        "shangrao-2022-green-economy,十八,大力发展绿色金融,jiangxi-2021-green-economy,十七,大力发展绿色金融,x\n",
        encoding="utf-8",
    )
    rows, labels = load_labels(path)
    with pytest.raises(KgError, match="强化法规制度保障"):
        _check(
            rows,
            labels[0].line,
            "target",
            documents,
            copies,
            labels[0].target_doc,
            labels[0].target_measure,
            labels[0].target_title,
            lost_ok=True,
        )
