"""The rebuild of scrambled documents measured on a scrambler with known truth.

    python bench/scramble.py [FOLDER] [--seed 0] [--docs 6 89] [-v]

FOLDER defaults to the shared dual-carbon corpus (``../shared/corpora/dual-carbon/pdf``).
Every clean document with at least 8 measures of one continuously numbered level, each
with a title, is scrambled the way the web scrape of seed 000 scrambles the Jiangxi 2021
measures (shared PDF 89): the body is cut into units (a measure's heading with the
section heading before it, each sentence, the responsibility list), the units into
passages of 3–8 (the runs seed 000 shows), a third of the measure headings are lost, a fifth of the passages are
printed twice, and the passages are shuffled and run together with a few line breaks
(seeded RNG). The scrambled text is parsed and rebuilt (``kg.corpus.rebuild``).

Placement accuracy is the share of the document's distinct sentences placed under their
true measure: by the parser alone (before) and after the rebuild, per document and in
total. A scrambled document the detector does not flag keeps the parser's placement.

A document the corpus's ``citations.jsonl`` names as the parent of others (the national
guidance and its provinces, a province and its cities) is also rebuilt with those children
passed in, as ``kg.corpus.rebuild.rebuild_corpus`` passes the documents that implement it: the
same scrambled text, placement without and with its children, side by side.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "dual-carbon" / "pdf"
sys.path.insert(0, str(ROOT))

from kg.core.model import Document  # noqa: E402
from kg.corpus.rebuild import rebuild_document, scramble_evidence  # noqa: E402
from kg.corpus.rebuild.units import text_key  # noqa: E402
from kg.extract.headings import label  # noqa: E402
from kg.extract.parse import parse_file, parse_text  # noqa: E402

MIN_MEASURES = 8
LOSE_HEADING = 1 / 3
REPEAT = 0.2
PASSAGE = (3, 8)


def usable(doc: Document) -> bool:
    """A clean document whose measures are one level numbered 1..n, each titled."""
    ms = doc.measures
    if len(ms) < MIN_MEASURES or scramble_evidence(doc) or len({m.level for m in ms}) != 1:
        return False
    if any("." in m.key or "-" in m.key or not m.title for m in ms):
        return False
    return [m.index for m in ms] == list(range(1, len(ms) + 1)) and sum(len(m.sentences) for m in ms) >= 3 * len(ms)


def scramble(doc: Document, rng: random.Random) -> tuple[str, dict[str, int]]:
    """The scrambled text and the truth: each sentence's text key → its measure number."""
    sections = {s.key: s for s in doc.sections}
    truth: dict[str, int] = {}
    units: list[str] = []
    opened: set = set()
    for m in doc.measures:
        head = f"{label(m.level, m.number)}{m.title}。"
        if m.parent in sections and m.parent not in opened:
            opened.add(m.parent)
            s = sections[m.parent]
            head = f"{label(s.level, s.number)}{s.title}\n{head}"
        if rng.random() >= LOSE_HEADING or m.index == 1:
            units.append(head)
        for x in m.sentences:
            truth.setdefault(text_key(x.text), m.index)
            units.append(x.text if x.text[-1] in "。！？" else x.text + "\n")
        if m.responsibility:
            units.append(f"（{m.responsibility}）")
    passages, i = [], 0
    while i < len(units):
        n = rng.randint(*PASSAGE)
        passages.append(units[i : i + n])
        i += n
    first, rest = passages[0], passages[1:]
    rest += [p for p in rest if rng.random() < REPEAT]
    rng.shuffle(rest)
    body = "".join("".join(p) + ("\n" if rng.random() < 0.3 else "") for p in [first] + rest)
    return f"{doc.title or '文件'}\n{body}", truth


def accuracy(doc: Document, truth: dict[str, int]) -> tuple[int, int]:
    ok = total = 0
    seen = set()
    for m in doc.measures:
        for x in m.sentences:
            k = text_key(x.text)
            if k in truth and k not in seen:
                seen.add(k)
                total += 1
                ok += truth[k] == m.index
    return ok, total


def children_of(folder: Path) -> dict[str, list[Path]]:
    """Parent PDF name → the PDFs of the folder that cite it (``citations.jsonl`` beside it)."""
    out: dict[str, list[Path]] = {}
    for where in (folder / "citations.jsonl", folder.parent / "citations.jsonl"):
        if where.is_file():
            for line in where.read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else None
                if row and (folder / row["child"]).is_file():
                    out.setdefault(row["parent"], []).append(folder / row["child"])
            break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--docs", nargs="*", help="document numbers (the PDF name's prefix) to run only")
    ap.add_argument("-v", action="store_true", help="print each rebuilt document's notes")
    args = ap.parse_args()
    files = sorted(Path(args.folder).glob("*.pdf"), key=lambda p: p.name)
    if args.docs:
        files = [p for p in files if re.match(r"\d+", p.name) and re.match(r"\d+", p.name).group(0) in args.docs]
    started = time.time()
    cited = children_of(Path(args.folder))
    parsed: dict[Path, Document] = {}
    rows, flagged, family = [], 0, []
    for path in files:
        try:
            clean = parse_file(path)
        except Exception:
            continue
        if not usable(clean):
            continue
        rng = random.Random(f"{args.seed}:{path.name}")
        text, truth = scramble(clean, rng)
        doc = parse_text(text, path.name)
        before = accuracy(doc, truth)
        note = rebuild_document(doc)
        flagged += note is not None
        after = accuracy(doc, truth)
        rows.append((path.name, len(clean.measures), before, after, note is not None))
        if args.v and note:
            print("   ", note)
        kids = []
        for c in cited.get(path.name, []):
            if c not in parsed:
                try:
                    parsed[c] = parse_file(c)
                except Exception:
                    continue
            kids.append(parsed[c])
        if kids:
            doc = parse_text(text, path.name)
            rebuild_document(doc, kids)
            family.append((path.name, len(kids), before, after, accuracy(doc, truth)))
    print(f"{'document':42} {'measures':>8} {'sentences':>9} {'before':>7} {'after':>7} flagged")
    for name, n, (b, total), (a, _), f in rows:
        print(
            f"{name[:40]:42} {n:8d} {total:9d} {b / max(total, 1):7.1%} {a / max(total, 1):7.1%} {'yes' if f else 'NO'}"
        )
    B = sum(r[2][0] for r in rows)
    A = sum(r[3][0] for r in rows)
    T = sum(r[2][1] for r in rows)
    print(
        f"\n{len(rows)} scrambled documents, {flagged} flagged as scrambled; {T} sentences placed: "
        f"before {B / max(T, 1):.1%} (parser alone), after {A / max(T, 1):.1%} (rebuild); "
        f"{time.time() - started:.0f} s"
    )
    if family:
        print("\nwith the children the corpus cites it by (citations.jsonl), the same scrambled text:")
        print(f"{'document':42} {'children':>8} {'sentences':>9} {'before':>7} {'alone':>7} {'children':>8}")
        for name, k, (b, total), (a, _), (c, _) in family:
            print(
                f"{name[:40]:42} {k:8d} {total:9d} {b / max(total, 1):7.1%} {a / max(total, 1):7.1%} "
                f"{c / max(total, 1):8.1%}"
            )
        T = sum(r[2][1] for r in family)
        print(
            f"{len(family)} documents with children, {T} sentences: before {sum(r[2][0] for r in family) / T:.1%}, "
            f"alone {sum(r[3][0] for r in family) / T:.1%}, with children {sum(r[4][0] for r in family) / T:.1%}"
        )


if __name__ == "__main__":
    main()
