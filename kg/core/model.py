"""Plain data passed between the stages of the data flow.

Every fact carries a ``Span``: character offsets into the *raw* decoded text of its
document, so a claim in any report can be traced back to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Optional


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` in the raw decoded text, and for a paged
    source (a PDF) the 1-based page its start is on, so a report can say "p. 7"."""

    start: int
    end: int
    page: Optional[int] = field(default=None, compare=False)

    def as_list(self) -> list[int]:
        return [self.start, self.end]


@dataclass(slots=True)
class Issue:
    """A data-quality warning found in a document; reported, never silently fixed."""

    code: str
    message: str
    span: Optional[Span] = None

    def __str__(self) -> str:
        where = f" [chars {self.span.start}-{self.span.end}]" if self.span else ""
        return f"{self.code}: {self.message}{where}"


@dataclass(slots=True)
class Sentence:
    text: str
    span: Span


@dataclass(slots=True)
class AgencyRef:
    """One entry of a responsibility list, in the order printed (first = lead)."""

    raw: str
    name: str  # canonical name (raw when unmapped)
    role: str  # "lead" | "support"
    span: Span
    generic: bool = False
    mapped: bool = False
    level: Optional[str] = None
    region: Optional[str] = None
    kind: Optional[str] = None
    counterpart: Optional[str] = None
    function: Optional[str] = None  # id in mappings/agency_functions.csv (发展改革 → development_reform)
    part_of: Optional[str] = None  # the body an internal division or unit belongs to (气候处 → 省生态环境厅)
    parent_region: Optional[str] = None  # a county's city when the region is not in regions.csv (金堂县 → 成都市)


@dataclass(slots=True)
class Target:
    """A quantitative or dated goal. ``value`` is None for a dated goal without a number."""

    text: str
    span: Span
    year: Optional[int] = None
    year_start: Optional[int] = None
    indicator: str = ""
    value: Optional[float] = None
    value_max: Optional[float] = None
    unit: str = ""
    comparator: Optional[str] = None  # ">=", "<=", "=", "~", ">", "<", "range", "baseline"
    aspirational: bool = False  # 力争
    change: Optional[str] = None  # "increase" | "decrease" for 提高50% / 下降10%
    scope: Optional[str] = None  # 全省 / 全市 ...
    baseline_year: Optional[int] = None


@dataclass(slots=True)
class Citation:
    title: str
    doc_number: Optional[str]
    span: Span


@dataclass(slots=True)
class Measure:
    number: str  # Chinese numeral as printed, e.g. "十三"
    index: int  # 13
    key: str  # unique within the document: "13", or "2.3" under per-section numbering
    section: Optional[str]  # number of the enclosing section ("一"), None if none
    title: str
    text: str
    span: Span  # first heading to end of first segment
    sentences: list[Sentence] = field(default_factory=list)
    agencies: list[AgencyRef] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    segments: list[Span] = field(default_factory=list)  # >1 when the number repeats
    responsibility: Optional[str] = None  # the list as printed
    level: str = "item"  # the numbered unit it is: "item" （一）, "article" 第X条, "point" 1., "section" 一、, ...
    parent: Optional[str] = None  # key of the enclosing Section (unique, unlike ``section``)
    recovered: bool = False  # its heading is lost in the text: number inferred by kg.corpus.rebuild, title empty


@dataclass(slots=True)
class Section:
    number: str
    index: int
    title: str
    span: Span
    text: str = ""  # text between the heading and the first measure
    sentences: list[Sentence] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    key: str = ""  # unique within the document, like Measure.key: "2", "2.1", "3"
    level: str = "section"  # "chapter", "division", "section" 一、, "item" （一） ...
    parent: Optional[str] = None  # key of the enclosing Section (a chapter above a 一、)


