"""Property tests: the parser never crashes, and every span points at its raw text."""

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.core.errors import InputError
from kg.extract.parse import parse_text
from kg.read.normalize import normalize

PIECES = [
    "一、",
    "二、",
    "（一）",
    "(二)",
    "（十三）",
    "。",
    "，",
    "、",
    "\n",
    "\n\n",
    " ",
    "　　",
    "2025 年",
    "到2025年底",
    "达到20家",
    "98%和95%以上",
    "（市发改委、市\n\n市场监管局等按职责分工负责）",
    "（省生态环境厅牵头负责）",
    "推进工业绿色转型",
    "加强再生资源回收利用",
    "《国务院关于测试的指导意见》",
    "（国发〔2021〕4号）",
    "PM_{2.5}",
    "綠色發展",
    "（此件主动公开）",
    "2021年7月8日",
    "抄送：",
    "ａｂ１２",
    "(",
    ")",
    "“一村一点”",
]
# heading numbers of any shape, malformed ones (（九百九十九百）) included
numerals = st.text(alphabet="〇零一二两三四五六七八九十百", min_size=1, max_size=6)
headings = st.one_of(st.builds("（{}）".format, numerals), st.builds("\n{}、".format, numerals))
texts = st.lists(st.one_of(st.sampled_from(PIECES), headings, st.text(max_size=6)), max_size=40).map("".join)


def fold(s: str) -> str:
    """What normalisation may do to a single character, undone for comparison."""
    return normalize(s, simplify=False).text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_normalised_characters_come_from_their_raw_offsets(raw):
    t = normalize(raw, simplify=False)
    assert len(t.offsets) == len(t.text)
    assert t.offsets == sorted(t.offsets)
    for i, (c, o) in enumerate(zip(t.text, t.offsets)):
        if c == "\n" and i + 1 < len(t.text) and t.offsets[i + 1] == o:
            continue  # a line break put before a heading glued to the previous line owns no raw character
        assert fold(raw[o]) in (c, "") or raw[o] == c or c in "（），：；！？。《》"  # punctuation made full-width


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_parser_never_crashes_and_spans_hold_the_fact(raw):
    try:
        doc = parse_text(raw)
    except InputError:
        return
    simplified = any(w.code == "traditional_script" for w in doc.warnings)

    def squash(s: str) -> str:  # context-free: width and bracket style may depend on neighbours
        return re.sub(r"\s", "", unicodedata.normalize("NFKC", normalize(s, simplify=simplified).text))

    # Page furniture (a line repeated at page edges) is removed in the context of the whole
    # document: a span may cover such removed characters, which are not part of its fact.
    kept = set(normalize(raw, simplify=simplified).offsets)

    def at(span) -> str:
        return "".join(raw[i] for i in range(span.start, span.end) if i in kept or "\f" not in raw)

    for m in doc.measures:
        for s in m.sentences:
            assert squash(at(s.span)) == squash(s.text)
        for a in m.agencies:
            assert squash(at(a.span)) == squash(a.raw)
        for t in m.targets:
            assert 0 <= t.span.start <= t.span.end <= len(raw)
