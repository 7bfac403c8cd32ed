"""The whole code location loads, with its jobs and the root of the asset graph."""

import dagster as dg

from kg_pipeline.definitions import defs


def test_code_location_loads() -> None:
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert "database_schema" in keys
    schema = graph.get(dg.AssetKey("database_schema"))
    assert schema.group_name == "schema"
    assert schema.code_version == "002_modern_complete_fixed"

    rebuild = definitions.resolve_job_def("rebuild")
    assert {key.to_user_string() for key in rebuild.asset_layer.selected_asset_keys} == keys
