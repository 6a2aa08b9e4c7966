"""The citation index names exactly the documents the old scan of every entry named."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.corpus import Entry, _same_title
from kg.rdf.citations import CitationIndex


def _entry(i: int, title, number=None) -> Entry:
    return Entry(id=f"d{i}", title=title, level="national", region="全国", doc_number=number)


def _scan(entries, title, number) -> set[str]:
    """What kg.rdf.graph did before the index: every entry compared."""
    return {
        e.id for e in entries if (number and e.doc_number and number == e.doc_number) or _same_title(title, e.title)
    }


ENTRIES = [
    _entry(0, "2030年前碳达峰行动方案", "国发〔2021〕23号"),
    _entry(1, "江西省碳达峰实施方案"),
    _entry(2, "关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见"),
    _entry(3, "碳达峰"),
    _entry(4, None),
    _entry(5, "《方案》"),
    _entry(6, "案"),
]


def test_titles_inside_the_citation_and_titles_holding_it_are_both_named():
    index = CitationIndex(ENTRIES)
    # the citation holds the plain titles of d0, d3, d5 and d6; 碳达峰 is held by d0, d1 and d2
    assert index.named("国务院关于印发《2030年前碳达峰行动方案》的通知", None) == {"d0", "d3", "d5", "d6"}
    assert index.named("碳达峰", None) == {"d0", "d1", "d2", "d3"}
    assert index.named("方案", None) == {"d0", "d1", "d5", "d6"}  # d5 is 方案 once plain; d6 (案) is inside it


def test_a_number_names_its_document_whatever_the_title():
    index = CitationIndex(ENTRIES)
    assert index.named("另一个标题", "国发〔2021〕23号") == {"d0"}
    assert index.named(None, "国发〔2021〕23号") == {"d0"}
    assert index.named("", None) == set()
    assert index.named("——", None) == set()  # nothing left once plain


_TEXT = st.text(alphabet="碳达峰方案行动《》、 -_1", max_size=9)


@settings(max_examples=300, deadline=None)
@given(
    titles=st.lists(st.one_of(st.none(), _TEXT), max_size=12),
    numbers=st.lists(st.sampled_from([None, "", "1号", "2号"]), min_size=12, max_size=12),
    cited=_TEXT,
    number=st.sampled_from([None, "", "1号", "3号"]),
)
def test_the_index_names_what_the_scan_named(titles, numbers, cited, number):
    entries = [_entry(i, t, numbers[i]) for i, t in enumerate(titles)]
    assert CitationIndex(entries).named(cited, number) == _scan(entries, cited, number)


def test_on_the_seed_registry_every_citation_names_what_the_scan_named():
    from kg.corpus import process

    data = Path(__file__).resolve().parent.parent / "data"
    registry, results = process(data)
    index = CitationIndex(registry.entries)
    citations = [c for p in results if p.doc is not None for c in p.doc.citations]
    assert citations
    named = 0
    for c in citations:
        found = index.named(c.title, c.doc_number)
        assert found == _scan(registry.entries, c.title, c.doc_number)
        named += bool(found)
    assert named  # some citation names a seed document
