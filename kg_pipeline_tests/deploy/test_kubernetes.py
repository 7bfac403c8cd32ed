"""The Kubernetes deployment (deploy/k8s/), checked without a cluster: the instance config
passes Dagster's and dagster-k8s's config validation and reaches its storage, and the Helm
values use only keys of Dagster's chart and agree with the image and the instance config."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster_k8s import K8sRunLauncher
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
VALUES = yaml.safe_load((K8S_DIR / "values.yaml").read_text())
INSTANCE = yaml.safe_load((K8S_DIR / "dagster.yaml").read_text())

ANY = None
"""A value the chart passes through (a Kubernetes object, a free mapping) or a scalar."""


def keys(*names: str, **nested: Any) -> dict[str, Any]:
    """A mapping of the chart: `names` with any value, `nested` with their own keys."""
    return dict.fromkeys(names, ANY) | nested


_K8S_OBJECTS = ("annotations", "nodeSelector", "affinity", "tolerations", "resources")
CHART_VALUES = keys(
    "generatePostgresqlPasswordSecret",
    "additionalInstanceConfig",
    **{
        "global": keys(
            "postgresqlSecretName", "dagsterHome", "serviceAccountName", "celeryConfigSecretName"
        ),
        "postgresql": keys(
            *("image", "enabled", "postgresqlHost", "postgresqlUsername", "postgresqlPassword"),
            *("postgresqlDatabase", "postgresqlParams", "postgresqlScheme"),
            service=keys("port"),
        ),
        "dagster-user-deployments": keys(
            "enabled",
            "enableSubchart",
            "imagePullSecrets",
            deployments=[
                keys(
                    *("name", "dagsterApiGrpcArgs", "codeServerArgs", "port", "env"),
                    *("envConfigMaps", "envSecrets", "podSecurityContext", "securityContext"),
                    *("livenessProbe", "readinessProbe", "startupProbe", "labels"),
                    *("volumeMounts", "volumes", "schedulerName", *_K8S_OBJECTS),
                    image=keys("repository", "tag", "pullPolicy"),
                    includeConfigInLaunchedRuns=keys("enabled"),
                )
            ],
        ),
        "runLauncher": keys(
            "type",
            config=keys(
                k8sRunLauncher=keys(
                    *("image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig"),
                    *("kubeconfigFile", "envConfigMaps", "envSecrets", "envVars", "volumeMounts"),
                    *("volumes", "labels", "failPodOnRunFailure", "resources", "schedulerName"),
                    *("securityContext", "runK8sConfig"),
                )
            ),
        ),
        "dagsterDaemon": keys(
            runCoordinator=keys("enabled", "type", "config"),
            runMonitoring=keys(
                *("enabled", "startTimeoutSeconds", "cancelTimeoutSeconds"),
                *("maxResumeRunAttempts", "pollIntervalSeconds", "freeSlotsAfterRunEndSeconds"),
            ),
            runRetries=keys("enabled", "maxRetries"),
        ),
        "telemetry": keys("enabled"),
    },
)
"""The keys of Dagster's Helm chart (1.13) that values.yaml may use, from the chart's own schema
(the pydantic models under helm/dagster/schema/ of dagster-io/dagster, which generate its
values.schema.json) and its instance ConfigMap template; only the sections we set."""


def unknown_keys(values: Any, schema: Any, path: str = "") -> list[str]:
    """The key paths of `values` that `schema` does not have."""
    if schema is ANY:
        return []
    if isinstance(schema, list):
        (item_schema,) = schema
        return [
            missing
            for i, item in enumerate(values)
            for missing in unknown_keys(item, item_schema, f"{path}[{i}]")
        ]
    assert isinstance(values, dict), path
    return [
        missing
        for key, value in values.items()
        for missing in (
            unknown_keys(value, schema[key], f"{path}.{key}")
            if key in schema
            else [f"{path}.{key}"]
        )
    ]


def test_the_values_use_only_keys_of_the_chart() -> None:
    assert unknown_keys(VALUES, CHART_VALUES) == []
    # The check itself: a misspelt key is caught.
    misspelt = {"dagster-user-deployments": {"deployments": [{"codeServerArg": []}]}}
    assert unknown_keys(misspelt, CHART_VALUES) == [
        ".dagster-user-deployments.deployments[0].codeServerArg"
    ]


def test_the_instance_config_passes_dagster_k8s_validation_and_reaches_its_storage(
    dagster_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = make_url(dagster_db_url)
    for name, value in {
        "DAGSTER_PG_USERNAME": url.username,
        "DAGSTER_PG_PASSWORD": url.password or "",
        "DAGSTER_PG_HOST": url.host or "localhost",
        "DAGSTER_PG_DB": url.database,
    }.items():
        monkeypatch.setenv(name, value or "")
    # Dagster's instance schema (storage, monitoring, retries, concurrency)...
    config, _ = dagster_instance_config(str(K8S_DIR))
    launcher = config["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    # ... and K8sRunLauncher's, which only a cluster could instantiate.
    assert process_config(K8sRunLauncher.config_type(), launcher["config"]).success
    misspelt = {**launcher["config"], "job_namespce": "kg"}
    assert not process_config(K8sRunLauncher.config_type(), misspelt).success
    # DAGSTER_PG_* name Dagster's storage: the instance works on the test's database.
    instance_dir = K8S_DIR
    socket_dir = url.query.get("host")
    if socket_dir:
        # The embedded server listens only on a socket directory, which dagster-postgres
        # cannot take as a host name: libpq's `host` parameter, added here, overrides it.
        local = yaml.safe_load((K8S_DIR / "dagster.yaml").read_text())
        local["storage"]["postgres"]["postgres_db"]["params"] = {"host": socket_dir}
        (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(local))
        instance_dir = tmp_path
    instance = dg.DagsterInstance.from_config(str(instance_dir))
    try:
        assert instance.get_runs_count() == 0
    finally:
        instance.dispose()


def test_the_instance_config_is_the_laptop_one_with_k8s_storage_and_launcher() -> None:
    laptop = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())
    shared = {k: v for k, v in INSTANCE.items() if k not in ("storage", "run_launcher")}
    assert shared == {k: v for k, v in laptop.items() if k != "storage"}


def test_the_values_render_the_instance_config_and_run_the_image() -> None:
    daemon, extra = VALUES["dagsterDaemon"], VALUES["additionalInstanceConfig"]
    # What the chart renders from the values is deploy/k8s/dagster.yaml.
    assert VALUES["runLauncher"]["type"] == INSTANCE["run_launcher"]["class"]
    assert (
        VALUES["global"]["postgresqlSecretName"]
        == (INSTANCE["run_launcher"]["config"]["postgres_password_secret"])
    )
    monitoring = INSTANCE["run_monitoring"]
    assert daemon["runMonitoring"]["enabled"] == monitoring["enabled"]
    assert (
        daemon["runMonitoring"]["freeSlotsAfterRunEndSeconds"]
        == (monitoring["free_slots_after_run_end_seconds"])
    )
    # Run retries and concurrency come from additionalInstanceConfig alone, not twice.
    assert not daemon["runRetries"]["enabled"] and not daemon["runCoordinator"]["enabled"]
    assert extra == {key: INSTANCE[key] for key in ("run_retries", "concurrency")}
    assert VALUES["telemetry"] == INSTANCE["telemetry"]

    (deployment,) = VALUES["dagster-user-deployments"]["deployments"]
    args = deployment["codeServerArgs"]
    assert args[args.index("-m") + 1] == "kg_pipeline.definitions"
    # The gene database only from a Secret; the image's user and data directory.
    assert deployment["envSecrets"] == [{"name": "kg-pipeline-gene-db"}]
    assert not any("URL" in key for key in deployment["env"])
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    uid = re.search(r"useradd --uid (\d+)", dockerfile)
    assert uid and deployment["podSecurityContext"]["runAsUser"] == int(uid[1])
    data_dir = re.search(r"KG_DATA_DIR=(\S+)", dockerfile)
    assert data_dir and deployment["env"]["KG_DATA_DIR"] == data_dir[1]
    (mount,) = deployment["volumeMounts"]
    assert mount["mountPath"] == data_dir[1]
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
