"""Load across provinces: which functions of government lead the measures of each document
that implements another, side by side (the "Load across provinces" section of the report index).

Read from the built graph only: ``kg/queries/function-load.rq`` (per document, the lead
and support responsibilities of each function, as ``kg query function-load`` prints them)
grouped by the implementation links of ``kg/queries/report/implementations.rq``:

* a national document with its provincial implementations → a table function × province
  of lead counts and a heatmap of the busiest functions;
* a provincial document with its city implementations → per function, the share of the
  province's lead responsibilities against the share of the cities' (pooled over the city
  documents), with each city's count, and a grouped bar chart of the two shares.

Counts are responsibilities, as in ``kg agencies``. Agencies of no function (generic
entries such as 各县（市、区）人民政府, names not in ``mappings/``) share one row, so shares
add up to the whole load. Outputs are deterministic: sorted rows, charts as plain SVG (kg.present.svg), no dates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kg.core.resources import package_path
from kg.present import svg
from kg.store.query import resolve, run_tool_query

Block = tuple  # as in kg.present.report
NO_FUNCTION = "（无职能：泛称或未识别）"
TOP = 15  # functions drawn in a chart; the tables list them all


@dataclass(frozen=True)
class FunctionLoad:
    """One function's responsibilities in one document (``function`` None: agencies of no function)."""

    doc: str
    level: str
    region: Optional[str]
    function: Optional[str]
    label: str
    lead: int
    support: int


@dataclass(frozen=True)
class Family:
    """A parent document and its implementations one level down, as (document, region)."""

    parent: str
    region: Optional[str]
    children: tuple[tuple[str, Optional[str]], ...]


def function_load(build: Path) -> list[FunctionLoad]:
    """The rows of the saved query ``function-load``."""
    return [
        FunctionLoad(
            r["doc"],
            r["level"],
            r.get("region"),
            r.get("function"),
            r.get("label") or NO_FUNCTION,
            int(r["lead"]),
            int(r["support"]),
        )
        for r in run_tool_query(build, resolve("function-load")).rows
    ]


def implementations(build: Path) -> list[dict]:
    path = package_path("queries", "report", "implementations.rq")
    return run_tool_query(build, path.read_text(encoding="utf-8")).rows


def families(pairs: list[dict], parent_level: str, child_level: str) -> list[Family]:
    """Parents of ``parent_level`` with their children of ``child_level``, most children first."""
    grouped: dict[tuple, set] = defaultdict(set)
    for r in pairs:
        if r["parent_level"] == parent_level and r["child_level"] == child_level:
            grouped[(r["parent_doc"], r.get("parent_region"))].add((r["child_doc"], r.get("child_region")))
    out = [
        Family(p, region, tuple(sorted(kids, key=lambda k: (k[1] or "", k[0]))))
        for (p, region), kids in grouped.items()
    ]
    return sorted(out, key=lambda f: (-len(f.children), f.parent))


def _leads(loads: list[FunctionLoad]) -> dict[str, dict[str, int]]:
    """document → function label → lead responsibilities."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for x in loads:
        out[x.doc][x.label] += x.lead
    return out


def _order(labels, weight) -> list[str]:
    """Function labels by falling weight, the no-function row last."""
    return sorted(labels, key=lambda f: (f == NO_FUNCTION, -weight(f), f))


def _headers(children) -> list[str]:
    """A column per document, headed by its region; a region's second document gets （2）."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for doc, region in children:
        name = region or doc
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}（{seen[name]}）")
    return out


def _top(counts: dict[str, int], n: int = 3) -> str:
    best = _order([f for f, v in counts.items() if v and f != NO_FUNCTION], lambda f: counts[f])[:n]
    return "、".join(f"{f} {counts[f]}" for f in best) or "—"


def province_table(family: Family, leads) -> tuple[list[str], list[list[str]], list[tuple[str, str]], list[str]]:
    """(columns, rows, (document, header) of each column, documents naming no agency) of a
    national family: function × document lead counts, the parent first when it names agencies."""
    docs = [(family.parent, family.region or family.parent)] if leads.get(family.parent) else []
    docs += [c for c in family.children if leads.get(c[0])]
    silent = [c[0] for c in family.children if not leads.get(c[0])]
    headers = _headers(docs)
    labels = _order(
        {f for d, _ in docs for f, v in leads[d].items() if v}, lambda f: sum(leads[d].get(f, 0) for d, _ in docs)
    )
    rows = [[f] + [str(leads[d].get(f, 0)) for d, _ in docs] for f in labels]
    rows.append(["all lead responsibilities"] + [str(sum(leads[d].values())) for d, _ in docs])
    return ["function"] + headers, rows, [(d, h) for (d, _), h in zip(docs, headers)], silent


