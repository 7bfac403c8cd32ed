# The kg-pipeline code location image: the project's wheel with the deploy extra (Dagster's
# Docker and Kubernetes run launchers), run as a non-root user. Its default command serves the
# code location over gRPC; webserver, daemon and run workers (DockerRunLauncher,
# K8sRunLauncher) run the same image with their own commands. No database URL or password is
# in the image: they come from the environment (docker-compose.yaml, deploy/k8s/values.yaml).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Build the wheel. kg_pipeline/project_files holds symlinks to the top-level dagster.yaml,
# workspace.yaml, pyproject.toml and migrations/: they are copied too, so the build ships the
# files themselves (see README, "Installing without a checkout").
FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml README.md dagster.yaml workspace.yaml ./
COPY migrations/ migrations/
COPY kg_pipeline/ kg_pipeline/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir "$(ls /wheels/kg_pipeline-*.whl)[deploy]" && rm -rf /wheels
# A fixed uid, so volumes and Kubernetes securityContext (runAsUser) can name it.
RUN useradd --uid 10001 --create-home --shell /usr/sbin/nologin kg
ENV DAGSTER_HOME=/opt/dagster/dagster_home \
    KG_DATA_DIR=/var/lib/kg-pipeline
# A fresh named volume mounted at KG_DATA_DIR takes this ownership (the raw-file store, the
# snapshot); DAGSTER_HOME receives the deployment's dagster.yaml.
RUN mkdir -p "$DAGSTER_HOME" "$KG_DATA_DIR" && chown kg:kg "$DAGSTER_HOME" "$KG_DATA_DIR"
USER kg
WORKDIR /home/kg
EXPOSE 4000
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", \
     "-m", "kg_pipeline.definitions", "--location-name", "kg_pipeline"]
