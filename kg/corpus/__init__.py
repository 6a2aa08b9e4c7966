"""The corpus: every document file in a folder, and the optional registry (corpus.yaml).

The registry is what a researcher asserts about each document (level, region, date,
which documents it implements); the text is what the document says about itself.
A file the registry does not list is placed from its text (kg.corpus.identify); a field the
registry gives overrides the inferred one. Where the two disagree the registry wins and
the disagreement is a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, Optional

import yaml

from kg.core.errors import KgError, RegistryError
from kg.core.model import Document, Issue
from kg.core.parallel import run_jobs
from kg.core.progress import Progress
from kg.corpus.compact import Strings
from kg.curated.mappings import LEVELS
from kg.extract.parse import parse_file

REGISTRY_NAMES = ("corpus.yaml", "corpus.yml")
FIELDS = {"id", "file", "title", "level", "region", "issuers", "issued", "doc_number", "implements"}
# Read when found in the corpus folder (top level only: a folder of sources, not a tree
# that may hold kg's own HTML outputs).
SUFFIXES = (".txt", ".pdf", ".docx", ".htm", ".html")


@dataclass
class Entry:
    """One document of the corpus. ``origin`` says per field whether the registry gave it
    ("registered") or the text did ("inferred"); a field absent from it is registered."""

    id: str
    title: Optional[str]
    level: Optional[str]
    region: Optional[str]
    file: Optional[str] = None
    issuers: list[str] = field(default_factory=list)
    issued: Optional[str] = None
    doc_number: Optional[str] = None
    implements: list[str] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)


@dataclass
class Registry:
    path: Path
    entries: list[Entry]

    def get(self, ref: str) -> Entry:
        """Entry by id, file name, file stem or document number (the first entry so named)."""
        e = self._names.get(ref)
        if e is not None:
            return e
        known = ", ".join(e.id for e in self.entries)
        raise RegistryError(f"{self.path}: no document “{ref}” (known: {known})")

    @cached_property
    def _names(self) -> dict[str, Entry]:
        """Every name of every entry, the first entry so named winning (made once: it is
        looked up for every pair of a corpus of 10^4 documents)."""
        names: dict[str, Entry] = {}
        for e in self.entries:
            for name in (e.id, e.file, e.doc_number) + (
                (Path(e.file).stem, str(self.path.parent / e.file)) if e.file else ()
            ):
                if name is not None:
                    names.setdefault(name, e)
        return names

    @cached_property
    def _numbered(self) -> list[tuple[Entry, str, str]]:
        """(entry, plain title, plain number) of the entries with a document number, made once:
        every citation of every document is checked against them."""
        return [(e, _plain(e.title), _plain(e.doc_number)) for e in self.entries if e.doc_number]


@dataclass
class Processed:
    """A registry entry with its parsed document, or the one-line reason it failed."""

    entry: Entry
    doc: Optional[Document] = None
    error: Optional[str] = None
    # A parsed document kept out of alignment and the graph (``doc`` is None), with why:
    # a duplicate of another copy, or a document nothing placed at a level.
    held: Optional[Document] = None
    duplicate_of: Optional[str] = None
    held_because: Optional[str] = None


def find_registry(data_dir: str | Path) -> Path:
    d = Path(data_dir)
    if d.is_file():
        return d
    for name in REGISTRY_NAMES:
        if (d / name).is_file():
            return d / name
    raise RegistryError(f"{d}: no corpus registry (expected {d / REGISTRY_NAMES[0]})")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML as safe_load reads it, but dates kept as written: checked per entry, so an
    impossible one (2021-02-30) is told with its entry, not as a traceback from the loader.
    libyaml's loader where PyYAML was built with it: 7x faster on a 10,000-entry registry."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _fail(path: Path, where: str, problem: str):
    raise RegistryError(f"{path}{where}: {problem}")


def load_registry(data_dir: str | Path) -> Registry:
    """Read and validate the registry; every problem is one line naming file and entry."""
    path = find_registry(data_dir)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        _fail(path, where, f"malformed YAML ({e.problem})")
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        _fail(path, "", f"malformed registry ({e})")
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        _fail(path, "", "expected a top-level “documents:” list")
    entries: list[Entry] = []
    for i, item in enumerate(data["documents"], 1):
        where = f" document {i}"
        if not isinstance(item, dict):
            _fail(path, where, "each document must be a mapping of fields")
        unknown = set(item) - FIELDS
        if unknown:
            _fail(path, where, f"unknown field(s) {', '.join(sorted(unknown))}")
        # An entry naming a file needs nothing else: what it leaves out is inferred.
        for req in ("file",) if item.get("file") else ("id", "title", "level", "region"):
            if not item.get(req):
                _fail(path, where, f"missing required field “{req}”")
        where = f" document “{item.get('id') or item['file']}”"
        if item.get("level") is not None and item["level"] not in LEVELS:
            _fail(path, where, f"level “{item['level']}” is not one of {', '.join(LEVELS)}")
        for listy in ("issuers", "implements"):
            if not isinstance(item.get(listy) or [], list):
                _fail(path, where, f"“{listy}” must be a list")
        issued = item.get("issued")
        if issued is not None and not re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", str(issued)):
            _fail(path, where, f"issued “{issued}” is not YYYY-MM-DD or YYYY")
        if issued is not None and len(str(issued)) == 10:
            try:
                date.fromisoformat(str(issued))
            except ValueError as e:
                _fail(path, where, f"issued “{issued}” is not a date of the calendar ({e})")
        text = lambda k: None if item.get(k) is None else str(item[k])  # noqa: E731
        entries.append(
            Entry(
                id=text("id") or "",
                title=text("title"),
                level=item.get("level"),
                region=text("region"),
                file=item.get("file"),
                issuers=[str(x) for x in item.get("issuers") or []],
                issued=None if issued is None else str(issued),
                doc_number=item.get("doc_number"),
                implements=[str(x) for x in item.get("implements") or []],
                origin={k: "inferred" for k in FIELDS - {"file"} if k not in item},
            )
        )
    uses = Counter(e.id for e in entries if e.id)  # counted once: not a scan of the list per entry
    for e in entries:
        if e.id and uses[e.id] > 1:
            _fail(path, f" document “{e.id}”", "id used more than once")
        for parent in e.implements:
            if parent not in uses:
                _fail(path, f" document “{e.id}”", f"implements unknown document “{parent}”")
    return Registry(path, entries)


def _plain(s: Optional[str]) -> str:
    return re.sub(r"[\W_]", "", s or "")


def _same_title(a: Optional[str], b: Optional[str]) -> bool:
    return _same_plain(_plain(a), _plain(b))


def _same_plain(x: str, y: str) -> bool:
    return bool(x and y) and (x == y or x in y or y in x)


def check_against_registry(doc: Document, entry: Entry, reg: Registry) -> list[Issue]:
    """Disagreements between what the text says and what the registry says."""
    out: list[Issue] = []

    def warn(msg: str) -> None:
        out.append(Issue("registry_mismatch", msg))

    if (
        doc.title
        and entry.title
        and not (_same_title(entry.title, doc.title) or _same_title(entry.title, doc.embedded_title))
    ):
        warn(f"title in text “{doc.title}” differs from registry “{entry.title}”")
    if doc.doc_number and entry.doc_number and _plain(doc.doc_number) != _plain(entry.doc_number):
        warn(f"document number in text {doc.doc_number} differs from registry {entry.doc_number}")
    if doc.doc_number and not entry.doc_number:
        warn(f"text carries document number {doc.doc_number}, registry has none")
    if doc.issued and entry.issued and not doc.issued.startswith(entry.issued):
        warn(f"date in text {doc.issued} differs from registry {entry.issued}")
    if doc.issuers and entry.issuers and {_plain(x) for x in doc.issuers} != {_plain(x) for x in entry.issuers}:
        warn(f"issuers in text {'、'.join(doc.issuers)} differ from registry {'、'.join(entry.issuers)}")
    for pid in entry.implements:
        parent = reg.get(pid)
        cited = any(
            _same_title(c.title, parent.title) or (c.doc_number and _plain(c.doc_number) == _plain(parent.doc_number))
            for c in doc.citations
        )
        if not cited:
            warn(f"implements {pid} per registry, but the text does not cite “{parent.title}”")
    for c in doc.citations:
        if not c.doc_number:
            continue
        title, number = _plain(c.title), _plain(c.doc_number)
        for other, other_title, other_number in reg._numbered:
            if number != other_number and _same_plain(title, other_title):
                warn(f"cites 《{c.title}》 as {c.doc_number}, registry has {other.doc_number}")
    return out


def _parse(path: Path, level: str, region: str) -> tuple[Optional[Document], Optional[str]]:
    """Parse one file, returning (document, None) or (None, the one-line reason it failed);
    module-level so a process pool can pickle it."""
    try:
        return parse_file(path, level, region), None
    except KgError as e:
        return None, str(e)
    except Exception as e:  # a defect met in one document must not stop the corpus
        return None, unexpected(path, e)


def unexpected(path, e: Exception) -> str:
    """The one-line error for a failure no rule anticipated (a bug, to be reported)."""
    detail = str(e).splitlines()[0] if str(e) else ""
    return f"{path}: could not be read ({type(e).__name__}{': ' + detail if detail else ''}); please report this"


class ReadingProgress:
    """Running totals while a corpus is read, as one line: "read 37/147 documents, 812
    measures, 1 failed (last: 89、江西省….pdf)"."""

    def __init__(self, say: Progress):
        self.say, self.measures, self.failed = say, 0, 0

    def __call__(self, p: Processed, done: int, total: int) -> None:
        doc = p.doc or p.held
        self.measures += len(doc.measures) if doc else 0
        self.failed += bool(p.error)
        failed = f", {self.failed} failed" if self.failed else ""
        self.say(
            f"read {done}/{total} documents, {self.measures} measures{failed} (last: {p.entry.file or p.entry.id})"
        )


