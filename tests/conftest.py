"""Shared fixtures: the real corpus and small helpers for building tiny corpora."""

import subprocess
from pathlib import Path

import pytest

from kg.corpus import process

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHANGRAO = DATA / "001_7d4b3fc7bf085163.txt"
JIANGXI_2021 = DATA / "000_fca3275a1a290cb6.txt"
JIANGXI_2022 = DATA / "002_3601092c99a91ae3.txt"
JIANGXI_2024 = DATA / "003_237c29cb87039f1f.txt"
JILIN = DATA / "004_316f7d0b2cc8e7da.txt"

MINI_DOC = """上饶市人民政府印发关于测试的实施方案的通知

2022年3月27日

一、健全生产体系

（一）推进工业绿色转型。到2025年全市绿色工厂总数达到20家。（市工信局、市发改委等按职责分工负责）

（二）加快农业绿色发展。推进农业节水。（市农业农村局负责）
"""


@pytest.fixture(scope="session")
def corpus():
    from kg.corpus import process

    return process(DATA)[1]


@pytest.fixture(scope="session")
def docs_by_id(corpus):
    return {p.entry.id: p.doc for p in corpus}


def write_corpus(tmp_path: Path, docs: dict[str, str], registry: str) -> Path:
    """A tiny corpus: text files plus a corpus.yaml."""
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text(registry, encoding="utf-8")
    return tmp_path


SHANGRAO_ID, JIANGXI_ID = "shangrao-2022-green-economy", "jiangxi-2021-green-economy"
# Hand-written alignment of 上饶 to 江西 2021 (the real aligner is not wired in yet):
# (child key, parent key or None, score, status, method)
HAND = [
    ("1", None, 0.12, "unaligned", "auto"),
    ("2", "1", 0.91, "aligned", "auto"),
    ("3", "2", 0.86, "aligned", "auto"),
    ("4", "3", 0.45, "weak", "auto"),
    ("5", "3", 0.83, "aligned", "auto"),
    ("6", "4", 0.80, "aligned", "auto"),
    ("7", "5", 0.90, "aligned", "auto"),
    ("8", "6", 1.0, "aligned", "curated"),
    ("9", "7", 0.41, "weak", "auto"),
]


def hand_links(docs: dict) -> list:
    """Links a researcher would accept for the seed corpus, with real sentences as evidence,
    plus one peer link (吉林 2021 and 江西 2021 both implement 国发〔2021〕4号)."""
    from kg.core.model import Evidence, Link

    def measure(doc, key):
        return next(m for m in docs[doc].measures if m.key == key)

    links = []
    for child, parent, score, status, method in HAND:
        cm = measure(SHANGRAO_ID, child)
        evidence = (
            [Evidence(cm.sentences[0], measure(JIANGXI_ID, parent).sentences[0], round(score - 0.03, 2))]
            if parent
            else []
        )
        links.append(
            Link(
                SHANGRAO_ID,
                child,
                JIANGXI_ID,
                parent,
                score,
                status,
                method,
                "implements",
                evidence,
                runners_up=[("8", 0.3)] if child == "2" else [],
                comment="checked by hand" if method == "curated" else None,
            )
        )
    links.append(Link("jilin-2021-green-economy", "1", JIANGXI_ID, "1", 0.7, "aligned", relation="peer"))
    return links


@pytest.fixture(scope="session")
def processed():
    """(registry, results) of the real corpus."""
    from kg.corpus import process

    return process(DATA)


@pytest.fixture(scope="session")
def links(docs_by_id):
    return hand_links(docs_by_id)


@pytest.fixture(scope="session")
def built(tmp_path_factory, links):
    """One real build of the seed corpus with the hand links, shared by graph, query and serve tests."""
    from kg.store.build import build

    out = tmp_path_factory.mktemp("graph") / "build"
    return build(process(DATA), links, out)


def stop(proc: subprocess.Popen, grace: float) -> None:
    """Terminate a server a test started; kill it if it has not ended after ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
