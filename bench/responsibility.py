"""Responsibility lists found in a folder of real documents, and the ones still missed.

    python bench/responsibility.py [FOLDER] [-v]

FOLDER defaults to the shared dual-carbon PDFs (``../shared/corpora/dual-carbon/pdf``).
Prints, per document with any agency (all with ``-v``) and in total: measures, measures
with a responsibility list, agency mentions, share of mentions resolved through
``mappings/`` — and the documents where a responsibility marker (责任单位：, 牵头单位：,
按职责分工负责 …) lies in a measure outside every list found, with the first such line,
so a missed form can be seen. A marker in prose (各责任单位要…) counts too: read them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "dual-carbon" / "pdf"
MARKER = re.compile(r"责任单位|牵头单位|配合单位|参与单位|责任部门|责任处室|按照?职责分工负责|牵头，|牵头负责")


def measure(doc) -> dict:
    """One document's figures; a marker is missed when it lies in no list that is inside a measure."""
    from kg.extract.responsibility import find_responsibility_lists
    from kg.read.normalize import normalize

    t = normalize(doc.raw)
    segments = [(s.start, s.end) for m in doc.measures for s in m.segments]
    spans = [
        (sp.start, sp.end)
        for sp in (t.raw_span(x.start, x.end) for x in find_responsibility_lists(t))
        if any(a <= sp.start < b for a, b in segments)
    ]
    missed = [p.start() for p in MARKER.finditer(doc.raw) if not any(a - 2 <= p.start() <= b for a, b in spans)]
    mentions = [a for m in doc.measures for a in m.agencies]
    return {
        "measures": len(doc.measures),
        "with_list": sum(1 for m in doc.measures if m.agencies),
        "mentions": len(mentions),
        "mapped": sum(a.mapped for a in mentions),
        "missed": missed,
        "example": doc.raw[max(0, missed[0] - 30) : missed[0] + 50].replace("\n", "⏎") if missed else "",
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("-v", "--verbose", action="store_true", help="every document, not only those with agencies")
    a = ap.parse_args()
    if not a.folder.is_dir():
        print(f"{a.folder}: no such folder (the shared corpus is not here)", file=sys.stderr)
        return 2
    from kg.core.errors import InputError
    from kg.corpus import corpus_files
    from kg.extract.parse import parse_file

    files = corpus_files(a.folder)
    total = {"docs": 0, "with_agency": 0, "measures": 0, "with_list": 0, "mentions": 0, "mapped": 0}
    missed = []
    print("measures\twith list\tmentions\tresolved\tmissed markers\tdocument")
    for f in files:
        try:
            r = measure(parse_file(f))
        except InputError:
            continue
        total["docs"] += 1
        total["with_agency"] += r["with_list"] > 0
        for k in ("measures", "with_list", "mentions", "mapped"):
            total[k] += r[k]
        if r["missed"]:
            missed.append((len(r["missed"]), f.name, r["example"]))
        if a.verbose or r["with_list"]:
            share = f"{r['mapped'] / r['mentions']:.0%}" if r["mentions"] else "-"
            print(f"{r['measures']}\t{r['with_list']}\t{r['mentions']}\t{share}\t{len(r['missed'])}\t{f.stem[:40]}")
    print(
        f"\ndocuments parsed {total['docs']}, with any agency {total['with_agency']}; measures {total['measures']}, "
        f"with a responsibility list {total['with_list']}; agency mentions {total['mentions']}, "
        f"resolved {total['mapped'] / max(total['mentions'], 1):.1%}"
    )
    print(f"\nmarkers outside every list found: {sum(n for n, _, _ in missed)} in {len(missed)} documents")
    for n, name, example in sorted(missed, reverse=True):
        print(f"{n}\t{Path(name).stem[:40]}\t{example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
