"""The whole code location: assets, lineage, jobs and schedules."""

import dagster as dg

from kg_pipeline.definitions import defs

EVIDENCE = ["panelapp", "clingen", "gencc", "hpo", "pubtator", "diagnostic_panels", "literature"]
ANNOTATIONS = {
    "hgnc": "hgnc",
    "gnomad": "gnomad",
    "gtex": "gtex",
    "descartes": "descartes",
    "hpo": "hpo",
    "clinvar": "clinvar",
    "mpo_mgi": "mgi",
    "string_ppi": "string",
}
RAW = sorted({*EVIDENCE, *ANNOTATIONS.values()})

SCHEDULES = {
    # source: (cron, raw input and loads); staggered minutes, UTC
    "panelapp": ("55 2 * * *", {"raw_panelapp", "panelapp_evidence"}),
    "clingen": ("0 2 * * *", {"raw_clingen", "clingen_evidence"}),
    "gencc": ("20 3 * * 0", {"raw_gencc", "gencc_evidence"}),
    "hpo": ("40 3 * * 0", {"raw_hpo", "hpo_evidence", "hpo_annotations"}),
    "pubtator": ("0 3 * * 0", {"raw_pubtator", "pubtator_evidence"}),
    "clinvar": ("5 3 * * 0", {"raw_clinvar", "clinvar_annotations"}),
    "diagnostic_panels": ("15 4 1 * *", {"raw_diagnostic_panels", "diagnostic_panels_evidence"}),
    "literature": ("45 4 1 * *", {"raw_literature", "literature_evidence"}),
    "gnomad": ("25 4 1 * *", {"raw_gnomad", "gnomad_annotations"}),
    "gtex": ("30 4 1 * *", {"raw_gtex", "gtex_annotations"}),
    "descartes": ("10 4 1 * *", {"raw_descartes", "descartes_annotations"}),
    "mgi": ("50 4 1 * *", {"raw_mgi", "mpo_mgi_annotations"}),
    "string": ("5 4 1 * *", {"raw_string", "string_ppi_annotations"}),
}


def _run_config(schedule: dg.ScheduleDefinition) -> dict:
    (request,) = schedule.evaluate_tick(dg.build_schedule_context()).run_requests
    return request.run_config


def keys(selection) -> set[str]:
    return {key.to_user_string() for key in selection}


def test_every_asset_and_its_lineage() -> None:
    graph = defs().resolve_asset_graph()
    names = keys(graph.get_all_asset_keys())
    assert len(names) == 36
    parents = {name: keys(graph.get(dg.AssetKey(name)).parent_keys) for name in names}
    assert parents["database_schema"] == set()
    for source in RAW:
        assert parents[f"raw_{source}"] == {"database_schema"}
    assert parents["hgnc_reference"] == {"raw_hgnc"}
    for source in EVIDENCE:
        assert parents[f"{source}_evidence"] == {
            f"raw_{source}",
            "hgnc_reference",
            "database_schema",
        }
    assert parents["genes"] == {"hgnc_reference", *(f"{s}_evidence" for s in EVIDENCE)}
    assert parents["gene_scores"] == {"genes"}
    assert parents["gene_curations"] == {"gene_scores"}
    for source, raw in ANNOTATIONS.items():
        expected = {f"raw_{raw}", "genes", "database_schema"}
        if source == "string_ppi":
            expected.add("gene_scores")
        assert parents[f"{source}_annotations"] == expected
    assert parents["gene_annotations_summary"] == {f"{s}_annotations" for s in ANNOTATIONS}
    assert parents["gene_release"] == {"gene_scores", "gene_annotations_summary"}
    # No orphan: everything but the root has a parent, everything but the leaves a child.
    children = {name: keys(graph.get(dg.AssetKey(name)).child_keys) for name in names}
    assert [n for n in names if not parents[n]] == ["database_schema"]
    assert {n for n in names if not children[n]} == {"gene_curations", "gene_release"}
    groups = {name: graph.get(dg.AssetKey(name)).group_name for name in names}
    assert set(groups.values()) == {
        "schema",
        "raw",
        "genes",
        "evidence",
        "scoring",
        "annotation",
        "release",
    }


def test_rebuild_job_selects_everything_and_drops_first() -> None:
    definitions = defs()
    rebuild = definitions.resolve_job_def("rebuild")
    assert keys(rebuild.asset_layer.selected_asset_keys) == keys(
        definitions.resolve_asset_graph().get_all_asset_keys()
    )
    assert rebuild.run_config == {"ops": {"database_schema": {"config": {"drop_first": True}}}}


def test_refresh_jobs_and_schedules() -> None:
    definitions = defs()
    schedules = {s.name: s for s in definitions.schedules}
    assert set(schedules) == {f"{s}_refresh_schedule" for s in [*SCHEDULES, "hgnc"]} | {
        "pubtator_full_refresh_schedule",
        "release_schedule",
    }
    for source, (cron, loads) in SCHEDULES.items():
        schedule = schedules[f"{source}_refresh_schedule"]
        assert schedule.cron_schedule == cron, source
        assert schedule.job_name == f"{source}_refresh"
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
        config = _run_config(schedule)
        if source == "pubtator":
            assert config == {"ops": {"raw_pubtator": {"config": {"incremental": True}}}}
        else:
            assert config == {}, source
        job = definitions.resolve_job_def(f"{source}_refresh")
        selected = keys(job.asset_layer.selected_asset_keys)
        follow = set()
        if any(n.endswith("_evidence") for n in loads):
            follow |= {"genes", "gene_scores", "gene_curations"}
        if any(n.endswith("_annotations") for n in loads):
            follow |= {"gene_annotations_summary"}
        assert selected == loads | follow, source
        assert "database_schema" not in selected
    hgnc = keys(definitions.resolve_job_def("hgnc_refresh").asset_layer.selected_asset_keys)
    assert "database_schema" not in hgnc and {"raw_hgnc", "genes", "gene_scores"} <= hgnc
    assert "gene_release" not in hgnc  # a refresh never makes a release
    assert schedules["hgnc_refresh_schedule"].cron_schedule == "35 4 1 * *"
    # PubTator walks incrementally every week and everything on the 1st of the month.
    full = schedules["pubtator_full_refresh_schedule"]
    assert (full.cron_schedule, full.job_name) == ("0 4 1 * *", "pubtator_refresh")
    assert full.default_status == dg.DefaultScheduleStatus.STOPPED
    assert _run_config(full) == {}
    # Refreshes never carry the rebuild's drop-first config.
    assert all(
        definitions.resolve_job_def(f"{s}_refresh").run_config is None for s in [*SCHEDULES, "hgnc"]
    )


def test_release_job_and_its_monthly_schedule_off_by_default() -> None:
    definitions = defs()
    job = definitions.resolve_job_def("release")
    assert keys(job.asset_layer.selected_asset_keys) == {"gene_release"}
    assert "gene_release" in keys(
        definitions.resolve_job_def("rebuild").asset_layer.selected_asset_keys
    )
    schedule = {s.name: s for s in definitions.schedules}["release_schedule"]
    assert (schedule.cron_schedule, schedule.job_name) == ("0 6 2 * *", "release")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    checks = definitions.resolve_asset_graph().get_check_keys_for_assets(
        [dg.AssetKey("gene_release")]
    )
    assert {key.name for key in checks} == {"release_changes_within_bounds"}
