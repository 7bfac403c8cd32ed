"""Dagster wiring only, autoloaded by `kg_pipeline.definitions`: assets, checks, jobs, schedules."""
