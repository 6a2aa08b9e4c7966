"""The model's dataclasses: slots, pickled by position, and pickles made before slots still read."""

import copy
import pickle
from dataclasses import fields, make_dataclass

import pytest

from kg.core import model
from kg.extract.parse import parse_text

from .conftest import MINI_DOC

CLASSES = [
    model.Span,
    model.Issue,
    model.Sentence,
    model.AgencyRef,
    model.Target,
    model.Citation,
    model.Measure,
    model.Section,
    model.Document,
    model.Evidence,
    model.Link,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_instances_have_no_dict(cls):
    assert "__slots__" in vars(cls) and cls.__dictoffset__ == 0  # no per-instance dict


def test_a_parsed_document_survives_pickle_and_deepcopy():
    doc = parse_text(MINI_DOC)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(doc, protocol))
        assert back == doc and back is not doc
        assert back.measures[0].sentences[0].span.page == doc.measures[0].sentences[0].span.page
    assert copy.deepcopy(doc) == doc


def test_page_stays_out_of_span_equality_but_in_its_pickle():
    span = model.Span(3, 9, page=2)
    back = pickle.loads(pickle.dumps(span))
    assert back == model.Span(3, 9) and back.page == 2 and hash(back) == hash(span)


def _before(cls):
    """``cls`` as it was before it had slots: a plain dataclass of the same name and fields."""
    old = make_dataclass(cls.__name__, [(f.name, f.type, f) for f in fields(cls)], frozen=cls is model.Span)
    old.__module__, old.__qualname__ = cls.__module__, cls.__qualname__
    return old


def test_a_pickle_made_before_slots_reads(monkeypatch):
    """States pickled by the classes of before (kept benchmark states) load as the classes of now."""
    with monkeypatch.context() as m:
        m.setattr(model, "Span", _before(model.Span))
        m.setattr(model, "Sentence", _before(model.Sentence))
        blob = pickle.dumps(model.Sentence("推进工业绿色转型。", model.Span(1, 4, page=3)), 4)
        assert "__dict__" in dir(model.Sentence)
    back = pickle.loads(blob)
    assert type(back) is model.Sentence and type(back.span) is model.Span
    assert back == model.Sentence("推进工业绿色转型。", model.Span(1, 4)) and back.span.page == 3
