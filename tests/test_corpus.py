"""The registry: loading, validation errors, and text-vs-registry disagreements."""

import pytest

from kg.corpus import load_registry, process
from kg.errors import RegistryError

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
        ("documents:\n  - {id: a, title: t, level: municipal, region: x, implements: [zz]}\n", "implements unknown document “zz”"),
        ("documents:\n  - {id: a, title: t, level: municipal, region: x, issued: 22/3/2022}\n", "is not YYYY-MM-DD or YYYY"),
        ("documents:\n  - {id: a, title: t, level: municipal, region: x}\n  - {id: a, title: u, level: municipal, region: y}\n", "id used more than once"),
    ],
)
def test_malformed_registry_is_one_line_naming_the_file(tmp_path, registry, message):
    write_corpus(tmp_path, {}, registry)
    with pytest.raises(RegistryError, match=message) as e:
        load_registry(tmp_path)
    assert "corpus.yaml" in str(e.value) and "\n" not in str(e.value)


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
