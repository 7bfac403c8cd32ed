"""kg-pipeline: the Dagster pipeline that owns and fills the kidney-genetics gene database."""
