"""Locate the curated tables and vocabulary that ship with the package.

In a wheel, ``mappings/`` and ``ontology/`` are force-included as ``kg/mappings`` and
``kg/ontology``; in a source checkout they sit at the repository top level, where
researchers edit them. ``KG_MAPPINGS`` points at a researcher's own copy.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional


def resource_dir(name: str) -> Path:
    """Directory ``name`` ("mappings" or "ontology"), wherever this install keeps it."""
    return _located(name, os.environ.get(f"KG_{name.upper()}"))


@lru_cache(maxsize=16)
def _located(name: str, env: Optional[str]) -> Path:
    """Cached: the tables are looked up for every agency mention of every document."""
    if env:
        return Path(env)
    packaged = resources.files("kg") / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name


def mapping_path(filename: str) -> Path:
    """Path of one curated table, e.g. ``mapping_path("agencies.csv")``."""
    return _mapping_path(filename, os.environ.get("KG_MAPPINGS"))


@lru_cache(maxsize=64)
def _mapping_path(filename: str, env: Optional[str]) -> Path:
    """Cached by the folder asked for: the tables are looked up for every agency name."""
    return _located("mappings", env) / filename


def package_path(*parts: str) -> Path:
    """A file or folder shipped inside the package: ``package_path("queries", "gaps.rq")``
    (saved queries, the pages of the views and the endpoint)."""
    return Path(str(resources.files("kg").joinpath(*parts)))


def package_text(*parts: str) -> str:
    return package_path(*parts).read_text(encoding="utf-8")
