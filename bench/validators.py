"""SHACL validators side by side on one graph: wall time, CPU-seconds, peak memory, and
whether each finds exactly the violations pySHACL (the reference) finds.

    python bench/validators.py GRAPH.nt [--workers 2] [--faults]
    python bench/validators.py --size 1000      # generate the synthetic corpus and make its graph first

Each validator runs in a fresh process (its peak memory is its own; the CPU-seconds of
its worker processes are counted through RUSAGE_CHILDREN):

- ``pyshacl``: kg.rdf.validate with pySHACL, partitioned, in ``--workers`` processes;
- ``sparql``: kg.rdf.validate with the shapes compiled to SPARQL (kg.rdf.shacl_sparql), run
  per partition in in-memory Oxigraph stores, in ``--workers`` processes;
- ``shacl``: kg.rdf.validate with the compiled ``shacl`` package (Rust), partitioned, in
  ``--workers`` processes (the default engine);
- ``shacl-whole``: the compiled package on the whole graph at once (no partitions);
- ``sparql``: as above, the fallback when the compiled package is missing or fails.

With ``--faults`` one fault of each of seven kinds is injected first (missing property,
datatype, class, cardinality, pattern, range, sh:or) so that the comparison is of
non-empty answers.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PKG = "https://w3id.org/policy-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LITERAL = r'"[^"]*"(\^\^<[^>]+>)?'
# (line pattern, regex, replacement; None: drop the line, "+": add the edited copy)
FAULTS = [
    (r"/measure/\d+> <http://data.europa.eu/eli/ontology#number>", None, None),
    (r"/measure/\d+> <https://w3id.org/policy-kg/ontology#index>", LITERAL, '"3"'),
    (r"/responsibility/\d+> <https://w3id.org/policy-kg/ontology#agency>", "/agency/", "/region/"),
    (r"<http://purl.org/dc/terms/identifier>", LITERAL, '"+another-id"'),
    (r"/region/\d+> <https://schema.org/identifier>", LITERAL, '"36110"'),
    (r"/alignment/[^>/]+> <https://w3id.org/policy-kg/ontology#score>", LITERAL, f'"1.5"^^<{XSD}decimal>'),
    (r"/alignment/[^>/]+> <https://w3id.org/policy-kg/ontology#targetMeasure>", None, None),
]


def inject(lines: list[str]) -> list[str]:
    """The lines with one fault of each kind in FAULTS, each in the first line that fits."""
    out = list(lines)
    for pattern, old, new in FAULTS:
        i = next(i for i, ln in enumerate(out) if re.search(pattern, ln))
        if old is None:
            del out[i]
        elif new.startswith('"+'):
            out.append(re.sub(old, '"' + new[2:], out[i], count=1))
        else:
            out[i] = re.sub(old, new, out[i], count=1)
    return sorted(out)


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def run_one(name: str, nt: Path, workers: int) -> dict:
    """Validate ``nt`` with ``name`` in this process: seconds, CPU-seconds, peak MiB, the (focus, path) found."""
    lines = [ln for ln in nt.read_text(encoding="utf-8").splitlines(keepends=True) if ln.strip()]
    t, cpu = time.perf_counter(), _cpu()
    if name == "shacl-whole":
        import shacl

        from kg.core.resources import resource_dir

        shapes = shacl.Shapes.from_file(str(resource_dir("ontology") / "shapes.ttl"))
        report = shapes.validate_text("".join(lines), format="ntriples")
        found = {
            (
                r.focus_node.strip("<>"),
                r.path.strip("<>") if r.path and r.path.startswith("<") and ">" not in r.path[1:-1] else None,
            )
            for r in report.results
        }
        version = shacl.__version__
    else:
        from kg.rdf.validate import violations

        found = {(v.focus, v.path) for v in violations(lines, workers=workers, engine=name)}
        version = ""
    seconds, cpu = time.perf_counter() - t, _cpu() - cpu
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    return {
        "validator": name,
        "version": version,
        "triples": len(lines),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak / 1024,
        "found": sorted([f, p or ""] for f, p in found),
    }


def _graph(size: int, tmp: Path, workers: int) -> Path:
    from generate import generate

    from kg.align import align_corpus
    from kg.corpus import process
    from kg.rdf.graph import graph_lines

    generate(tmp / "corpus", size, 1)
    registry, results = process(tmp / "corpus", workers=workers)
    links = align_corpus(tmp / "corpus", processed=(registry, results), workers=workers).links
    nt = tmp / "graph.nt"
    nt.write_text("".join(graph_lines(registry, results, links, workers)), encoding="utf-8")
    return nt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph", nargs="?", help="an N-Triples file (kg build's graph.nt)")
    ap.add_argument("--size", type=int, help="make the graph of a synthetic corpus of this many children instead")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--faults", action="store_true", help="inject one fault of each of seven kinds first")
    ap.add_argument("--validators", default="shacl,shacl-whole,sparql,pyshacl")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.graph), args.workers)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="kg-validators-"))
    nt = Path(args.graph) if args.graph else _graph(args.size, tmp, args.workers)
    if args.faults:
        faulty = tmp / "faulty.nt"
        faulty.write_text("".join(inject(nt.read_text(encoding="utf-8").splitlines(keepends=True))), encoding="utf-8")
        nt = faulty
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"{nt}: load average {' '.join(load)}")
    results = {}
    for name in args.validators.split(","):
        cmd = [sys.executable, __file__, str(nt), "--one", name, "--workers", str(args.workers)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"  {name:8} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"  {name:8} {r['version']:8} {r['seconds']:8.1f} s {r['cpu_seconds']:8.1f} CPU-s {r['peak_mib']:8.0f} MiB"
            f"  {len(r['found'])} violations",
            flush=True,
        )
    if "pyshacl" in results:
        ref = {tuple(x) for x in results["pyshacl"]["found"]}
        for name, r in results.items():
            got = {tuple(x) for x in r["found"]}
            same = "same as pySHACL" if got == ref else f"differs: {len(got - ref)} extra, {len(ref - got)} missing"
            focus = "same focus nodes" if {f for f, _ in got} == {f for f, _ in ref} else "other focus nodes"
            print(f"  {name:8} {same}; {focus}")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"load average at the end {' '.join(load)}")


if __name__ == "__main__":
    main()
