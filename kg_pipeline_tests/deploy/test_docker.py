"""The Docker deployment (Dockerfile, .dockerignore, docker-compose.yaml, deploy/docker/),
checked without a Docker daemon: the instance config loads with its DockerRunLauncher, the
compose file wires the services as Dagster documents, and the build context holds what the
Dockerfile copies, enough to build the wheel the image installs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster_docker import DockerRunLauncher
from dagster_postgres import PostgresRunStorage
from docker.utils.build import exclude_paths
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO_ROOT / "deploy" / "docker"
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
INSTANCE = yaml.safe_load((DOCKER_DIR / "dagster.yaml").read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (REPO_ROOT / "Dockerfile").read_text())
    lines = (line.strip() for line in text.splitlines())
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines)
        if word and not word.startswith("#")
    ]


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:?message}` and `${VAR:-default}`, with `env` as the shell's."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        assert operator != ":?", f"compose refuses to start without {name}: {argument}"
        return argument if operator == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:[?-])([^}]*))?\}", substitute, value)


def environment(service: str) -> dict[str, str]:
    return {key: str(value) for key, value in (SERVICES[service].get("environment") or {}).items()}


def test_the_instance_config_loads_with_docker_run_launcher_and_postgres_storage(
    dagster_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_DAGSTER_PG_URL", dagster_db_url)
    instance = dg.DagsterInstance.from_config(str(DOCKER_DIR))
    try:
        launcher = instance.run_launcher
        assert isinstance(launcher, DockerRunLauncher)
        assert isinstance(instance.run_storage, PostgresRunStorage)
        # Run containers join the compose network and mount its data volume, by fixed names.
        (network,) = launcher.networks
        assert COMPOSE["networks"][network]["name"] == network
        (volume,) = launcher.container_kwargs["volumes"]
        name, mount = volume.split(":")
        assert COMPOSE["volumes"][name]["name"] == name
        assert mount == environment("kg_pipeline_code")["KG_DATA_DIR"]
        # DockerRunLauncher copies these from the daemon's environment, failing on a missing one.
        assert set(launcher.env_vars) <= set(environment("daemon"))
        assert {"KG_DATABASE_URL", "KG_DAGSTER_PG_URL"} <= set(launcher.env_vars)
    finally:
        instance.dispose()


def test_the_instance_config_is_the_laptop_one_plus_the_run_launcher() -> None:
    laptop = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())
    assert {key: value for key, value in INSTANCE.items() if key != "run_launcher"} == laptop


def test_compose_runs_postgres_code_server_webserver_and_daemon_from_one_image() -> None:
    assert set(SERVICES) == {"postgresql", "kg_pipeline_code", "webserver", "daemon"}
    code, webserver, daemon = (SERVICES[s] for s in ("kg_pipeline_code", "webserver", "daemon"))
    assert code["build"] == "."
    assert code["image"] == webserver["image"] == daemon["image"]
    # The runs of the location use its image (DockerRunLauncher reads DAGSTER_CURRENT_IMAGE).
    assert environment("kg_pipeline_code")["DAGSTER_CURRENT_IMAGE"] == code["image"]
    assert "command" not in code  # the image's CMD: the code server
    assert webserver["command"][0] == "dagster-webserver"
    assert daemon["command"][:2] == ["dagster-daemon", "run"]
    for service in (webserver, daemon):
        assert service["depends_on"] == {
            "postgresql": {"condition": "service_healthy"},
            "kg_pipeline_code": {"condition": "service_healthy"},
        }
        workspace = service["command"][service["command"].index("-w") + 1]
        mounts = dict(volume.rsplit(":", 2)[:2][::-1] for volume in service["volumes"])
        assert mounts[workspace] == "./deploy/workspace.grpc.yaml"
        assert mounts["/opt/dagster/dagster_home/dagster.yaml"] == "./deploy/docker/dagster.yaml"
    # Every bind mount names a file of this repository.
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), source


def test_compose_keeps_the_two_databases_apart_and_no_secret_in_the_file() -> None:
    env = {"KG_PG_PASSWORD": "s3cret"}
    with pytest.raises(AssertionError, match="compose refuses to start without KG_PG_PASSWORD"):
        interpolate(environment("postgresql")["POSTGRES_PASSWORD"], {})
    code = {k: interpolate(v, env) for k, v in environment("kg_pipeline_code").items()}
    gene, storage = make_url(code["KG_DATABASE_URL"]), make_url(code["KG_DAGSTER_PG_URL"])
    assert (gene.drivername, storage.drivername) == ("postgresql+psycopg", "postgresql+psycopg2")
    assert gene.password == storage.password == "s3cret"  # from the environment only
    assert gene.host == storage.host == "postgresql"
    assert storage.database == environment("postgresql")["POSTGRES_DB"]
    assert gene.database != storage.database
    # The postgres image creates the gene database from deploy/docker/initdb on first start.
    initdb = (DOCKER_DIR / "initdb" / "kidney_genetics.sql").read_text()
    assert f"CREATE DATABASE {gene.database};" in initdb
    # The UI never gets the gene database; the daemon does, to pass it on to run containers.
    assert "KG_DATABASE_URL" not in environment("webserver")
    assert (
        environment("daemon")["KG_DATABASE_URL"]
        == environment("kg_pipeline_code")["KG_DATABASE_URL"]
    )
    # The code server listens where deploy/workspace.grpc.yaml looks (its image's CMD).
    cmd = shlex.split(dict(final_stage())["CMD"].strip("[]").replace(",", " "))
    for service in ("webserver", "daemon"):
        assert environment(service)["KG_CODE_SERVER_HOST"] == "kg_pipeline_code"
        assert environment(service)["KG_CODE_SERVER_PORT"] == cmd[cmd.index("-p") + 1]


def test_the_image_serves_the_code_location_as_a_non_root_user() -> None:
    stage = final_stage()
    user = [args for word, args in stage if word == "USER"][-1]
    assert user not in ("root", "0")
    cmd = shlex.split(dict(stage)["CMD"].strip("[]").replace(",", " "))
    assert cmd[:3] == ["dagster", "code-server", "start"]
    assert cmd[cmd.index("-m") + 1] == "kg_pipeline.definitions"
    assert cmd[cmd.index("--location-name") + 1] == "kg_pipeline"
    assert dict(stage)["EXPOSE"] == cmd[cmd.index("-p") + 1]


def test_the_build_context_holds_what_the_dockerfile_copies_and_builds_the_wheel(
    tmp_path: Path,
) -> None:
    patterns = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # docker-py's implementation of .dockerignore: the files `docker build .` sends.
    context = exclude_paths(str(REPO_ROOT), patterns, dockerfile="Dockerfile")
    assert not any(path.startswith(("kg_pipeline_tests", ".venv", ".git/")) for path in context)
    copies = [
        shlex.split(args)
        for word, args in dockerfile_instructions()
        if word == "COPY" and not args.startswith("--from")
    ]
    # The build stage as the builder sees it: a file goes into the destination directory, a
    # directory's members (symlinks kept as links) below it.
    stage = tmp_path / "src"
    for *sources, destination in copies:
        assert destination.endswith("/"), destination
        for source in (source.rstrip("/") for source in sources):
            assert source in context, f"COPY {source}: not in the build context"
            into = stage / destination
            if (REPO_ROOT / source).is_dir():
                members = {
                    p: into / Path(p).relative_to(source)
                    for p in context
                    if p.startswith(f"{source}/")
                }
            else:
                members = {source: into / Path(source).name}
            for path, target in members.items():
                copy_from = REPO_ROOT / path
                target.parent.mkdir(parents=True, exist_ok=True)
                if copy_from.is_symlink():
                    target.symlink_to(copy_from.readlink())
                elif copy_from.is_file():
                    shutil.copyfile(copy_from, target)
    # Every symlink of the package (project_files) resolves inside what was copied.
    for link in (p for p in stage.rglob("*") if p.is_symlink()):
        assert link.resolve().is_relative_to(stage) and link.resolve().exists(), link
    # The build stage's `pip wheel .` (offline: without build isolation) ships the files.
    out = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [*pip_wheel, "-w", str(out), str(stage)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("kg_pipeline-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "kg_pipeline/definitions.py" in names
        for shipped in ("dagster.yaml", "workspace.yaml", "pyproject.toml", "migrations/env.py"):
            member = f"kg_pipeline/project_files/{shipped}"
            assert archive.read(member) == (REPO_ROOT / shipped).read_bytes(), shipped
