"""The rebuild of scrambled documents measured on a scrambler with known truth.

    python bench/scramble.py [FOLDER] [--seed 0] [--docs 6 89] [-v]

FOLDER defaults to the shared dual-carbon corpus (``../shared/corpora/dual-carbon/pdf``).
Every clean document with at least 8 measures of one continuously numbered level, each
with a title, is scrambled the way the web scrape of seed 000 scrambles the Jiangxi 2021
measures (shared PDF 89): the body is cut into units (a measure's heading with the
section heading before it, each sentence, the responsibility list), the units into
passages of 3–8 (the runs seed 000 shows), a third of the measure headings are lost, a fifth of the passages are
printed twice, and the passages are shuffled and run together with a few line breaks
(seeded RNG). The scrambled text is parsed and rebuilt (``kg.rebuild``).

Placement accuracy is the share of the document's distinct sentences placed under their
true measure: by the parser alone (before) and after the rebuild, per document and in
total. A scrambled document the detector does not flag keeps the parser's placement.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "dual-carbon" / "pdf"
sys.path.insert(0, str(ROOT))

from kg.headings import label  # noqa: E402
from kg.model import Document  # noqa: E402
from kg.parse import parse_file, parse_text  # noqa: E402
from kg.rebuild import rebuild_document, scramble_evidence  # noqa: E402
from kg.rebuild.units import text_key  # noqa: E402

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
    rows, flagged = [], 0
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
    print(f"{'document':42} {'measures':>8} {'sentences':>9} {'before':>7} {'after':>7} flagged")
    for name, n, (b, total), (a, _), f in rows:
        print(f"{name[:40]:42} {n:8d} {total:9d} {b / max(total, 1):7.1%} {a / max(total, 1):7.1%} {'yes' if f else 'NO'}")
    B = sum(r[2][0] for r in rows)
    A = sum(r[3][0] for r in rows)
    T = sum(r[2][1] for r in rows)
    print(f"\n{len(rows)} scrambled documents, {flagged} flagged as scrambled; {T} sentences placed: "
          f"before {B / max(T, 1):.1%} (parser alone), after {A / max(T, 1):.1%} (rebuild); "
          f"{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
