"""Per-document costs, growth between sizes and the issue's targets, for ``bench/run.py``.

Stages are read from each size's result as they are (``seconds``, ``cpu_seconds`` and the
build's ``build_stages``), not from a fixed list, so a renamed or added build stage shows up
here as it is. Per document means per document parsed (the children and their higher-level
documents): that is what parsing, alignment and the build each handle once.
"""

from __future__ import annotations

MEMORY_TARGET_MIB = 4096  # issue 20: peak memory < 4 GiB at 10,000 documents
# Issue 20: 1,000 child documents end to end <= 45 s (stretch 30 s); 10,000 <= 8 min.
TOTAL_TARGET_S = {1000: 45.0, 10000: 480.0}
GROWTH_SLACK = 1.1  # growth between sizes within 1.1x the size ratio (1,000 -> 10,000: <= 11x)
TOP_STAGES = ("parse", "align", "build", "total")


def documents(r: dict) -> int:
    """Documents parsed: the children and their higher-level documents."""
    return r.get("documents") or r["docs"] + r.get("parents", 0)


def per_document(r: dict) -> list[tuple[str, float, float, float | None]]:
    """(stage, wall ms, CPU ms, peak MiB or None) per document parsed, for the top stages and
    every build stage recorded, in the order recorded."""
    n = documents(r)
    sec, cpu, peak = r["seconds"], r.get("cpu_seconds", {}), r.get("peak_mib", {})
    rows = []
    for stage in TOP_STAGES:
        if stage in sec:
            mib = r.get("peak_total_mib") if stage == "total" else peak.get(stage)
            rows.append((stage, sec[stage] * 1000 / n, cpu.get(stage, 0.0) * 1000 / n, mib / n if mib else None))
    for stage, s in r.get("build_stages", {}).items():
        rows.append((f"  build: {stage}", s * 1000 / n, r.get("build_stages_cpu", {}).get(stage, 0.0) * 1000 / n, None))
    return rows


def print_per_document(r: dict) -> None:
    n = documents(r)
    print(f"  per document ({n:,} parsed): {'wall ms':>9} {'CPU ms':>9} {'MiB':>7}")
    for stage, wall, cpu, mib in per_document(r):
        print(f"    {stage:24} {wall:9.2f} {cpu:9.2f} {'' if mib is None else f'{mib:7.3f}'}")
    total = r.get("peak_total_mib") or r["peak_mib"]["max"]
    within = "within" if total < MEMORY_TARGET_MIB else "over"
    print(f"  peak memory {total:,.0f} MiB (main process and workers): {within} the {MEMORY_TARGET_MIB:,} MiB target")


def growth(results: dict[int, dict]) -> list[dict]:
    """Between consecutive sizes: the size ratio and the growth of each top stage's wall and
    CPU time and of peak memory."""
    sizes = sorted(results)
    out = []
    for a, b in zip(sizes, sizes[1:]):
        ra, rb = results[a], results[b]
        row = {"from": a, "to": b, "size_ratio": b / a, "wall": {}, "cpu": {}}
        for stage in TOP_STAGES:
            if ra["seconds"].get(stage) and stage in rb["seconds"]:
                row["wall"][stage] = rb["seconds"][stage] / ra["seconds"][stage]
            ca, cb = ra.get("cpu_seconds", {}).get(stage), rb.get("cpu_seconds", {}).get(stage)
            if ca and cb is not None:
                row["cpu"][stage] = cb / ca
        ma, mb = ra.get("peak_total_mib"), rb.get("peak_total_mib")
        row["memory"] = mb / ma if ma and mb else None
        out.append(row)
    return out


def print_growth(results: dict[int, dict]) -> None:
    rows = growth(results)
    if not rows:
        return
    print("\ngrowth between consecutive sizes (later / earlier; linear = the size ratio):")
    print(f"  {'sizes':>16} {'ratio':>6}  " + "  ".join(f"{s:>15}" for s in TOP_STAGES) + f"  {'memory':>7}")
    for row in rows:
        cells = []
        for s in TOP_STAGES:
            w, c = row["wall"].get(s), row["cpu"].get(s)
            cells.append(f"{'' if w is None else f'{w:.1f}x'} / {'' if c is None else f'{c:.1f}x'}".rjust(15))
        mem = "" if row["memory"] is None else f"{row['memory']:.1f}x"
        print(f"  {row['from']:>7,} -> {row['to']:>6,} {row['size_ratio']:5.0f}x  " + "  ".join(cells) + f"  {mem:>7}")
    print("  (each stage: wall / CPU growth)")


def targets(results: dict[int, dict]) -> list[tuple[str, bool | None, str]]:
    """The issue's size targets: (target, met or None when not measured, figure)."""
    out = []
    for size, limit in TOTAL_TARGET_S.items():
        r = results.get(size)
        name = f"{size:,} docs parse+align+build <= {limit:.0f} s"
        out.append(
            (name, r["seconds"]["total"] <= limit, f"{r['seconds']['total']:.1f} s") if r else (name, None, "not run")
        )
    for size, r in sorted(results.items()):
        total = r.get("peak_total_mib") or r["peak_mib"]["max"]
        if size >= 1000:
            out.append((f"{size:,} docs peak memory < 4 GiB", total < MEMORY_TARGET_MIB, f"{total:,.0f} MiB"))
    for row in growth(results):
        if row["from"] >= 100 and "total" in row["wall"]:
            limit = GROWTH_SLACK * row["size_ratio"]
            out.append(
                (
                    f"growth {row['from']:,} -> {row['to']:,} docs <= {limit:.0f}x",
                    row["wall"]["total"] <= limit,
                    f"{row['wall']['total']:.1f}x wall, {row['cpu'].get('total', 0):.1f}x CPU",
                )
            )
    if 10000 not in results:
        out.append(
            ("growth 1,000 -> 10,000 docs <= 11x", None, "needs sizes 1000 and 10000 (opt-in: --sizes ...,10000)")
        )
    return out
