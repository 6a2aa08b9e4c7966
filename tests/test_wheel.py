"""The built wheel carries mappings/ and ontology/ and the package finds them there."""

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_wheel_ships_curated_tables_and_finds_them(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("policy_kg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "kg/mappings/agencies.csv" in names and "kg/mappings/regions.csv" in names
    assert "kg/ontology/policy-kg.ttl" in names and "kg/ontology/shapes.ttl" in names
    assert "kg/queries/gaps.rq" in names and "kg/static/query.html" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import kg.core.resources as r, kg.curated.mappings as m;"
        "p = r.mapping_path('agencies.csv'); print(p);"
        "assert len(m.load_agencies(p)) > 10;"
        "import kg.rdf.graph as g, kg.store.query as q;"
        "assert len(g.load_shapes()) > 50 and len(g.load_ontology()) > 300;"
        "assert {'gaps', 'innovations'} <= set(q.saved_queries());"
        "print(r.resource_dir('ontology')); print(q.saved_queries()['gaps'].path)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert all(Path(line).is_relative_to(site) for line in out.stdout.splitlines())
    assert len(out.stdout.splitlines()) == 3
