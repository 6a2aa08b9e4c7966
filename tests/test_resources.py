"""Where the curated tables are found (kg.core.resources): cached, but per folder asked for."""

from pathlib import Path

from kg.core.resources import mapping_path, resource_dir


def test_mapping_path_follows_kg_mappings_each_time_it_is_asked(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_MAPPINGS", raising=False)
    default = mapping_path("agencies.csv")
    assert default == resource_dir("mappings") / "agencies.csv" and default.is_file()
    monkeypatch.setenv("KG_MAPPINGS", str(tmp_path))
    assert mapping_path("agencies.csv") == tmp_path / "agencies.csv"
    monkeypatch.setenv("KG_MAPPINGS", str(tmp_path / "other"))
    assert mapping_path("agencies.csv") == tmp_path / "other" / "agencies.csv"
    monkeypatch.delenv("KG_MAPPINGS")
    assert mapping_path("agencies.csv") == default
    assert isinstance(mapping_path("units.csv"), Path) and mapping_path("units.csv").name == "units.csv"
