"""The ``kg`` command: parse options, call one library function, format its result."""

from __future__ import annotations

import sys

import click

from kg import __version__
from kg.analysis import GAP_KINDS
from kg.core.errors import KgError
from kg.corpus import process
from kg.curated.mappings import LEVELS
from kg.extract.parse import parse_file
from kg.pipeline import run_all
from kg.present.output import FORMATS, default_format, render
from kg.present.records import agencies_records, docs_records, document_record, targets_records

BUILD = "out/build"  # where `kg build` writes and every reader looks: the build inside `kg all`'s output folder
BUILD_HELP = (
    "The build to read: a `kg build` folder or the output folder of `kg all` (default: out/build, or $KG_BUILD)."
)
NETWORK_COLUMNS = [
    "agency",
    "level",
    "region",
    "lead",
    "support",
    "total",
    "degree",
    "betweenness",
    "counterpart",
    "counterpart_lead",
    "counterpart_support",
]
DATA_HELP = "Corpus directory holding corpus.yaml (default: ./data, or $KG_DATA)."


def _format_option(choices=FORMATS):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=None,
        help="Output format (default: table on a terminal, jsonl when piped).",
    )


def _build_option():
    return click.option(
        "--build",
        "build_dir",
        envvar="KG_BUILD",
        default=BUILD,
        show_default=True,
        type=click.Path(file_okay=False),
        help=BUILD_HELP,
    )


def _set_data(ctx, param, value):
    if value is not None:
        ctx.ensure_object(dict)["data"] = value


def _data_option():
    """``--data`` after the subcommand too (``kg align --data DIR``), as before it."""
    return click.option(
        "--data",
        type=click.Path(file_okay=True, dir_okay=True),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_set_data,
        help=DATA_HELP,
    )


def _workers_option():
    from kg.core.parallel import default_workers

    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=default_workers(),
        help="Processes for the parallel stages (default: the cores available to this process).",
    )


def _scheduler_option():
    return click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="Parse and align on the Dask cluster of this scheduler (tcp://HOST:PORT) instead of local "
        "processes; needs the 'distributed' extra (docs/scaling.md).",
    )


def _emit(records, fmt, table_columns=None, columns=None, title=None) -> None:
    fmt = fmt or default_format()
    click.echo(render(records, fmt, columns=columns, table_columns=table_columns, title=title), nl=False)


def _report_failures(results) -> None:
    failed = [p for p in results if p.error]
    for p in failed:
        click.echo(f"error: {p.error}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _report_written(written, failed) -> None:
    """List the files a job wrote, then the documents that failed (exit 1 if any)."""
    for path in written:
        click.echo(f"  wrote {path}")
    for f in failed:
        click.echo(f"error: {f}", err=True)
    if failed:
        sys.exit(1)


def rebuild_command(build) -> str:
    """The command that makes the build folder ``build``."""
    from pathlib import Path

    from kg.store import DEFAULT

    return "`kg all` or `kg build`" if Path(build) == DEFAULT else f"`kg build --out {build}`"


def _words(e: KgError) -> str:
    """The library's message, with the command that fixes it when the fix is a build."""
    if e.build is None:
        return str(e)
    return f"{e}; run {rebuild_command(e.build)} to build it"


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgError as e:
            raise click.ClickException(_words(e)) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="kg")
@click.option(
    "--data",
    "data_dir",
    envvar="KG_DATA",
    default="data",
    show_default=True,
    type=click.Path(file_okay=True, dir_okay=True),
    help=DATA_HELP,
)
@click.pass_context
def main(ctx, data_dir):
    """policy-kg: a knowledge graph of Chinese policy measures, agencies and targets."""
    ctx.obj = {"data": data_dir}


@main.command()
@_format_option()
@_data_option()
@click.pass_context
def docs(ctx, fmt):
    """Registered documents with counts and data-quality warnings."""
    _, results = process(ctx.obj["data"])
    records = docs_records(results)
    if (fmt or default_format()) == "table":
        for r in records:
            r["warnings"] = len(r["warnings"])
    _emit(
        records,
        fmt,
        ["id", "level", "region", "issued", "measures", "agencies", "targets", "warnings", "status", "title"],
    )
    _report_failures(results)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_format_option(("json", "table", "jsonl", "csv"))