def city_table(family: Family, leads) -> tuple[list[str], list[list[str]], list[tuple[str, float, float]]]:
    """(columns, rows, [(function, province share, cities' share)]) of a provincial family."""
    cities = [c for c in family.children if leads.get(c[0])]
    mine = leads.get(family.parent, {})
    pooled: dict[str, int] = defaultdict(int)
    for d, _ in cities:
        for f, v in leads[d].items():
            pooled[f] += v
    p_all, c_all = sum(mine.values()), sum(pooled.values())
    share = lambda counts, total, f: counts.get(f, 0) / total if total else 0.0  # noqa: E731
    labels = _order(
        {f for f, v in (*mine.items(), *pooled.items()) if v}, lambda f: share(mine, p_all, f) + share(pooled, c_all, f)
    )
    rows = [
        [f, f"{mine.get(f, 0)} ({share(mine, p_all, f):.0%})", f"{pooled.get(f, 0)} ({share(pooled, c_all, f):.0%})"]
        + [str(leads[d].get(f, 0)) for d, _ in cities]
        for f in labels
    ]
    rows.append(
        ["all lead responsibilities", str(p_all), str(c_all)] + [str(sum(leads[d].values())) for d, _ in cities]
    )
    columns = ["function", f"{family.region or family.parent} lead (share)", "cities lead (share, pooled)"]
    return columns + _headers(cities), rows, [(f, share(mine, p_all, f), share(pooled, c_all, f)) for f in labels]


def heatmap(columns: list[str], rows: list[list[str]]) -> Optional[str]:
    """Lead counts of the busiest functions (rows) per document (columns) as an SVG heatmap."""
    data = [r for r in rows[:-1] if r[0] != NO_FUNCTION][:TOP]
    if not data or len(columns) < 3:  # one document: the table says it all
        return None
    return svg.heatmap([r[0] for r in data], columns[1:], [[int(v) for v in r[1:]] for r in data])


def share_bars(region: str, shares: list[tuple[str, float, float]]) -> Optional[str]:
    """The province's lead share against the cities' per function, as grouped SVG bars."""
    data = sorted((s for s in shares if s[0] != NO_FUNCTION), key=lambda s: (-max(s[1], s[2]), s[0]))[:TOP]
    if not data:
        return None
    return svg.bars(
        [s[0] for s in data],
        [
            (region, svg.BLUE, [round(s[1] * 100, 1) for s in data]),
            ("cities (pooled)", svg.ORANGE, [round(s[2] * 100, 1) for s in data]),
        ],
        axis="share of lead responsibilities (%)",
        unit="%",
    )


def _stem(doc: str) -> str:
    return doc.replace("/", "_")


def load_blocks(build: Path, docs: dict[str, dict], skip=()) -> list[Block]:
    """The index section "Load across provinces" (``docs``: the report's documents by id, for
    titles; ``skip``: documents with no findings, left out of every family)."""
    loads = function_load(build)
    leads = _leads(loads)
    pairs = [r for r in implementations(build) if r["child_doc"] not in skip and r["parent_doc"] not in skip]
    title = lambda d: docs.get(d, {}).get("title", d)  # noqa: E731
    blocks: list[Block] = [
        ("h2", "Load across provinces"),
        (
            "p",
            "Which functions of government lead the measures of each document implementing another, counted as "
            "lead responsibilities from `kg query function-load` (agencies of no function, such as generic "
            f"entries, are counted as {NO_FUNCTION}).",
        ),
    ]
    national = families(pairs, "national", "provincial")
    blocks.append(("h3", f"National documents and their provincial implementations ({len(national)})"))
    if not national:
        blocks.append(("p", "None in this corpus."))
    for fam in national:
        columns, rows, shown, silent = province_table(fam, leads)
        blocks.append(("h3", f"{title(fam.parent)}: {len(fam.children)} provincial implementations"))
        if len(columns) > 1:
            svg = heatmap(columns, rows)
            if svg:
                blocks.append(
                    (
                        "figure",
                        svg,
                        f"load__{_stem(fam.parent)}.svg",
                        "Lead responsibilities of the busiest functions per document (darker: more).",
                    )
                )
            blocks.append(("table", columns, rows))
            blocks.append(
                (
                    "table",
                    ["document", "region", "functions leading most measures"],
                    [[d, h, _top(leads[d])] for d, h in shown],
                )
            )
        if silent:
            blocks.append(("p", "No agency named in: " + "、".join(f"`{d}`" for d in silent) + "."))
    provincial = families(pairs, "provincial", "municipal")
    blocks.append(("h3", f"Provinces and their cities ({len(provincial)})"))
    if not provincial:
        blocks.append(("p", "None in this corpus."))
    for fam in provincial:
        columns, rows, shares = city_table(fam, leads)
        region = fam.region or fam.parent
        blocks.append(("h3", f"{title(fam.parent)} → {'、'.join(c[1] or c[0] for c in fam.children)}"))
        if not leads.get(fam.parent) and len(columns) == 3:
            blocks.append(("p", "No agency named in the province's document nor in its cities'."))
            continue
        svg = share_bars(region, shares)
        if svg:
            blocks.append(
                (
                    "figure",
                    svg,
                    f"load-cities__{_stem(fam.parent)}.svg",
                    f"Share of lead responsibilities per function: {region} against its cities (pooled).",
                )
            )
        blocks.append(("table", columns, rows))
    return blocks