def _registry_or_none(data_dir: Path) -> Registry:
    """The registry of ``data_dir``, or an empty one when the folder has none."""
    try:
        return load_registry(data_dir)
    except RegistryError:
        if data_dir.is_dir() and not any((data_dir / n).is_file() for n in REGISTRY_NAMES):
            return Registry(data_dir / REGISTRY_NAMES[0], [])
        raise


def corpus_files(data_dir: str | Path) -> list[Path]:
    """Document files at the top of ``data_dir`` (by name, so ids never depend on order)."""
    d = Path(data_dir)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith("."))


class Corpus(NamedTuple):
    """A processed corpus, what every later stage takes: the registry (every document,
    listed or placed from its text) and each document's result, in registry order.
    Unpacks as ``registry, results = corpus``."""

    registry: Registry
    results: list[Processed]

    @property
    def docs(self) -> dict[str, Optional[Document]]:
        """Document id → the parsed document (None when it failed or has no file)."""
        return {p.entry.id: p.doc for p in self.results}


def process(
    data_dir: str | Path,
    only: Optional[list[str]] = None,
    progress: Optional[Progress] = None,
    workers: int = 1,
) -> Corpus:
    """Parse every document of the corpus: the registry's entries and every other
    document file in the folder (placed from its text); failures are recorded, not raised.

    ``workers`` > 1 parses files in that many processes (parsing is pure Python, so
    threads would not help); results keep registry order, then file order, either way.
    ``progress`` hears running totals as documents come in.
    """
    from kg.corpus.identify import complete_corpus

    reg = _registry_or_none(Path(data_dir))
    listed = {(reg.path.parent / e.file).resolve() for e in reg.entries if e.file}
    extra = [
        Entry(
            id=f.name,
            title=None,
            level=None,
            region=None,
            file=f.name,
            origin={k: "inferred" for k in FIELDS - {"file"}},
        )
        for f in corpus_files(reg.path.parent)
        if f.resolve() not in listed
    ]
    entries = reg.entries + extra
    if only:
        named = Registry(reg.path, entries)
        wanted = {id(named.get(r)) for r in only}
        entries = [e for e in entries if id(e) in wanted]
    jobs = [(reg.path.parent / e.file, e.level, e.region) for e in entries if e.file]
    # Lazily in order, so ``progress`` hears of each document as its result comes in
    # (the Processed record, how many are done, how many in all).
    results = _collect(reg, entries, run_jobs(_parse, jobs, workers), ReadingProgress(progress) if progress else None)
    # the registry's entries left out by ``only`` (without it there are none: no scan of the
    # whole list per entry, 5 x 10^5 comparisons at 10^3 documents)
    rest = [e for e in reg.entries if e not in entries] if only else []
    full = Registry(reg.path, [p.entry for p in results] + rest)
    complete_corpus(full, results)
    from kg.corpus.rebuild import rebuild_corpus

    rebuild_corpus(results)  # scrambled documents rebuilt, with the children that copy them
    return Corpus(Registry(reg.path, [p.entry for p in results]), results)


def _collect(reg: Registry, entries: list[Entry], parsed, progress) -> list[Processed]:
    """Processed records in registry order; ``parsed`` yields (document, error) for each
    entry with a file, in order."""
    results: list[Processed] = []
    registered = {id(e) for e in reg.entries}  # identity: a set of entries, not a scan per document
    strings = Strings()  # each distinct text held once by the client (kg.corpus.compact)
    for entry in entries:
        if progress and results:
            progress(results[-1], len(results), len(entries))
        if not entry.file:
            results.append(Processed(entry))
            continue
        doc, error = next(parsed)
        if doc is None:
            results.append(Processed(entry, error=error))
            continue
        strings.share(doc)
        try:
            if id(entry) in registered:
                doc.warnings += check_against_registry(doc, entry, reg)
        except KgError as e:
            results.append(Processed(entry, error=str(e)))
            continue
        except Exception as e:
            results.append(Processed(entry, error=unexpected(reg.path.parent / entry.file, e)))
            continue
        results.append(Processed(entry, doc))
    if progress and results:
        progress(results[-1], len(results), len(entries))
    return results
