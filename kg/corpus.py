"""The corpus registry (data/corpus.yaml) and processing of every registered document.

The registry is what a researcher asserts about each document (level, region, date,
which documents it implements); the text is what the document says about itself.
Where the two disagree the registry wins and the disagreement is a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Optional

import yaml

from .errors import KgError, RegistryError
from .model import Document, Issue
from .parallel import run_jobs
from .parse import parse_file

LEVELS = ("national", "provincial", "municipal", "county")
REGISTRY_NAMES = ("corpus.yaml", "corpus.yml")
FIELDS = {"id", "file", "title", "level", "region", "issuers", "issued", "doc_number", "implements"}


@dataclass
class Entry:
    id: str
    title: str
    level: str
    region: str
    file: Optional[str] = None
    issuers: list[str] = field(default_factory=list)
    issued: Optional[str] = None
    doc_number: Optional[str] = None
    implements: list[str] = field(default_factory=list)


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
            for name in (e.id, e.file, e.doc_number) + ((Path(e.file).stem, str(self.path.parent / e.file)) if e.file else ()):
                if name is not None:
                    names.setdefault(name, e)
        return names


@dataclass
class Processed:
    """A registry entry with its parsed document, or the one-line reason it failed."""

    entry: Entry
    doc: Optional[Document] = None
    error: Optional[str] = None


def find_registry(data_dir: str | Path) -> Path:
    d = Path(data_dir)
    if d.is_file():
        return d
    for name in REGISTRY_NAMES:
        if (d / name).is_file():
            return d / name
    raise RegistryError(f"{d}: no corpus registry (expected {d / REGISTRY_NAMES[0]})")


def _fail(path: Path, where: str, problem: str):
    raise RegistryError(f"{path}{where}: {problem}")


def load_registry(data_dir: str | Path) -> Registry:
    """Read and validate the registry; every problem is one line naming file and entry."""
    path = find_registry(data_dir)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
        for req in ("id", "title", "level", "region"):
            if not item.get(req):
                _fail(path, where, f"missing required field “{req}”")
        where = f" document “{item['id']}”"
        if item["level"] not in LEVELS:
            _fail(path, where, f"level “{item['level']}” is not one of {', '.join(LEVELS)}")
        for listy in ("issuers", "implements"):
            if not isinstance(item.get(listy) or [], list):
                _fail(path, where, f"“{listy}” must be a list")
        issued = item.get("issued")
        if issued is not None and not re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", str(issued)):
            _fail(path, where, f"issued “{issued}” is not YYYY-MM-DD or YYYY")
        entries.append(
            Entry(
                id=str(item["id"]), title=str(item["title"]), level=item["level"], region=str(item["region"]),
                file=item.get("file"), issuers=[str(x) for x in item.get("issuers") or []],
                issued=None if issued is None else str(issued), doc_number=item.get("doc_number"),
                implements=[str(x) for x in item.get("implements") or []],
            )
        )
    ids = [e.id for e in entries]
    for e in entries:
        if ids.count(e.id) > 1:
            _fail(path, f" document “{e.id}”", "id used more than once")
        for parent in e.implements:
            if parent not in ids:
                _fail(path, f" document “{e.id}”", f"implements unknown document “{parent}”")
    return Registry(path, entries)


def _plain(s: Optional[str]) -> str:
    return re.sub(r"[\W_]", "", s or "")


def _same_title(a: Optional[str], b: Optional[str]) -> bool:
    x, y = _plain(a), _plain(b)
    return bool(x and y) and (x == y or x in y or y in x)


def check_against_registry(doc: Document, entry: Entry, reg: Registry) -> list[Issue]:
    """Disagreements between what the text says and what the registry says."""
    out: list[Issue] = []

    def warn(msg: str) -> None:
        out.append(Issue("registry_mismatch", msg))

    if doc.title and not (_same_title(entry.title, doc.title) or _same_title(entry.title, doc.embedded_title)):
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
        for other in reg.entries:
            if _same_title(c.title, other.title) and c.doc_number and other.doc_number and _plain(c.doc_number) != _plain(other.doc_number):
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


def process(
    data_dir: str | Path, only: Optional[list[str]] = None, progress: Optional[Callable[[Entry], None]] = None,
    workers: int = 1,
) -> tuple[Registry, list[Processed]]:
    """Parse every registered document that has a file; failures are recorded, not raised.

    ``workers`` > 1 parses files in that many processes (parsing is pure Python, so
    threads would not help); results keep registry order either way.
    """
    reg = load_registry(data_dir)
    wanted = {reg.get(r).id for r in only} if only else None
    entries = [e for e in reg.entries if wanted is None or e.id in wanted]
    jobs = [(reg.path.parent / e.file, e.level, e.region) for e in entries if e.file]
    # Lazily in order, so ``progress`` announces each document as its result comes in.
    return reg, _collect(reg, entries, run_jobs(_parse, jobs, workers), progress)


def _collect(reg: Registry, entries: list[Entry], parsed, progress) -> list[Processed]:
    """Processed records in registry order; ``parsed`` yields (document, error) for each
    entry with a file, in order."""
    results: list[Processed] = []
    for entry in entries:
        if progress:
            progress(entry)
        if not entry.file:
            results.append(Processed(entry))
            continue
        doc, error = next(parsed)
        if doc is None:
            results.append(Processed(entry, error=error))
            continue
        try:
            doc.warnings += check_against_registry(doc, entry, reg)
        except KgError as e:
            results.append(Processed(entry, error=str(e)))
            continue
        except Exception as e:
            results.append(Processed(entry, error=unexpected(reg.path.parent / entry.file, e)))
            continue
        results.append(Processed(entry, doc))
    return results
