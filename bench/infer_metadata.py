"""Metadata inference on a folder of PDFs, scored against the folder's catalogue.

    python bench/infer_metadata.py ../shared/corpora/dual-carbon/pdf [--txt DIR]

Reads each PDF's text with poppler's pdftotext (or the .txt of the same stem in ``--txt``),
reads the metadata without needing measures (kg.metadata.read_metadata), places it
(kg.infer.infer_place), turns its citations into parents (kg.infer.CitationIndex) and
scores level, region and parents against metadata.jsonl and citations.jsonl one folder up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from kg.headings import find_headings
from kg.infer import Candidate, CitationIndex, infer_place, readable_id, unique_id
from kg.infer_score import score_inference
from kg.metadata import read_metadata
from kg.normalize import normalize


def _text(pdf: Path, txt_dir: Path | None) -> str:
    if txt_dir and (txt_dir / f"{pdf.stem}.txt").is_file():
        return (txt_dir / f"{pdf.stem}.txt").read_text(encoding="utf-8", errors="replace")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def records(folder: Path, txt_dir: Path | None = None) -> list[dict]:
    rows, taken = [], set()
    for pdf in sorted(folder.glob("*.pdf")):
        t = normalize(_text(pdf, txt_dir))
        heads = find_headings(t.text, len(t.text))
        front_end = heads[0].start if heads else min(len(t.text), 1500)
        meta = read_metadata(t, front_end)
        place = infer_place(meta.title, meta.issuers, meta.doc_number, t.text)
        rid = unique_id(readable_id(place.region, meta.issued, meta.embedded_title or meta.title), taken,
                        meta.doc_number, pdf.name)
        taken.add(rid)
        rows.append({"id": rid, "file": pdf.name, "title": meta.title, "embedded_title": meta.embedded_title,
                     "level": place.level, "region": place.region, "how": place.how, "issued": meta.issued,
                     "doc_number": meta.doc_number, "issuers": meta.issuers, "citations": meta.citations})
    cands = {r["id"]: Candidate(r["id"], r["level"], r["region"], (r["title"], r["embedded_title"]), r["doc_number"],
                                r["issued"]) for r in rows}
    index = CitationIndex(cands.values())
    for r in rows:
        r["parents"] = index.parents(cands[r["id"]], r["citations"])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--txt", type=Path, default=None, help="folder of pdftotext output to reuse")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    recs = records(a.folder, a.txt)
    s = score_inference(recs, a.folder.parent)
    print(f"documents {s.documents}; level agrees {s.level_agree}, region agrees {s.region_agree}, "
          f"both {s.both_agree} ({s.place_share:.1%})")
    print(f"citation pairs {s.pairs}; found as parents {s.pairs_found} ({s.pairs_share:.1%})")
    for d in s.disagreements:
        print("  place:", d["file"], "ours", d["ours"], "catalogue", d["catalogue"])
    for m in s.missed_pairs:
        print("  missed:", m["child"], "→", m["parent"], "ours", m["parents"])
    if a.verbose:
        for r in recs:
            print(r["id"], r["level"], r["region"], r["how"], r["issued"], r["doc_number"], r["issuers"], r["title"],
                  file=sys.stderr)


if __name__ == "__main__":
    main()