@dataclass(slots=True)
class Document:
    """A parsed document. ``raw`` is the decoded file; every span indexes into it."""

    path: str
    raw: str
    encoding: str
    title: Optional[str] = None
    embedded_title: Optional[str] = None  # the plan's own title inside a 印发…通知
    issuers: list[str] = field(default_factory=list)
    doc_number: Optional[str] = None
    issued: Optional[str] = None  # ISO date or year
    region: Optional[str] = None
    level: Optional[str] = None
    citations: list[Citation] = field(default_factory=list)
    preamble: list[Sentence] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # document-level targets
    closing: list[Sentence] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    format: str = "text"  # the file's format: text | pdf | docx | html
    pages: list[int] = field(default_factory=lambda: [0])  # raw offset where each page starts

    def all_targets(self) -> list[tuple[Optional[Measure], Optional[Section], Target]]:
        """Every target with the measure or section it belongs to, in document order."""
        out: list[tuple[Optional[Measure], Optional[Section], Target]] = [(None, None, t) for t in self.targets]
        for s in self.sections:
            out += [(None, s, t) for t in s.targets]
        for m in self.measures:
            out += [(m, None, t) for t in m.targets]
        out.sort(key=lambda x: x[2].span.start)
        return out


@dataclass(slots=True)
class Evidence:
    """A child sentence matched to a parent sentence, with its similarity in [0, 1]."""

    source: Sentence
    target: Sentence
    score: float


@dataclass(slots=True)
class Link:
    """One child measure's alignment to a parent document (or a peer document).

    ``target_key`` is the chosen parent measure's ``Measure.key``, None when unaligned.
    ``method`` says how the link was made: "auto" (scored) or "curated" (mappings/
    alignment_overrides.csv). ``relation`` is "implements" for a child → parent pair and
    "peer" for two documents implementing the same parent. ``discovered`` says the target
    document was found by parent discovery (the child's registry entry declares no parent).
    ``margin`` and ``rank`` are the relative evidence the status is decided from (None on a
    link to a parent measure whose heading the text lost); ``also`` lists the secondary
    parent measures of a child that merges several, primary being ``target_key``.
    """

    source_doc: str  # registry id of the child (or first peer)
    source_key: str
    target_doc: str  # registry id of the parent (or second peer)
    target_key: Optional[str]
    score: float
    status: str  # "aligned" | "weak" | "unaligned"
    method: str = "auto"
    relation: str = "implements"
    evidence: list[Evidence] = field(default_factory=list)
    runners_up: list[tuple[str, float]] = field(default_factory=list)  # (target key, score)
    comment: Optional[str] = None
    recovered: bool = False  # target number inferred: its heading is missing from the parent text
    discovered: bool = False  # target document found by parent discovery, not declared in the registry
    # (best − runner-up) / best over the child's candidates: 0 when two tie, 1 when nothing else scores
    margin: Optional[float] = None
    rank: Optional[int] = None  # the child's place among the child measures scored against the target (1: best)
    also: list[tuple[str, float]] = field(default_factory=list)  # other parent measures it draws on (key, score)


def _pickled_by_position(cls: type) -> None:
    """Pickle ``cls`` as its constructor's arguments, not as its slots' state by name (for a
    frozen class, a Python loop per object): a worker sends every parsed document to the
    client, which unpickles them one after another (100 synthetic children: 2.22 → 0.94 ms
    and 54.5 → 46.8 KiB per document, against the instance dicts of before)."""
    values = attrgetter(*cls.__match_args__)

    def __reduce__(self):
        return (cls, values(self))

    def __setstate__(self, state: dict) -> None:
        # a pickle made before the classes had slots holds each instance's dict
        for name, value in state.items():
            object.__setattr__(self, name, value)

    cls.__reduce__ = __reduce__
    cls.__setstate__ = __setstate__


for _cls in (Span, Issue, Sentence, AgencyRef, Target, Citation, Measure, Section, Document, Evidence, Link):
    _pickled_by_position(_cls)
