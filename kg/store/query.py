"""``kg query``: SPARQL over the built store, and the saved queries of ``kg/queries/``.

A saved query is a ``.rq`` file whose leading ``#`` comment states the researcher's
question it answers; ``kg query gaps`` runs ``kg/queries/gaps.rq``. Results come back as
plain rows (dicts of Python values) for the shared output formats, or as the W3C SPARQL
JSON document for tools.

A line ``# VALUES ?child_doc ?parent_doc`` in a query marks where ``restrict`` puts a
``VALUES`` clause for those variables (``# FILTER …``: a ``FILTER(?v IN (…))``, which
leaves Oxigraph's join order alone), so a question about one document costs a query about
one document; as a comment it changes nothing when the query runs as written.

>>> sorted(saved_queries())[:2]
['agency-load', 'coverage']
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator, Optional

from kg.core.errors import QueryError
from kg.core.resources import package_path
from kg.store import check_store
from kg.store.bounded import Worker, run_bounded

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "gYear")}
FLOAT_TYPES = {XSD + t for t in ("double", "float")}
ACCEPT = ("application/sparql-results+json", "text/turtle")


@dataclass
class SavedQuery:
    name: str
    path: Path
    question: str
    text: str


@dataclass
class QueryResult:
    """A query's answer: rows for SELECT, ``boolean`` for ASK, ``graph`` (Turtle) for CONSTRUCT."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    boolean: Optional[bool] = None
    graph: Optional[str] = None
    sparql_json: Optional[str] = None


def _queries_dir() -> Path:
    return package_path("queries")


def _question(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").rstrip())
    para = " ".join(lines).split("  ")[0]
    return re.split(r"(?<=[.?])\s", para.strip(), maxsplit=1)[0] if para else ""


def saved_queries() -> dict[str, SavedQuery]:
    """Saved queries by name (file stem), each with the question its header states."""
    out = {}
    for path in sorted(_queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        out[path.stem] = SavedQuery(path.stem, path, _question(text), text)
    return out


def resolve(arg: str) -> str:
    """SPARQL text from a saved query's name, a .rq file, or the argument itself."""
    saved = saved_queries()
    if arg in saved:
        return saved[arg].text
    if "\n" not in arg and len(arg) < 4096:
        path = Path(arg)
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise QueryError(f"{arg}: cannot read query file ({e})") from None
        if arg.endswith((".rq", ".sparql")):
            raise QueryError(f"{arg}: no such query file")
        if re.fullmatch(r"[\w-]+", arg):
            raise QueryError(f"“{arg}” is neither a saved query ({', '.join(saved)}) nor SPARQL")
    return arg


_MARK = re.compile(r"^(?P<indent>[ \t]*)# (?P<kind>VALUES|FILTER)(?P<names>(?:[ \t]+\?\w+)+)[ \t]*$", re.MULTILINE)


def restrict(sparql: str, values: dict[str, Iterable[str]]) -> str:
    """``sparql`` restricted to the ``values`` of each variable (plain literals) at the
    ``# VALUES`` / ``# FILTER`` lines naming it; a variable no line names is a QueryError,
    since the answer would silently not be restricted."""
    literals = {name: [json.dumps(v, ensure_ascii=False) for v in vs] for name, vs in values.items()}
    marked = {n[1:] for m in _MARK.finditer(sparql) for n in m["names"].split()}
    missing = sorted(set(literals) - marked)
    if missing:
        raise QueryError(f"the query cannot be restricted by {', '.join('?' + n for n in missing)}")

    def clause(m: re.Match) -> str:
        names = [n[1:] for n in m["names"].split() if n[1:] in literals]
        if m["kind"] == "VALUES":
            lines = [f"VALUES ?{n} {{ {' '.join(literals[n])} }}" for n in names]
        else:
            lines = [f"FILTER(?{n} IN ({', '.join(literals[n])}))" for n in names]
        return "\n".join(m["indent"] + line for line in lines) or m.group(0)

    return _MARK.sub(clause, sparql)


def _value(term: dict):
    """A SPARQL JSON term as a plain Python value (IRIs and strings as str)."""
    value, datatype = term["value"], term.get("datatype")
    if datatype in INTEGER_TYPES:
        try:
            return int(value)
        except ValueError:
            return value
    if datatype == XSD + "decimal":
        d = Decimal(value)
        return int(d) if d == d.to_integral_value() else float(d)
    if datatype in FLOAT_TYPES:
        return float(value)
    if datatype == XSD + "boolean":
        return value == "true"
    return value


def rows_from_json(doc: dict) -> list[dict]:
    names = doc["head"].get("vars", [])
    return [{n: (_value(b[n]) if n in b else None) for n in names} for b in doc["results"]["bindings"]]


class Build:
    """An opened build (the folder ``kg build`` writes): found and checked once, its
    queries sharing one worker process (starting one costs about 0.1 s, more than a query
    about one document). Pass it to every reader instead of a path::

        with Build("out/build") as build:
            findings, figures = gaps(build), coverage(build)

    ``path`` may also be the output folder of ``kg all``. Raises StoreError (one line)
    when there is no complete build there.
    """

    def __init__(self, path: str | Path):
        self.store = check_store(path)
        self.path = self.store.parent
        self._worker: Optional[Worker] = None

    def query(self, sparql: str, timeout: Optional[float] = 60.0, max_rows: Optional[int] = None) -> QueryResult:
        """Run ``sparql`` in this build's worker, bounded by ``timeout`` seconds."""
        if self._worker is None or not self._worker.alive:  # first query, or the last one ran out of time
            self._worker = Worker(str(self.store))
        return _result(self._worker.run(sparql, ACCEPT, max_rows, timeout or None))

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def __enter__(self) -> "Build":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Build({str(self.path)!r})"

    def __str__(self) -> str:
        return str(self.path)

    def __fspath__(self) -> str:  # wherever a path to the build is wanted, the handle will do
        return str(self.path)


@contextmanager
def opened(build: "Build | str | Path") -> Iterator[Build]:
    """``build`` itself when it is an open Build (its owner closes it), else the build at that
    path, closed at the end of the block."""
    if isinstance(build, Build):
        yield build
        return
    with Build(build) as b:
        yield b


def run_query(
    build: "Build | str | Path", sparql: str, timeout: Optional[float] = 60.0, max_rows: Optional[int] = None
) -> QueryResult:
    """Run ``sparql`` against a build (an open Build, or a path: then in a fresh worker),
    bounded by ``timeout`` seconds."""
    if isinstance(build, Build):
        return build.query(sparql, timeout, max_rows)
    return _result(run_bounded(str(check_store(build)), sparql, ACCEPT, max_rows, timeout or None))


def run_tool_query(build: "Build | str | Path", sparql: str) -> QueryResult:
    """A query of the tool's own (reports, gaps, agency load, views) run to its end.

    ``run_query``'s time limit protects a user from an ad-hoc query; the tool's queries are
    fixed and grow with the corpus, and a limit only turns a large corpus into a failed
    ``kg all`` (a gaps query took over a minute at 1,000 documents on a loaded machine)."""
    return run_query(build, sparql, timeout=None)


def _result(answer) -> QueryResult:
    body = answer.body.decode("utf-8")
    if answer.kind == "graph":
        return QueryResult("graph", graph=body)
    doc = json.loads(body)
    if answer.kind == "ask":
        return QueryResult("ask", boolean=bool(doc["boolean"]), sparql_json=body)
    return QueryResult("select", variables=doc["head"]["vars"], rows=rows_from_json(doc), sparql_json=body)
