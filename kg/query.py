"""``kg query``: SPARQL over the built store, and the saved queries of ``kg/queries/``.

A saved query is a ``.rq`` file whose leading ``#`` comment states the researcher's
question it answers; ``kg query gaps`` runs ``kg/queries/gaps.rq``. Results come back as
plain rows (dicts of Python values) for the shared output formats, or as the W3C SPARQL
JSON document for tools.

>>> sorted(saved_queries())[:2]
['agency-load', 'dropped-agencies']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Optional

from .bounded import run_bounded
from .errors import QueryError
from .store import check_store

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
                                   "gYear")}
FLOAT_TYPES = {XSD + t for t in ("double", "float")}


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
    return Path(str(resources.files("kg") / "queries"))


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


def run_query(out: str | Path, sparql: str, timeout: Optional[float] = 60.0,
              max_rows: Optional[int] = None) -> QueryResult:
    """Run ``sparql`` against the store in ``out`` in a worker process bounded by ``timeout``."""
    path = check_store(out)
    answer = run_bounded(str(path), sparql, ["application/sparql-results+json", "text/turtle"], max_rows,
                         timeout or None)
    body = answer.body.decode("utf-8")
    if answer.kind == "graph":
        return QueryResult("graph", graph=body)
    doc = json.loads(body)
    if answer.kind == "ask":
        return QueryResult("ask", boolean=bool(doc["boolean"]), sparql_json=body)
    return QueryResult("select", variables=doc["head"]["vars"], rows=rows_from_json(doc), sparql_json=body)
