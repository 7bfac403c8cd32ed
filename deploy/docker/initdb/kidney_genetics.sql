-- Run once by the postgres image on an empty data volume (docker-compose.yaml): the gene
-- database beside Dagster's own (POSTGRES_DB). Two databases, never one shared: the rebuild
-- job drops the gene database's schema, and each has its own Alembic version table.
CREATE DATABASE kidney_genetics;
