"""Synthetic corpora with known alignment, made from the real provincial documents.

Each child document is a city implementation plan written from the parsed measures
(titles and sentences) of its province's document, the way city plans are: some parent
measures dropped, some merged or split, a few reordered, sentences paraphrased (phrases
deleted and substituted, 省 → 市), responsible agencies swapped for their city
counterparts (mappings/agencies.csv), local measures added, and the seed corpus's defects
injected (page-broken agency names "市\\n\\n市场监管局", half-width brackets, spaces inside
numbers "2025 年", duplicated passages). Because the generator writes each child measure
from known parent measures, the right parent of every child measure is known exactly.

As in China, where every province issues its own version of each national policy, every
province with a child city gets its version of each real provincial document: written
from the real one by the same edits at the provincial level (measures dropped, merged,
split and reordered, sentences paraphrased, local measures added) with the source
province's name and cities swapped for its own. Cities (every prefecture-level division
of mappings/regions.csv) implement their own province's version, so parent discovery has
to tell apart many near-identical higher-level documents.

    python bench/generate.py OUT --size 100 [--seed 1] [--undeclared 0.1] [--seed-parents-only]

writes ``OUT/corpus.yaml`` (the real parents copied in, the provincial versions, the
children; a share ``--undeclared`` of the children is registered without ``implements:``),
the texts, ``OUT/truth.jsonl`` (one row per child measure: doc, key, parent_doc,
parent_key or null for a local measure; the true parent also for undeclared children) and
``OUT/manifest.json`` (seed, size, provincial documents, per child: parent, region,
injected defects, whether the parent is declared). Everything is drawn from
``random.Random(seed)``: the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from edits import Child, City, Province, _child_measures, make_version, render  # noqa: E402

from kg.core.model import Document  # noqa: E402
from kg.corpus import load_registry, process  # noqa: E402
from kg.extract.parse import parse_text  # noqa: E402

PARENTS = (
    "jiangxi-2021-green-economy",
    "jiangxi-2022-pollution-carbon",
    "jiangxi-2024-eco-civilization",
    "jilin-2021-green-economy",
)
TOPICS = {  # policy -> (the plan a government writes to implement it, the real documents that are versions of it)
    "2021-green-economy": (
        "加快建立健全绿色低碳循环发展经济体系实施方案",
        ("jiangxi-2021-green-economy", "jilin-2021-green-economy"),
    ),
    "2022-pollution-carbon": ("减污降碳协同增效实施方案", ("jiangxi-2022-pollution-carbon",)),
    "2024-eco-civilization": ("打造生态文明建设高地三年行动实施方案", ("jiangxi-2024-eco-civilization",)),
}
DEFECTS = ("page_break", "half_width", "number_space", "duplicate")
P_DEFECT = 0.5  # each defect kind, per child document


def provinces(mappings: Path = ROOT / "mappings") -> dict[str, Province]:
    """Provincial regions of mappings/regions.csv that have municipal ones, by name, each
    with its cities (in table order)."""
    with open(mappings / "regions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_code = {
        r["code"]: Province(r["name"], r["short_name"] or r["name"], r["code"])
        for r in rows
        if r["level"] == "provincial"
    }
    for r in rows:
        if r["level"] == "municipal" and r["parent_code"] in by_code:
            p = by_code[r["parent_code"]]
            p.cities.append(City(r["name"], r["short_name"] or r["name"].rstrip("市"), p.name))
    return {p.name: p for p in by_code.values() if p.cities}


def city_agencies(mappings: Path = ROOT / "mappings") -> dict[str, str]:
    """Provincial agency → its city counterpart (the first city agency naming it)."""
    out: dict[str, str] = {}
    with open(mappings / "agencies.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["level"] == "municipal" and r["counterpart"]:
                out.setdefault(r["counterpart"], r["name"])
    return out


def make_child(
    rng: random.Random, i: int, parent_id: str, parent: Document, city: City, table: dict[str, str]
) -> Child:
    child = Child(f"syn-{i:05d}", parent_id, city, rng.choice((2022, 2023, 2024, 2025)))
    child.measures = _child_measures(rng, parent, city, table)
    child.defects = [d for d in DEFECTS if rng.random() < P_DEFECT]
    return child


@dataclass
class Parent:
    """A provincial document children are written from."""

    id: str
    entry: object  # what a child's text cites: .title, .doc_number
    doc: Document
    plan: str
    region: str


def _item(doc_id: str, file: str, text: str, level: str, region: str, year, implements: list[str]) -> dict:
    return {
        "id": doc_id,
        "file": file,
        "title": text.splitlines()[0],
        "level": level,
        "region": region,
        "issuers": [f"{region}人民政府"],
        "issued": str(year),
        "implements": implements,
    }


def _versions(
    rng: random.Random,
    out: Path,
    wanted: list[tuple[str, str]],
    real: dict,
    entries: dict,
    docs: dict,
    regions: dict[str, Province],
    reg_docs: list[dict],
) -> dict[tuple[str, str], Parent]:
    """The provincial document of each (province, topic) in ``wanted``: the real one where
    it exists, else the province's version written from a real one (added to ``reg_docs``)."""
    parents: dict[tuple[str, str], Parent] = {}
    for name, topic in wanted:
        plan, sources = TOPICS[topic]
        if (name, topic) in real:
            pid = real[(name, topic)]
            parents[(name, topic)] = Parent(pid, entries[pid], docs[pid], plan, name)
            continue
        province = regions[name]
        source = rng.choice(sources)
        doc_id = f"prov-{province.code}-{topic}"
        year = int(str(entries[source].issued)[:4]) + rng.choice((0, 0, 1))
        version = make_version(rng, doc_id, source, docs[source], regions[entries[source].region], province, year)
        implements = list(entries[source].implements)
        cited = entries[implements[0]] if implements else None
        text, _ = render(rng, version, cited, plan)
        file = f"texts/{doc_id}.txt"
        (out / file).write_text(text, encoding="utf-8")
        reg_docs.append(_item(doc_id, file, text, "provincial", name, year, implements))
        doc = parse_text(text, file, level="provincial", region=name)
        parents[(name, topic)] = Parent(
            doc_id, SimpleNamespace(title=reg_docs[-1]["title"], doc_number=None), doc, plan, name
        )
    return parents