def parse(file, fmt):
    """One file's structure, agencies and targets (no registry needed)."""
    from kg.corpus import unexpected

    try:
        doc = parse_file(file)
    except KgError:
        raise
    except Exception as e:
        raise click.ClickException(unexpected(file, e)) from None
    rec = document_record(doc)
    fmt = fmt or ("table" if default_format() == "table" else "json")
    if fmt == "json":
        _emit([rec], "json")
        return
    measures = [
        {**m, "agencies": [a["name"] for a in m["agencies"]], "targets": len(m["targets"])} for m in rec["measures"]
    ]
    title = f"{doc.title} · {doc.doc_number or '无文号'} · {doc.issued or '日期不详'} · {len(doc.warnings)} warnings"
    _emit(
        measures,
        fmt,
        ["number", "section", "title", "agencies", "targets", "text"],
        columns=["number", "index", "key", "section", "title", "agencies", "targets", "text", "span"],
        title=title,
    )


@main.command()
@click.option("--doc", "docs_", multiple=True, help="Only this document (id, file or doc number); repeatable.")
@click.option("--level", type=click.Choice(LEVELS), help="Only agencies of this level.")
@click.option(
    "--network",
    is_flag=True,
    help="Rank agencies from the built graph: load, co-responsibility degree and betweenness, counterpart's load.",
)
@_build_option()
@_format_option()
@_data_option()
@click.pass_context
def agencies(ctx, docs_, level, network, build_dir, fmt):
    """Agencies with the number of measures each leads and supports."""
    if network:
        from kg.analysis.load import agency_load, load_records

        if docs_:
            raise click.UsageError("--doc does not apply with --network (the ranking covers the whole graph)")
        _emit(load_records(agency_load(build_dir, level)), fmt, NETWORK_COLUMNS)
        return
    _, results = process(ctx.obj["data"], only=list(docs_) or None)
    _emit(
        agencies_records(results, level),
        fmt,
        ["name", "level", "region", "function", "kind", "lead", "support", "counterpart", "mapped", "aliases"],
    )
    _report_failures(results)


@main.command()
@click.option("--doc", "docs_", multiple=True, help="Only this document (id, file or doc number); repeatable.")
@_format_option()
@_data_option()
@click.pass_context
def targets(ctx, docs_, fmt):
    """Quantitative and dated targets."""
    _, results = process(ctx.obj["data"], only=list(docs_) or None)
    _emit(
        targets_records(results),
        fmt,
        ["doc", "number", "year", "indicator", "value", "unit", "comparator", "scope", "aspirational"],
    )
    _report_failures(results)


