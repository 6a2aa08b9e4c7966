"""The registry: loading, validation errors, and text-vs-registry disagreements."""

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.core.errors import RegistryError
from kg.corpus import load_registry, process

from .conftest import MINI_DOC, write_corpus

REG = """documents:
  - id: parent
    title: 江西省人民政府印发关于测试的若干措施的通知
    level: provincial
    region: 江西省
  - id: city
    file: city.txt
    title: 上饶市人民政府印发关于测试的实施方案的通知
    level: municipal
    region: 上饶市
    issued: 2022-03-27
    implements: [parent]
"""


def test_registry_loads_documents_with_and_without_text(tmp_path):
    reg = load_registry(write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG))
    assert [e.id for e in reg.entries] == ["parent", "city"]
    assert reg.entries[0].file is None and reg.entries[1].implements == ["parent"]


def test_document_can_be_named_by_id_or_file(tmp_path):
    reg = load_registry(write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG))
    assert reg.get("city.txt").id == reg.get("city").id == "city"


@pytest.mark.parametrize(
    "registry, message",
    [
        ("documents: [\n  - id: a\n    title: [unclosed\n", r"corpus\.yaml line \d+, column \d+: malformed YAML"),
        ("docs: []\n", "expected a top-level “documents:” list"),
        ("documents:\n  - id: a\n    title: t\n    level: city\n    region: 上饶市\n", "level “city” is not one of"),
        ("documents:\n  - id: a\n    title: t\n    level: municipal\n", "missing required field “region”"),
        (
            "documents:\n  - {id: a, title: t, level: municipal, region: x, implements: [zz]}\n",
            "implements unknown document “zz”",
        ),
        (
            "documents:\n  - {id: a, title: t, level: municipal, region: x, issued: 22/3/2022}\n",
            "is not YYYY-MM-DD or YYYY",
        ),
        (
            "documents:\n  - id: b\n    title: t\n    level: municipal\n    region: x\n    issued: 2021-02-30\n",
            "corpus.yaml document “b”: issued “2021-02-30” is not a date of the calendar",
        ),
        (
            "documents:\n  - {id: a, title: t, level: municipal, region: x}\n  - {id: a, title: u, level: municipal, region: y}\n",
            "id used more than once",
        ),
    ],
)
def test_malformed_registry_is_one_line_naming_the_file(tmp_path, registry, message):
    write_corpus(tmp_path, {}, registry)
    with pytest.raises(RegistryError, match=message) as e:
        load_registry(tmp_path)
    assert "corpus.yaml" in str(e.value) and "\n" not in str(e.value)


def test_an_impossible_date_is_one_line_from_the_command_line(tmp_path):
    write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG.replace("2022-03-27", "2022-02-29"))
    r = CliRunner().invoke(main, ["--data", str(tmp_path), "docs"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'corpus.yaml'} document “city”: issued “2022-02-29” is not a date of the calendar "
        "(day is out of range for month)"
    ]


def test_missing_file_fails_that_document_only(tmp_path):
    reg = REG + "  - id: gone\n    file: gone.txt\n    title: t\n    level: municipal\n    region: 上饶市\n"
    _, results = process(write_corpus(tmp_path, {"city.txt": MINI_DOC}, reg))
    by = {p.entry.id: p for p in results}
    assert by["city"].doc is not None
    assert by["gone"].doc is None and "gone.txt: file not found" in by["gone"].error


def test_undeclared_citation_of_parent_is_a_registry_warning(tmp_path):
    _, results = process(write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG))
    city = next(p for p in results if p.entry.id == "city").doc
    assert any(w.code == "registry_mismatch" and "does not cite" in w.message for w in city.warnings)


def test_date_disagreement_is_a_warning(tmp_path):
    _, results = process(write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG.replace("2022-03-27", "2022-04-01")))
    city = next(p for p in results if p.entry.id == "city").doc
    assert any("date in text 2022-03-27 differs from registry 2022-04-01" in w.message for w in city.warnings)


def test_registry_level_and_region_win(tmp_path):
    _, results = process(write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG))
    city = next(p for p in results if p.entry.id == "city").doc
    assert (city.level, city.region) == ("municipal", "上饶市")


# -- one bad document never stops the corpus (issue: a malformed heading numeral aborted every run) --

BAD_NUMERAL = """上饶市人民政府关于测试的通知

（九百九十九百）推进工业绿色转型。到2025年全市绿色工厂总数达到20家。
"""
BAD_ENTRY = """
  - id: bad-numeral
    file: bad.txt
    title: 上饶市人民政府关于测试的通知
    level: municipal
    region: 上饶市
"""


def _seeds_plus(tmp_path, name, text):
    import shutil

    from .conftest import DATA

    corpus = tmp_path / "corpus"
    shutil.copytree(DATA, corpus)
    (corpus / name).write_text(text, encoding="utf-8")
    with open(corpus / "corpus.yaml", "a", encoding="utf-8") as f:
        f.write(BAD_ENTRY.replace("bad.txt", name))
    return corpus