def generate(
    out: str | Path,
    size: int,
    seed: int = 1,
    data: str | Path = ROOT / "data",
    undeclared: float = 0.1,
    seed_parents_only: bool = False,
) -> Path:
    """Write a corpus of ``size`` child documents (plus their parents) into ``out``.

    ``undeclared``: the share of children registered without ``implements:``;
    ``seed_parents_only``: children of the four real provincial documents only (cities of
    Jiangxi and Jilin), no provincial versions.
    """
    if not 0.0 <= undeclared <= 1.0:
        raise ValueError(f"undeclared must be between 0 and 1, not {undeclared}")
    out = Path(out)
    rng = random.Random(seed)
    registry, results = process(data, only=list(PARENTS))
    docs = {p.entry.id: p.doc for p in results}
    entries = {e.id: e for e in load_registry(data).entries}
    regions = provinces()
    table = city_agencies()
    out.mkdir(parents=True, exist_ok=True)
    (out / "texts").mkdir(exist_ok=True)
    reg_docs = []
    for pid in ("china-2021-green-economy",) + PARENTS:
        e = entries[pid]
        item = {k: v for k, v in vars(e).items() if v not in (None, [], {}) and k != "origin"}
        item["implements"] = list(e.implements)
        if e.file:
            shutil.copyfile(registry.path.parent / e.file, out / e.file)
        reg_docs.append(item)
    real = {(entries[pid].region, topic): pid for topic, (_, sources) in TOPICS.items() for pid in sources}
    topic_of = {pid: topic for (_, topic), pid in real.items()}
    if seed_parents_only:
        plan = []
        for _ in range(size):
            pid = rng.choice(PARENTS)
            plan.append((rng.choice(regions[entries[pid].region].cities), topic_of[pid]))
    else:
        cities = [c for p in regions.values() for c in p.cities]
        plan = [(rng.choice(cities), rng.choice(list(TOPICS))) for _ in range(size)]
    wanted = sorted({(c.province, t) for c, t in plan}, key=lambda x: (regions[x[0]].code, x[1]))
    parents = _versions(rng, out, wanted, real, entries, docs, regions, reg_docs)
    hidden = set(random.Random(f"{seed}:undeclared").sample(range(size), round(undeclared * size)))
    truth_rows = []
    manifest = {
        "seed": seed,
        "size": size,
        "undeclared": undeclared,
        "parents": [p.id for p in sorted(parents.values(), key=lambda p: p.id)],
        "children": {},
    }
    for i, (city, topic) in enumerate(plan):
        parent = parents[(city.province, topic)]
        child = make_child(rng, i, parent.id, parent.doc, city, table)
        text, truth = render(rng, child, parent.entry, parent.plan)
        file = f"texts/{child.id}.txt"
        (out / file).write_text(text, encoding="utf-8")
        year = re.search(r"(\d{4}) ?年", text).group(1)
        reg_docs.append(_item(child.id, file, text, "municipal", city.name, year, [] if i in hidden else [parent.id]))
        truth_rows += [{"doc": child.id, "key": k, "parent_doc": parent.id, "parent_key": pk} for k, pk in truth]
        manifest["children"][child.id] = {
            "parent": parent.id,
            "region": city.name,
            "defects": child.defects,
            "measures": len(truth),
            "declared": i not in hidden,
        }
    header = (
        f"# Synthetic corpus: {size} child documents ({len(hidden)} without a declared parent), seed {seed} "
        f"(bench/generate.py). Ground truth: truth.jsonl\n"
    )
    (out / "corpus.yaml").write_text(
        header + yaml.safe_dump({"documents": reg_docs}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (out / "truth.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in truth_rows), encoding="utf-8"
    )
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def read_truth(corpus: str | Path) -> list[dict]:
    """The rows of ``truth.jsonl``."""
    return [json.loads(line) for line in (Path(corpus) / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


def _fraction(value: str) -> float:
    x = float(value)
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--undeclared",
        type=_fraction,
        default=0.1,
        help="share of children registered without implements: (default 0.1)",
    )
    ap.add_argument(
        "--seed-parents-only",
        action="store_true",
        help="children of the four real provincial documents only, no provincial versions",
    )
    ap.add_argument("--data", default=str(ROOT / "data"), help="the seed corpus holding the parents")
    args = ap.parse_args()
    generate(args.out, args.size, args.seed, args.data, args.undeclared, args.seed_parents_only)
    print(f"{args.out}: {args.size} child documents, seed {args.seed}")


if __name__ == "__main__":
    main()