@main.command()
@click.option("--child", "--source", "source", help="Child document (--source: first peer): id, file or doc number.")
@click.option(
    "--parent", "--target", "target", help="Parent document (--target: second peer); with --child, any pair is aligned."
)
@click.option(
    "--overrides",
    type=click.Path(dir_okay=False),
    help="Curated overrides CSV (default: mappings/alignment_overrides.csv).",
)
@click.option("--no-overrides", is_flag=True, help="Show the tool's own links, without curated overrides.")
@click.option("--evaluate", is_flag=True, help="Print precision/recall/accuracy against hand labels instead of links.")
@click.option(
    "--labels",
    type=click.Path(dir_okay=False),
    help="Labels CSV for --evaluate (default: mappings/alignment_labels.csv).",
)
@click.option(
    "--no-discover",
    is_flag=True,
    help="Align declared parents only; do not search parents for documents that declare none.",
)
@_format_option()
@_workers_option()
@_scheduler_option()
@_data_option()
@click.pass_context
def align(ctx, source, target, overrides, no_overrides, evaluate, labels, no_discover, fmt, workers, scheduler):
    """Child measure -> parent measure links with score, status and evidence."""
    from kg.core.numerals import int_to_cn
    from kg.pipeline import align_folder
    from kg.present.records import align_records, evaluation_records

    alignment = align_folder(
        ctx.obj["data"],
        source,
        target,
        False if no_overrides else overrides,
        not no_discover,
        workers,
        scheduler=scheduler,
    )
    for note in alignment.skipped:
        click.echo(f"note: skipped {note}", err=True)
    if alignment.discovered:
        found = sum(1 for parents in alignment.discovered.values() if parents)
        links = sum(len(p.links) for p in alignment.pairs if p.discovered)
        click.echo(
            f"note: parents discovered for {found} of {len(alignment.discovered)} documents that declare "
            f"none ({links} links marked discovered; --no-discover to skip)",
            err=True,
        )
    if evaluate:
        from kg.align.evaluate import evaluate as run_evaluation

        notes: list[str] = []
        evaluations = run_evaluation(alignment, labels, notes)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        _emit(
            evaluation_records(evaluations),
            fmt,
            [
                "source_doc",
                "target_doc",
                "measures",
                "top1_precision",
                "top1_recall",
                "top1_accuracy",
                "aligned_precision",
                "aligned_recall",
                "aligned_accuracy",
                "confident_wrong",
                "errors",
            ],
        )
        return
    records = align_records(alignment)
    if (fmt or default_format()) == "table":
        records = [
            {
                "child": f"（{r['source_number']}）{r['source_title']}",
                "parent": f"（{r['target_number']}）{r['target_title'] or '标题缺失'}" if r["target_number"] else "—",
                "also": "、".join(
                    f"（{int_to_cn(int(a['measure']))}）" if a["measure"].isdigit() else a["measure"] for a in r["also"]
                ),
                **r,
            }
            for r in records
        ]
    _emit(
        records,
        fmt,
        ["source_doc", "child", "target_doc", "parent", "also", "score", "margin", "rank", "status", "method"],
    )
    _report_failures(alignment.results)


@main.command()
@click.option(
    "--out", default="out/report", show_default=True, type=click.Path(file_okay=False), help="Report directory."
)
@_build_option()
@click.option("--child", help="Only reports for this child document.")
@click.option("--parent", help="Only reports against this parent document.")
@_workers_option()
def report(out, build_dir, child, parent, workers):
    """Alignment-gap report per child/parent pair, as Markdown and self-contained HTML."""
    from kg.present.report import write_report

    summary = write_report(build_dir, out, child, parent, workers=workers)
    click.echo(f"{len(summary.pairs)} document pairs reported")
    _report_written(summary.written, [])


@main.command(name="all")
@click.option("--out", default="out", show_default=True, type=click.Path(file_okay=False), help="Output directory.")
@_workers_option()
@_scheduler_option()
@_data_option()
@click.pass_context
def all_(ctx, out, workers, scheduler):
    """The main job: parse the corpus and write all outputs into --out."""
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("processing corpus…") as status:
        summary = run_all(
            ctx.obj["data"],
            out,
            progress=lambda message: status.update(message + "…"),
            workers=workers,
            scheduler=scheduler,
        )
    textless = summary.documents - summary.parsed - len(summary.failed) - len(summary.held)
    held = f"{len(summary.held)} held out (duplicates, or no level and region found), " if summary.held else ""
    click.echo(
        f"{summary.parsed} documents parsed ({held}{textless} registered without text, {len(summary.failed)} failed): "
        f"{summary.measures} measures, {summary.agencies} agencies, {summary.targets} targets, "
        f"{summary.warnings} data-quality warnings; "
        + (", ".join(f"{n} {status}" for status, n in sorted(summary.links.items())) or "no")
        + " alignment links; "
        f"graph of {summary.triples:,} triples (SHACL-valid); {summary.reports} alignment-gap reports"
    )
    for line in summary.held:
        click.echo(f"held out: {line}", err=True)
    _report_written(summary.written, summary.failed)


