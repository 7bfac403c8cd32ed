"""The gene database: models, engines, the embedded server, the schema guard and load helpers."""
