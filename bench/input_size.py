"""What one document costs the parser by its size: the measurements behind the input limit
(``KG_MAX_INPUT_MB``, kg/read/limits.py).

    python bench/input_size.py [--sizes 0.25,0.5,1,2]

For each size, a text of that many MB (UTF-8) is made by repeating the seed documents of
``data/`` and read and parsed by ``kg parse`` in a fresh process; prints wall seconds, the
process's peak resident memory, and that peak over the text size, beside the same
figures for one seed document (the baseline, measured in the same run).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _seed_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("*.txt")))


def _measure(path: Path) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of ``kg parse`` on ``path`` in a child process."""
    code = "import sys; from kg.extract.parse import parse_file; parse_file(sys.argv[1])"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, env={**os.environ, "KG_MAX_INPUT_MB": "1000"})
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.25,0.5,1,2", help="text sizes in MB, comma-separated, ascending")
    args = ap.parse_args()
    seed = _seed_text()
    with tempfile.TemporaryDirectory() as d:
        base = Path(d) / "one.txt"
        base.write_text((ROOT / "data" / "001_7d4b3fc7bf085163.txt").read_text(encoding="utf-8"), encoding="utf-8")
        b_seconds, b_peak = _measure(base)
        print(
            f"baseline: one seed document, {base.stat().st_size / 1e6:.3f} MB: {b_seconds:.1f} s, {b_peak / 1e6:.0f} MB"
        )
        print("MB of text    seconds   peak MB   (peak - baseline) / text   seconds / MB")
        for mb in (float(x) for x in args.sizes.split(",")):
            path = Path(d) / f"{mb}.txt"
            copies = int(mb * 1e6 / len(seed.encode("utf-8"))) + 1
            path.write_bytes((seed * copies).encode("utf-8")[: int(mb * 1e6)].decode("utf-8", "ignore").encode())
            seconds, peak = _measure(path)  # ru_maxrss of children is the largest child so far: sizes ascend
            size = path.stat().st_size
            print(
                f"{size / 1e6:10.2f} {seconds:10.1f} {peak / 1e6:9.0f} {(peak - b_peak) / size:20.0f}x "
                f"{seconds / (size / 1e6):14.1f}"
            )


if __name__ == "__main__":
    main()
