"""Shared fixtures: the real corpus and small helpers for building tiny corpora."""

from pathlib import Path

import pytest

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
