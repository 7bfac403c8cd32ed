"""`pipeline_resources`: every resource configured from one Settings object."""

from pathlib import Path

import dagster as dg
import pytest

from kg_pipeline.defs.resources import LoadPolicy, LoadRefused, UpstreamClient, pipeline_resources
from kg_pipeline.settings import Settings
from kg_pipeline.sources.registry import SOURCES


def test_one_client_per_registry_source_configured_from_the_settings(tmp_path: Path) -> None:
    settings = Settings.explicit(
        data_dir=tmp_path,
        source_mode="live",
        upstream_url="http://emulator.test",
        base_urls={"panelapp_au": "http://au.test/"},
        requests_per_second={"pubtator": 10.0},
        annotation_floor_ratio=0.3,
        pubtator_max_pages=7,
    )
    resources = pipeline_resources(settings)

    clients = {k: v for k, v in resources.items() if isinstance(v, UpstreamClient)}
    assert sorted(clients) == sorted(f"{s.key}_upstream" for s in SOURCES)
    panelapp = resources["panelapp_upstream"]
    assert panelapp.mode == "live"
    assert panelapp.base_urls == {
        "panelapp_uk": "http://emulator.test/panelapp_uk",
        "panelapp_au": "http://au.test",
    }
    pubtator = resources["pubtator_upstream"]
    assert pubtator.requests_per_second == {"pubtator": 10.0}
    assert pubtator.options["max_pages"] == "7"
    assert resources["gnomad_upstream"].requests_per_second == {"gnomad": 5.0}
    assert resources["raw_store"].root == str(tmp_path / "raw")
    policy = resources["load_policy"]
    assert (policy.evidence_floor_ratio, policy.annotation_floor_ratio) == (0.5, 0.3)


def test_an_unknown_upstream_in_base_urls_is_refused(tmp_path: Path) -> None:
    settings = Settings.explicit(data_dir=tmp_path, base_urls={"omim": "http://x.test"})
    with pytest.raises(ValueError, match=r"unknown upstream.*omim; known: hgnc, panelapp_uk"):
        pipeline_resources(settings)


def test_secrets_from_the_environment_stay_environment_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgresql+psycopg://kg:s3cret@db.test/kidney_genetics"
    monkeypatch.setenv("KG_DATABASE_URL", url)
    monkeypatch.setenv("KG_NCBI_API_KEY", "key-123")
    resources = pipeline_resources(Settings(data_dir=tmp_path))
    # What the UI and the run storage show of the configuration: the variable, not its value.
    gene_db_config = dg.ConfigurableResource.model_dump(resources["gene_db"])
    assert "s3cret" not in repr(gene_db_config)
    assert "key-123" not in repr(dg.ConfigurableResource.model_dump(resources["pubtator_upstream"]))


@pytest.mark.parametrize(
    ("rows", "previous", "annotation", "refused"),
    [(0, 0, False, True), (49, 100, False, True), (50, 100, False, False), (29, 100, True, True)],
)
def test_loads_below_their_floor_are_refused(
    rows: int, previous: int, annotation: bool, refused: bool
) -> None:
    policy = LoadPolicy(evidence_floor_ratio=0.5, annotation_floor_ratio=0.3)
    if refused:
        with pytest.raises(LoadRefused, match=r"x: the new load has \d+ genes, below the floor"):
            policy.require_complete("x", rows, previous, annotation=annotation, raw_asset="raw_x")
    else:
        floor = policy.require_complete("x", rows, previous, annotation=annotation, raw_asset="r")
        assert floor == 50
