"""Inferred metadata scored against a corpus's own catalogue (metadata.jsonl, citations.jsonl).

The shared dual-carbon corpus ships silver metadata: per file its level, province and
city, and the child → parent pairs its authors found. Scoring inference against them
tells whether a folder with no registry is placed as a researcher would place it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from kg.curated.mappings import load_regions

# metadata.jsonl says "city" where the graph says "municipal".
LEVEL_NAMES = {
    "national": "national",
    "provincial": "provincial",
    "city": "municipal",
    "municipal": "municipal",
    "county": "county",
}


@dataclass
class InferenceScore:
    documents: int = 0  # catalogue documents found among the records
    level_agree: int = 0
    region_agree: int = 0
    both_agree: int = 0
    pairs: int = 0  # catalogue child → parent pairs with both files among the records
    pairs_found: int = 0  # of those, the parent is among the child's parents
    disagreements: list[dict] = field(default_factory=list)  # file, ours, catalogue
    missed_pairs: list[dict] = field(default_factory=list)  # child, parent, cited_as

    @property
    def place_share(self) -> float:
        return self.both_agree / self.documents if self.documents else 0.0

    @property
    def pairs_share(self) -> float:
        return self.pairs_found / self.pairs if self.pairs else 0.0


def _canonical(name: Optional[str]) -> Optional[str]:
    r = load_regions().get(name) if name else None
    return r.name if r else name


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score_inference(records: list[dict], catalogue: Union[str, Path]) -> InferenceScore:
    """Score ``kg docs`` records (``file``, ``level``, ``region``, ``id``, ``parents``) against
    the ``metadata.jsonl`` and ``citations.jsonl`` in the folder ``catalogue``. Records
    are matched to catalogue rows by file name, stem first (a .txt extracted from the
    .pdf counts as the .pdf)."""
    catalogue = Path(catalogue)
    by_stem = {Path(r["file"]).stem: r for r in records if r.get("file")}
    out = InferenceScore()
    national = load_regions().national()
    for row in _jsonl(catalogue / "metadata.jsonl"):
        rec = by_stem.get(Path(row["file"]).stem)
        if rec is None:
            continue
        out.documents += 1
        level = LEVEL_NAMES.get(row["level"], row["level"])
        region = row.get("city") or row.get("province") or (national.name if national else None)
        level_ok = rec.get("level") == level
        region_ok = _canonical(rec.get("region")) == _canonical(region)
        out.level_agree += level_ok
        out.region_agree += region_ok
        out.both_agree += level_ok and region_ok
        if not (level_ok and region_ok):
            out.disagreements.append(
                {
                    "file": row["file"],
                    "ours": [rec.get("level"), rec.get("region")],
                    "catalogue": [level, region],
                    "title": rec.get("title"),
                }
            )
    by_id = {r["id"]: r for r in records}
    for pair in _jsonl(catalogue / "citations.jsonl"):
        child, parent = by_stem.get(Path(pair["child"]).stem), by_stem.get(Path(pair["parent"]).stem)
        if child is None or parent is None:
            continue
        out.pairs += 1
        parents = {p for p in child.get("parents") or []}
        # a parent found through a duplicate of the catalogue's parent counts as found
        found = parent["id"] in parents or any(
            by_id.get(p, {}).get("duplicate_of") == parent["id"] or parent.get("duplicate_of") == p for p in parents
        )
        out.pairs_found += found
        if not found:
            out.missed_pairs.append(
                {
                    "child": pair["child"],
                    "parent": pair["parent"],
                    "cited_as": pair.get("cited_as"),
                    "parents": sorted(parents),
                }
            )
    return out
