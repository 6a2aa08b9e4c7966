"""policy-kg: Chinese policy documents → measures, agencies, targets, and the graph that links them.

The public API, one name per stage (imported on first use, so ``import kg`` stays cheap)::

    import kg
    processed = kg.process("data")                  # read and extract every document
    with kg.Build("out/build") as b:                # a built graph (``kg all`` / ``kg build``)
        rows = kg.gaps(b, "child-id")

Stages live in sub-packages, each importing only those below it (``pyproject.toml``,
``[tool.importlinter]``): core → read, curated → extract → corpus → align → rdf → store →
analysis → present → pipeline → cli.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "parse_file": "kg.extract.parse",
    "parse_text": "kg.extract.parse",
    "Document": "kg.core.model",
    "Measure": "kg.core.model",
    "Link": "kg.core.model",
    "process": "kg.corpus",
    "load_registry": "kg.corpus",
    "align_corpus": "kg.align",
    "build": "kg.store.build",
    "Build": "kg.store.query",
    "run_query": "kg.store.query",
    "saved_queries": "kg.store.query",
    "gaps": "kg.analysis.gaps",
    "coverage": "kg.analysis.gaps",
    "write_report": "kg.present.report",
    "write_view": "kg.present.viz",
    "run_all": "kg.pipeline",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