@main.command()
@click.option(
    "--out",
    default=BUILD,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output directory: graph.nt, build.json and the store/ (the --build every reader takes; "
    "Turtle and JSON-LD: `kg export`).",
)
@_workers_option()
@_scheduler_option()
@_data_option()
@click.pass_context
def build(ctx, out, workers, scheduler):
    """Build the RDF graph of the corpus, validate it with SHACL, write files and the query store."""
    from rich.console import Console

    from kg.pipeline import build_graph

    with Console(stderr=True).status("parsing and aligning the corpus…") as status:
        summary = build_graph(
            ctx.obj["data"],
            out,
            workers=workers,
            progress=lambda message: status.update(message + "…"),
            scheduler=scheduler,
        )
    reused = f"; {summary.reused} unchanged since the last build" if summary.reused else ""
    click.echo(
        f"{summary.triples} triples from {summary.parsed} documents ({summary.links} alignment links), "
        f"SHACL-valid ({summary.checked} parts checked{reused}), in {summary.seconds:.1f} s"
    )
    _report_written(summary.written, summary.failed)


@main.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(("turtle", "jsonld")))
@_build_option()
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (default: graph.ttl or graph.jsonld in the build folder).",
)
def export(fmt, build_dir, out):
    """Write the built graph as Turtle or JSON-LD (from its graph.nt; byte-identical for the same graph)."""
    from kg.core.errors import StoreError
    from kg.rdf.serialize import export as write
    from kg.store import build_dir as folder

    nt = folder(build_dir) / "graph.nt"
    if not nt.is_file():
        raise StoreError(f"{folder(build_dir)}: no graph.nt found", build=folder(build_dir))
    try:
        click.echo(f"  wrote {write(nt, fmt, out)}")
    except OSError as e:
        raise click.ClickException(f"{out or nt.parent}: cannot write ({e.strerror or e})") from None


@main.command()
@click.argument("sparql", required=False)
@_build_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "csv", "json", "jsonl")),
    default=None,
    help="table, csv, jsonl (rows) or json (W3C SPARQL JSON results); default: table on a terminal, "
    "jsonl when piped. CONSTRUCT/DESCRIBE print Turtle.",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=float,
    help="Stop the query after this many seconds (0: no limit).",
)
@click.option("--list", "list_", is_flag=True, help="List the saved queries and the questions they answer.")
def query(sparql, build_dir, fmt, timeout, list_):
    """Run SPARQL (text, a .rq file, or a saved query's name) on the built graph."""
    from kg.store.query import resolve, run_query, saved_queries

    if list_:
        _emit(
            [{"name": q.name, "question": q.question} for q in saved_queries().values()],
            fmt if fmt != "json" else "jsonl",
        )
        return
    if not sparql:
        raise click.UsageError("give SPARQL, a .rq file or a saved query name (see `kg query --list`)")
    result = run_query(build_dir, resolve(sparql), timeout=timeout or None)
    fmt = fmt or default_format()
    if result.kind == "graph":
        click.echo(result.graph, nl=False)
    elif fmt == "json":
        click.echo(result.sparql_json)
    elif result.kind == "ask":
        _emit([{"boolean": result.boolean}], fmt)
    else:
        _emit(result.rows, fmt, columns=result.variables)


@main.command()
@_build_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=7878, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--timeout", default=10.0, show_default=True, type=float, help="Per-query time limit in seconds (0: none)."
)
@click.option(
    "--max-rows", default=10000, show_default=True, type=int, help="Largest result in rows or triples (0: none)."
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Query worker processes (queries answered at once).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="A web origin (https://yasgui.org, or * for any) whose pages may read answers; repeatable. "
    "Default: none, so no web page can read the endpoint.",
)
def serve(build_dir, host, port, timeout, max_rows, workers, cors_origins):
    """Serve the built graph as a read-only SPARQL 1.1 endpoint at /sparql."""
    from kg.store.serve import serve as serve_graph

    serve_graph(
        build_dir,
        host,
        port,
        timeout or None,
        max_rows or None,
        workers,
        cors_origins=cors_origins,
        ready=lambda url: click.echo(
            f"SPARQL endpoint at {url} (query page at {url[: -len('sparql')]}); Ctrl-C stops it", err=True
        ),
    )


