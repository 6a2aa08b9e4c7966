"""Parsed documents held compactly: equal strings shared across documents, nothing changed."""

import copy
import pickle
import typing
from dataclasses import fields

from kg.core import model
from kg.corpus import process
from kg.corpus.compact import TEXT_FIELDS, Strings
from kg.extract.parse import parse_text

from .conftest import DATA, MINI_DOC, write_corpus

# string fields left out on purpose: a few constant or rare values (see TEXT_FIELDS)
UNSHARED = {(model.AgencyRef, f) for f in ("role", "level", "part_of", "parent_region")}


def _text_fields(cls) -> set[str]:
    hints = typing.get_type_hints(cls)
    return {f.name for f in fields(cls) if hints[f.name] in (str, typing.Optional[str])}


def test_every_string_field_of_a_document_is_shared_or_left_out_by_name():
    for cls, names in TEXT_FIELDS.items():
        assert set(names) <= _text_fields(cls), cls
        assert _text_fields(cls) - set(names) == {f for c, f in UNSHARED if c is cls}, cls
    held = {model.Document, model.Citation, model.Issue, model.Sentence, model.Section, model.Measure}
    held |= {model.AgencyRef, model.Target}
    assert set(TEXT_FIELDS) == held


def _pickled(doc):
    """A document as the client receives it from a worker: a pickle of its own."""
    return pickle.loads(pickle.dumps(doc))


def test_equal_texts_of_two_documents_become_one_object_and_the_documents_stay_equal():
    a, b = _pickled(parse_text(MINI_DOC)), _pickled(parse_text(MINI_DOC))
    assert a.measures[0].sentences[0].text is not b.measures[0].sentences[0].text
    before = copy.deepcopy((a, b))
    strings = Strings()
    strings.share(a)
    strings.share(b)
    assert (a, b) == before
    for x, y in zip(a.measures, b.measures):
        assert x.text is y.text and x.title is y.title
        assert all(s.text is t.text for s, t in zip(x.sentences, y.sentences))
        assert all(s.name is t.name and s.raw is t.raw for s, t in zip(x.agencies, y.agencies))
    assert a.raw is b.raw and a.issuers[0] is b.issuers[0]


def test_a_processed_corpus_holds_each_text_once(tmp_path):
    reg = "documents:\n  - file: a.txt\n  - file: b.txt\n"
    other = MINI_DOC.replace("测试的实施方案", "另一个测试的实施方案")
    _, results = process(write_corpus(tmp_path, {"a.txt": MINI_DOC, "b.txt": other}, reg), workers=2)
    a, b = (p.doc or p.held for p in results)
    shared = [(x, y) for x in a.measures for y in b.measures if x.text == y.text]
    assert shared and all(x.text is y.text for x, y in shared)


def test_seeds_parse_to_the_same_documents_in_workers_as_in_process():
    _, serial = process(DATA)
    _, parallel = process(DATA, workers=2)
    assert [p.doc for p in serial] == [p.doc for p in parallel]
    assert [p.held for p in serial] == [p.held for p in parallel]
