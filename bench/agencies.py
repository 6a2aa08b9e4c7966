"""Agency resolution on a folder of real documents: how many printed agency names become a
function held by a region at a level, and how many city agencies find a provincial counterpart.

    python bench/agencies.py [FOLDER] [--docs 234 358 359 85] [-v]

FOLDER defaults to the shared dual-carbon corpus (``../shared/corpora/dual-carbon/pdf``). Two
measurements per document, each printed per document and in total:

* **lists** — the agencies of the responsibility lists the parser found on measures: measures
  with a list, mentions, share resolved (a function or a curated exception, or a generic entry
  such as 各有关部门), share of city agencies with a provincial counterpart;
* **text** — every name printed in the document's responsibility text (parentheticals with
  负责/牵头/配合, 责任单位：/牵头单位：/配合单位： labels), found by a loose pattern, so resolution is
  measured also where today's list finder does not recognise the form yet.

Resolved means we know what the agency is: its kind, region and level, and its function where
one applies. A function of government (agency_functions.csv), a curated exception (agencies.csv)
or a generic entry resolves; so do the bodies ``kg.curated.agency_kinds`` tells by their name's shape:
an internal division of the issuing department (气候处: its function, region, level), a zone
committee, a public institution, an enterprise, the government of a county regions.csv does not
list. "city↑" counts city agencies holding a function of government (not divisions, zones,
institutions or enterprises) and the share with a provincial counterpart.

Unmapped names are listed with their counts, so a researcher can add them to ``mappings/``.
Goals (issue 15): ≥ 98 % of mentions resolved; ≥ 95 % of city agencies with a counterpart.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "dual-carbon" / "pdf"
sys.path.insert(0, str(ROOT))

RESP = re.compile(
    r"（([^（）\n]{2,300}?(?:负责|牵头|配合|参与|落实)[^（）\n]{0,80})）"
    r"|(?:责任单位|牵头单位|配合单位|责任部门|牵头部门|配合部门)[:：]([^（）\n]{2,300})"
)
ROLE_WORDS = re.compile(
    r"^(?:由|责任单位|牵头单位|配合单位|责任部门|牵头部门|配合部门)|(?:等?(?:有关|相关)?(?:部门|单位)?"
    r"(?:按照?(?:各自)?(?:职责|职能)(?:分工)?)?(?:牵头负责|分别负责|共同负责|具体落实|负责落实|抓好落实|"
    r"负责|牵头|配合|参与|落实))$"
)
ORG_END = re.compile(
    r"(?:局|厅|委|办|部|院|会|社|中心|集团|公司|行|所|站|处|队|联|署|政府|海关|总队|支队|分局|营管部|总部)$"
)


def text_names(text: str) -> list[str]:
    """Names printed in responsibility text, loosely: split at 、，；and stripped of role words."""
    out = []
    for m in RESP.finditer(text):
        for piece in re.split(r"[、，；,;:：]", m.group(1) or m.group(2)):
            piece = ROLE_WORDS.sub("", ROLE_WORDS.sub("", piece.strip())).rstrip("等")
            if 2 <= len(piece) <= 30 and ORG_END.search(piece) and not re.search(r"[0-9。以下均需不再列出]", piece):
                out.append(piece)
    return out


class Tally:
    def __init__(self):
        self.mentions = self.resolved = self.full = self.city = self.city_up = 0
        self.unmapped: Counter = Counter()
        self.by_shape: Counter = Counter()  # resolved by kg.curated.agency_kinds, per kind

    def add(self, r) -> None:
        self.mentions += 1
        ok = r.mapped or r.generic
        self.resolved += ok
        self.full += bool(r.function and r.level and (r.region or r.level != "national"))
        if not ok:
            self.unmapped[r.raw] += 1
        if r.mapped and r.kind in SHAPE_KINDS or r.part_of or r.parent_region:
            self.by_shape[r.kind] += 1
        if r.level == "municipal" and r.mapped and not r.generic and r.function and r.kind not in SHAPE_KINDS:
            self.city += 1
            self.city_up += bool(r.counterpart)

    def merge(self, other: "Tally") -> None:
        for k in ("mentions", "resolved", "full", "city", "city_up"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.unmapped.update(other.unmapped)
        self.by_shape.update(other.by_shape)


SHAPE_KINDS = ("internal_division", "zone_committee", "public_institution", "state_enterprise", "enterprise")


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    —"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--docs", nargs="*", help="only files whose name starts with these numbers (234 358 …)")
    ap.add_argument("-v", "--verbose", action="store_true", help="every document, also those naming no agency")
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder}: no such folder (the shared corpus is not here)", file=sys.stderr)
        return 2
    from kg.core.errors import KgError
    from kg.curated.agency_names import issuing_department, resolve_name
    from kg.extract.parse import parse_file
    from kg.read.normalize import normalize

    files = sorted(args.folder.glob("*.pdf"), key=lambda p: (len(p.name.split("、")[0]), p.name))
    if args.docs:
        files = [f for f in files if f.name.split("、")[0] in args.docs]
    lists_all, text_all = Tally(), Tally()
    with_list = measures = docs_with = 0
    print(
        f"{'document':34} {'level':10} {'region':8} {'meas':>4} {'w/list':>6} {'ment':>5} {'resolv':>6} "
        f"{'fn+rg':>6} {'city↑':>6} | {'text':>5} {'resolv':>6} {'city↑':>6}"
    )
    for f in files:
        try:
            doc = parse_file(f)
        except KgError:
            continue
        lt, tt = Tally(), Tally()
        issuer = issuing_department(doc.issuers, doc.title or doc.embedded_title or "", doc.level, doc.region)
        n_with = 0
        for m in doc.measures:
            n_with += bool(m.agencies)
            for a in m.agencies:
                lt.add(resolve_name(a.raw, doc.level, doc.region, doc_issuer=issuer))
        for name in text_names(normalize(doc.raw).text):
            tt.add(resolve_name(name, doc.level, doc.region, doc_issuer=issuer))
        measures += len(doc.measures)
        with_list += n_with
        docs_with += bool(lt.mentions or tt.mentions)
        lists_all.merge(lt)
        text_all.merge(tt)
        if lt.mentions or tt.mentions or args.verbose:
            print(
                f"{f.stem[:34]:34} {doc.level or '-':10} {(doc.region or '-')[:8]:8} {len(doc.measures):4} {n_with:6} "
                f"{lt.mentions:5} {pct(lt.resolved, lt.mentions):>6} {pct(lt.full, lt.mentions):>6} "
                f"{pct(lt.city_up, lt.city):>6} | {tt.mentions:5} {pct(tt.resolved, tt.mentions):>6} "
                f"{pct(tt.city_up, tt.city):>6}"
            )
    print(
        f"\n{len(files)} files, {docs_with} naming agencies; {measures} measures, {with_list} with a responsibility list"
    )
    for label, t in (("lists", lists_all), ("text ", text_all)):
        print(
            f"{label}: {t.mentions} mentions, resolved {pct(t.resolved, t.mentions)} (goal ≥ 98%), "
            f"to function+region+level {pct(t.full, t.mentions)}; city agencies with a provincial counterpart "
            f"{pct(t.city_up, t.city)} of {t.city} (goal ≥ 95%)"
        )
        print(
            "       of which bodies other than functions of government: "
            + ", ".join(f"{k} {n}" for k, n in t.by_shape.most_common())
        )
    unmapped = lists_all.unmapped + text_all.unmapped
    print(f"\nunmapped names ({len(unmapped)} distinct, {sum(unmapped.values())} mentions in lists and text):")
    for name, n in unmapped.most_common():
        print(f"{n:4} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
