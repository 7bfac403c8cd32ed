"""`static_evidence_uploads`: one record per file of the two file-based evidence sources.

DiagnosticPanels and Literature arrive as files (upstream: admin uploads or a seeder). Each file
of a load is recorded against its `static_sources` row with its hash and what became of its
genes: found, normalised, failed, staged. A file already recorded with the same hash is updated
rather than duplicated.
"""

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from kg_pipeline.raw_files import RawVersion

_UPSERT = sa.text(
    """
    WITH source AS (SELECT id FROM static_sources WHERE source_name = :source),
    updated AS (
        UPDATE static_evidence_uploads u
           SET gene_count = :genes, genes_normalized = :normalized, genes_failed = :failed,
               genes_staged = :staged, processing_log = :log, processed_at = now(),
               upload_status = 'completed', updated_at = now()
          FROM source
         WHERE u.source_id = source.id AND u.file_hash = :hash
        RETURNING u.id
    )
    INSERT INTO static_evidence_uploads
        (source_id, file_name, file_path, evidence_name, file_hash, original_filename,
         content_type, upload_status, processing_log, gene_count, genes_normalized,
         genes_failed, genes_staged, upload_metadata, uploaded_by, processed_at)
    SELECT source.id, :file_name, :file_path, :evidence_name, :hash, :file_name,
           'application/json', 'completed', :log, :genes, :normalized, :failed, :staged,
           :metadata, 'kg-pipeline', now()
      FROM source
     WHERE NOT EXISTS (SELECT 1 FROM updated)
    """
).bindparams(sa.bindparam("log", type_=JSONB), sa.bindparam("metadata", type_=JSONB))


def record_uploads(
    conn: sa.Connection, source_name: str, version: RawVersion, uploads: list[dict[str, Any]]
) -> None:
    """Record every file's upload summary (`kg_pipeline.sources.evidence.file_uploads`)."""
    for upload in uploads:
        key = upload["file"]
        conn.execute(
            _UPSERT,
            {
                "source": source_name,
                "hash": version.files[key].sha256,
                "file_name": Path(key).name,
                "file_path": key,
                "evidence_name": Path(key).stem,
                "genes": upload["genes"],
                "normalized": upload["normalized"],
                "failed": upload["failed"],
                "staged": upload["staged"],
                "log": {"rejected_rows": upload["rejected_rows"], "release": upload["release"]},
                "metadata": {"location": version.files[key].location},
            },
        )
