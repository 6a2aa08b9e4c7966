"""The researcher notebooks run top to bottom on the real corpus (nbclient, a real kernel)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import DATA

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_to_start_from():
    assert [p.name for p in NOTEBOOKS] == ["01-explore-graph.ipynb", "02-review-weak-links.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_on_the_real_corpus(path, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_DATA", str(DATA))
    monkeypatch.setenv("KG_BUILD", str(tmp_path / "build"))
    monkeypatch.setenv("KG_OVERRIDES", str(tmp_path / "overrides.csv"))
    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    if path.stem.startswith("01"):
        assert "agency-load" in text and "triples" in text
    else:
        assert "aligned curated confirmed by reading both texts" in text