@main.command()
@click.option("--child", help="Only this child document (registry id).")
@click.option("--parent", help="Only this parent document (registry id).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(GAP_KINDS),
    help="Only findings of this kind; repeatable (default: all).",
)
@click.option("--summary", is_flag=True, help="Print the coverage figures per document pair instead of the findings.")
@_build_option()
@_format_option()
def gaps(child, parent, kinds, summary, build_dir, fmt):
    """Coverage gaps, local innovations, weak links, target changes and agency gaps, from the built graph."""
    from kg.analysis.gaps import KINDS, coverage
    from kg.analysis.gaps import gaps as find_gaps

    if summary:
        _emit(
            [c.record() for c in coverage(build_dir, child, parent)],
            fmt,
            [
                "child_doc",
                "parent_doc",
                "implemented",
                "parent_measures",
                "implemented_share",
                "with_parent",
                "child_measures",
                "with_parent_share",
                "copied_sentences",
                "parent_sentences",
                "copy_rate",
            ],
        )
        return
    records = [g.record() for g in find_gaps(build_dir, child, parent, kinds or KINDS)]
    if (fmt or default_format()) == "table":
        records = [
            {
                **r,
                "child": f"（{r['child_number']}）{r['child_title'] or ''}" if r["child_number"] else "—",
                "parent": f"（{r['parent_number']}）{r['parent_title'] or '标题缺失'}" if r["parent_number"] else "—",
            }
            for r in records
        ]
    _emit(records, fmt, ["kind", "child_doc", "child", "parent_doc", "parent", "score", "status", "change", "detail"])


@main.command()
@click.option(
    "--view",
    type=click.Choice(("alignment", "agencies")),
    default="alignment",
    show_default=True,
    help="alignment: documents and measures level by level with their links; agencies: the co-responsibility network.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    help="HTML file to write (default: <view>.html in the folder holding the build, as `kg all` writes it).",
)
@_build_option()
def viz(view, out_file, build_dir):
    """Write an interactive, self-contained HTML view of the built graph (opens with no network)."""
    from kg.present.viz import write_view

    path = write_view(build_dir, view, out_file)
    click.echo(f"wrote {path}")


@main.command()
@_build_option()
@click.option(
    "--endpoint",
    required=True,
    help="Graph Store endpoint URL, e.g. http://localhost:7878/store (Oxigraph) or "
    "http://localhost:3030/DATASET/data (Fuseki).",
)
@click.option(
    "--graph",
    "graph",
    default=None,
    metavar="IRI",
    help="Named graph to write (default: https://w3id.org/policy-kg/graph).",
)
@click.option("--default-graph", is_flag=True, help="Write the server's default graph instead of a named graph.")
@click.option("--replace", is_flag=True, help="Replace the graph (HTTP PUT) instead of adding to it (POST).")
@click.option(
    "--incremental",
    is_flag=True,
    help="One named graph per document under the --graph IRI (the rest in IRI/common): send only the "
    "documents changed since the last push there, delete those removed.",
)
def push(build_dir, endpoint, graph, default_graph, replace, incremental):
    """Upload the built graph (graph.nt) to a SPARQL 1.1 Graph Store HTTP Protocol endpoint."""
    from kg.store.push import DEFAULT_GRAPH_IRI, push_documents
    from kg.store.push import push as push_graph

    if graph is not None and default_graph:
        raise click.UsageError("give --graph IRI or --default-graph, not both")
    if incremental and (default_graph or replace):
        raise click.UsageError("--incremental replaces document graphs under --graph: no --default-graph or --replace")
    if incremental:
        done = push_documents(build_dir, endpoint, graph or DEFAULT_GRAPH_IRI)
        click.echo(
            f"{len(done.sent)} of {done.partitions} graphs sent ({done.triples} triples), {done.unchanged} unchanged, "
            f"{len(done.deleted)} deleted under <{done.graph}> ({done.requests} requests) in {done.seconds:.1f} s"
        )
        return
    summary = push_graph(build_dir, endpoint, None if default_graph else (graph or DEFAULT_GRAPH_IRI), replace)
    target = "the default graph" if summary.graph is None else f"<{summary.graph}>"
    verb = "replaced" if replace else "added to"
    click.echo(f"{summary.triples} triples pushed ({verb} {target}, HTTP {summary.status}) in {summary.seconds:.1f} s")