def test_a_malformed_heading_numeral_is_a_warning_not_a_crash():
    from kg.core.numerals import int_to_cn
    from kg.extract.parse import parse_text

    assert int_to_cn(1890) == "1890"
    doc = parse_text(BAD_NUMERAL.replace("（九百九十九百）", "（一）推进。\n（九百九十九百）"))
    assert [m.number for m in doc.measures] == ["一"]
    assert any(w.code == "bad_numeral" and "九百九十九百" in w.message for w in doc.warnings)


def test_seeds_plus_a_file_with_the_bad_numeral_are_all_listed_and_the_numeral_reported(tmp_path):
    """The issue's crash: the numeral in one file stopped every document; now that file is
    read as an unnumbered notice with the numeral reported, and the seeds are untouched."""
    from click.testing import CliRunner

    from kg.cli import main

    corpus = _seeds_plus(tmp_path, "bad.txt", BAD_NUMERAL)
    r = CliRunner().invoke(main, ["--data", str(corpus), "docs", "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    listed = {json.loads(line)["id"]: json.loads(line) for line in r.stdout.splitlines()}
    seeds = [e.id for e in load_registry(corpus).entries if e.file and e.id != "bad-numeral"]
    assert len(seeds) == 5 and all(listed[i]["measures"] > 0 for i in seeds)
    assert any("九百九十九百" in w for w in listed["bad-numeral"]["warnings"])


def test_a_document_that_crashes_the_parser_fails_alone_and_kg_all_writes_the_rest(tmp_path, monkeypatch):
    """Any failure inside one document (here a stand-in for a parser bug) is that document's
    one-line error; ``kg all`` writes everything for the others."""
    from click.testing import CliRunner

    import kg.corpus
    from kg.cli import main

    real = kg.corpus.parse_file

    def parse_file(path, *args):
        if str(path).endswith("crash.txt"):
            raise IndexError("string index out of range")
        return real(path, *args)

    monkeypatch.setattr(kg.corpus, "parse_file", parse_file)
    corpus = _seeds_plus(tmp_path, "crash.txt", BAD_NUMERAL)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["--data", str(corpus), "all", "--out", str(out), "--workers", "1"])
    assert r.exit_code == 1, r.output
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: bad-numeral: {corpus / 'crash.txt'}: could not be read "
        "(IndexError: string index out of range); please report this"
    ]
    assert "Traceback" not in r.output
    written = sorted(p.stem for p in (out / "documents").iterdir())
    seeds = sorted(e.id for e in load_registry(corpus).entries if e.file and e.id != "bad-numeral")
    assert len(seeds) == 5 and written == seeds
    assert (out / "report" / "index.html").exists() and (out / "build" / "graph.nt").exists()


def test_reading_progress_counts_documents_measures_and_failures():
    from .conftest import DATA

    said = []
    _, results = process(DATA, progress=said.append)
    assert len(said) == len(results)
    # measures as read, before the scrambled Jiangxi scrape is rebuilt (13 read, 21 rebuilt)
    rebuilt = sum(
        len(p.doc.measures) - 13 for p in results if p.doc and any(w.code == "rebuilt" for w in p.doc.warnings)
    )
    assert said[-1].startswith(
        f"read {len(results)}/{len(results)} documents, "
        f"{sum(len(p.doc.measures) for p in results if p.doc) - rebuilt} measures (last: "
    )


CITING_DOC = MINI_DOC.replace(
    "2022年3月27日\n",
    "2022年3月27日\n\n为贯彻落实《江西省人民政府印发关于测试的若干措施的通知》（赣府发〔2021〕12号），制定本方案。\n",
)


@pytest.mark.parametrize("number, warned", [("赣府发〔2021〕13号", True), ("赣府发〔2021〕12号", False)])
def test_a_citation_numbered_otherwise_than_the_registry_is_a_warning(tmp_path, number, warned):
    reg = REG.replace("    region: 江西省\n", f"    region: 江西省\n    doc_number: {number}\n", 1)
    _, results = process(write_corpus(tmp_path, {"city.txt": CITING_DOC}, reg))
    city = next(p for p in results if p.entry.id == "city").doc
    said = [w.message for w in city.warnings if w.message.startswith("cites 《")]
    assert said == (
        ["cites 《江西省人民政府印发关于测试的若干措施的通知》 as 赣府发〔2021〕12号, registry has " + number]
        if warned
        else []
    )


def test_documents_singled_out_are_the_only_results_and_still_checked_against_the_rest(tmp_path):
    data = write_corpus(tmp_path, {"city.txt": MINI_DOC}, REG)
    _, results = process(data, only=["city"])
    assert [p.entry.id for p in results] == ["city"]
    assert any("does not cite" in w.message for w in results[0].doc.warnings)  # the parent is still known
    assert [p.entry.id for p in process(data).results] == ["parent", "city"]
