"""Documents prepared once per process: reused for the same parsed document, never for
another one, even one parsed from the same file after it changed."""

import gc

from kg.align import align_documents
from kg.align.prepared import child_side, parent_side, side_of
from kg.extract.parse import parse_text

from .test_align import CITY_HEAD, PROVINCE

CITY = CITY_HEAD + "（一）打造绿色物流。加快发展冷链物流，推广新能源物流车辆。（市交通运输局牵头负责）\n"


def test_a_parent_is_prepared_once_for_all_its_children():
    parent = parse_text(PROVINCE)
    first = side_of(parent, parent_side)
    align_documents(parse_text(CITY), parent)
    assert side_of(parent, parent_side) is first
    assert side_of(parse_text(PROVINCE), parent_side) is not first  # equal text, another document


def test_a_parent_parsed_again_after_its_text_changed_is_scored_on_its_new_text():
    child = parse_text(CITY)
    before, _ = align_documents(child, parse_text(PROVINCE))
    assert before[0].target_key == "4"
    gc.collect()
    # The logistics measure is now numbered （一）: a stale preparation would still point at 4.
    moved = (
        PROVINCE.replace("（一）推进", "（X）推进")
        .replace("（四）打造", "（一）打造")
        .replace("（X）推进", "（四）推进")
    )
    after, _ = align_documents(child, parse_text(moved))
    assert after[0].target_key == "1" and after[0].evidence


def test_child_and_parent_preparations_of_one_document_are_kept_apart():
    doc = parse_text(PROVINCE)
    assert len(side_of(doc, child_side).spans) == len(doc.measures)
    assert len(side_of(doc, parent_side).units) == len(doc.measures) + 1  # and the preamble


def test_align_corpus_hands_one_corpus_wide_idf_to_every_pair(monkeypatch, corpus):
    from kg.align import align_corpus, measures
    from kg.align.measures import measure_texts
    from kg.corpus import load_registry

    from .conftest import DATA

    seen = []
    real = measures.whole_similarity

    def spy(a, b, idf):
        seen.append(idf.texts)
        return real(a, b, idf)

    monkeypatch.setattr(measures, "whole_similarity", spy)
    align_corpus((load_registry(DATA), corpus), overrides=False, discover=False)
    texts = sum(len(measure_texts(p.doc)) for p in corpus if p.doc is not None)
    assert seen and set(seen) == {texts}
