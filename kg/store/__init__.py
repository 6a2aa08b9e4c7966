"""The Oxigraph store written by ``kg build``: find it, open it read-only, or say how to rebuild it.

Queries never re-parse Turtle: they run against ``<out>/store``, an on-disk Oxigraph
(RocksDB) store that stays fast from five documents to millions of triples. Readers open
it read-only, so no query path can change the graph.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.core.errors import StoreError

STORE = "store"
MANIFEST = "build.json"


DEFAULT = Path("out") / "build"  # where `kg build` and `kg all` put the build, and every reader looks


def build_dir(path: str | Path) -> Path:
    """The build folder ``path`` names: itself, or ``<path>/build`` when ``path`` is the
    output folder of ``kg all`` (so either can be handed to any reader)."""
    path = Path(path)
    if not (path / MANIFEST).is_file() and (path / "build" / MANIFEST).is_file():
        return path / "build"
    return path


def store_path(out: str | Path) -> Path:
    """``<build>/store``."""
    return build_dir(out) / STORE


def check_store(out: str | Path) -> Path:
    """The store path, after checking that a complete build is there (cheap: no store open)."""
    out = build_dir(out)
    path = store_path(out)
    if not path.is_dir() or not (out / MANIFEST).is_file():
        raise StoreError(f"{out}: no graph store found", build=out)
    try:
        json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StoreError(f"{out / MANIFEST}: unreadable build manifest", build=out) from None
    return path


def open_store(out: str | Path):
    """A read-only ``pyoxigraph.Store`` over ``<out>/store``; StoreError if missing or corrupt."""
    import pyoxigraph

    path = check_store(out)
    try:
        store = pyoxigraph.Store.read_only(str(path))
        store.query("ASK { ?s ?p ?o }")
    except (OSError, RuntimeError) as e:  # RocksDB reports corruption as RuntimeError
        raise StoreError(
            f"{path}: the graph store is corrupt or unreadable ({_first_line(e)})", build=build_dir(out)
        ) from None
    return store


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
