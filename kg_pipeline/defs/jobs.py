"""Jobs that span layers: `rebuild` materialises everything from an empty schema."""

import dagster as dg

rebuild = dg.define_asset_job(
    name="rebuild",
    selection=dg.AssetSelection.all(),
    description="Drop and recreate the gene database schema, then load every source from scratch.",
    config={"ops": {"database_schema": {"config": {"drop_first": True}}}},
)
