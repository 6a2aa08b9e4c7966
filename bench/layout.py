"""What PDF layout leaves in the normalised text, before and after a change to normalize.

Run on demand (not part of the test suite) over a folder of texts extracted from PDFs,
pages separated by form feeds (``pdftotext FILE.pdf OUT.txt`` gives that shape):

    python bench/layout.py TXT_DIR [--baseline REV] [--show N]

``--baseline`` (default ``HEAD``) is a git revision whose ``kg/read/normalize.py`` is measured
beside the working tree's. Counts, summed over the folder:

- page_numbers: lines that are only a page number (``— 2 —``, ``- 3 -``, ``第 3 页``,
  ``3/10``, or a bare number that stood next to a page break);
- spaced_cjk: a space left between two Chinese characters;
- ascii_punct: ``.`` ``,`` ``«`` ``»`` left between Chinese characters;
- broken_lines: a line of 10+ characters ending without punctuation followed by a line
  that is not a heading (titles, signatures and table cells count too: compare, not zero);
- page_breaks_mid_sentence: of those, the ones whose break was a page end;
- glued_headings: a heading marker run into the preceding text without punctuation;
- heading_lines: lines that start like a heading (should not drop);
- seconds: normalisation time.
"""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.read.normalize import CJK, normalize  # noqa: E402

NUM = r"[一二三四五六七八九十百]+"
PAGE_NUMBER = re.compile(r"^(?:[-—―–－一]+ *\d+ *[-—―–－一]*|第 *\d+ *页(?: *共 *\d+ *页)?|\d+ */ *\d+)$")
BARE = re.compile(r"^\d+$")
HEADING_START = re.compile(rf"^(?:{NUM}、|[（(]{NUM}[）)]|第{NUM}[章节条]|\d+[.．、](?!\d)|[（(]\d+[）)]|{NUM}是)")
NUMS = "一二三四五六七八九十百"
GLUED = re.compile(rf"[{CJK}](?<![{NUMS}、])(?:[（(]{NUM}[）)]|{NUM}、)(?=[{CJK}])")
ENDS = "。！？；：”」』…）)》】"


def load_normalize(rev: str):
    """``normalize`` as it was at git revision ``rev`` (the package extracted under another name)."""
    d = Path(tempfile.mkdtemp())
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "kg"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(d)], input=archive, check=True)
    (d / "kg").rename(d / "kg_baseline")
    sys.path.insert(0, str(d))
    return importlib.import_module("kg_baseline.normalize").normalize


def _near_page_break(raw: str, a: int, b: int) -> bool:
    before = raw[max(0, a - 4) : a]
    after = raw[b : b + 4]
    return "\f" in before or "\f" in after or a <= 2


def measure(norm, raw: str) -> dict[str, int]:
    t = norm(raw)
    lines, starts, pos = t.text.split("\n"), [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    c = dict.fromkeys(
        "page_numbers spaced_cjk ascii_punct broken_lines page_breaks_mid_sentence glued_headings heading_lines".split(),
        0,
    )
    for i, line in enumerate(lines):
        s = line.strip()
        if PAGE_NUMBER.match(s):
            c["page_numbers"] += 1
        elif BARE.match(s) and s:
            a = t.offsets[starts[i]]
            b = t.offsets[starts[i] + len(line) - 1] + 1
            c["page_numbers"] += _near_page_break(raw, a, b)
        if HEADING_START.match(s):
            c["heading_lines"] += 1
        if i + 1 < len(lines) and len(s) >= 10 and s[-1] not in ENDS:
            nxt = lines[i + 1].strip()
            if nxt and not HEADING_START.match(nxt):
                c["broken_lines"] += 1
                a = t.offsets[starts[i] + len(line) - 1]
                b = t.offsets[starts[i + 1]]
                c["page_breaks_mid_sentence"] += "\f" in raw[a:b]
    c["spaced_cjk"] = len(re.findall(f"[{CJK}] +(?=[{CJK}])", t.text))
    c["ascii_punct"] = len(re.findall(f"[{CJK}][.,«»](?=[{CJK}])", t.text))
    c["glued_headings"] = len(GLUED.findall(t.text))
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("txt_dir", type=Path)
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--show", type=int, default=0, help="list the N documents with most broken lines left")
    args = ap.parse_args()
    files = sorted(args.txt_dir.glob("*.txt"))
    runs = {"baseline": load_normalize(args.baseline), "new": normalize}
    totals: dict[str, dict[str, float]] = {}
    per_doc: dict[str, dict[str, int]] = {}
    for name, norm in runs.items():
        tot: dict[str, float] = {}
        t0 = time.perf_counter()
        for f in files:
            c = measure(norm, f.read_text(encoding="utf-8", errors="replace"))
            if name == "new":
                per_doc[f.name] = c
            for k, v in c.items():
                tot[k] = tot.get(k, 0) + v
        tot["seconds"] = round(time.perf_counter() - t0, 1)
        totals[name] = tot
    print(f"{len(files)} documents")
    print(f"{'':26}{'baseline':>10}{'new':>10}")
    for k in totals["new"]:
        print(f"{k:26}{totals['baseline'][k]:>10}{totals['new'][k]:>10}")
    for fname, c in sorted(per_doc.items(), key=lambda kv: -kv[1]["broken_lines"])[: args.show]:
        print(fname[:40], c)


if __name__ == "__main__":
    main()
