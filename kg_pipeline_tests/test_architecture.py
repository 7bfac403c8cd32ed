"""The import-linter contracts in pyproject.toml ([tool.importlinter]) hold, and can fail.

Two contracts: the pipeline never imports the dev tools (`kg_pipeline.devtools`: snapshot
generator, emulator, benchmark), and its layers import only downwards (settings, raw files →
http, db → sources → defs → definitions → cli). The other tests break each on purpose in a copy
of the package, so a contract that silently checks nothing would show up.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# The venv's own script: another lint-imports on PATH could analyse another installation.
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` on the pyproject.toml in `cwd`; lint-imports puts `cwd` first on
    sys.path, so the `kg_pipeline` there is the one analysed. No cache: nothing written."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_import_contracts_are_kept() -> None:
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The pipeline never imports the dev tools KEPT" in result.stdout
    assert "The pipeline's layers import only downwards KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "contract"),
    [
        (
            "http/mirror.py",
            "kg_pipeline.devtools.emulator",
            "The pipeline never imports the dev tools",
        ),
        (
            "sources/records.py",
            "kg_pipeline.defs.resources",
            "The pipeline's layers import only downwards",
        ),
    ],
)
def test_an_import_against_a_contract_breaks_it(
    tmp_path: Path, module: str, imported: str, contract: str
) -> None:
    shutil.copytree(
        REPO_ROOT / "kg_pipeline",
        tmp_path / "kg_pipeline",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copyfile(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "kg_pipeline" / module).open("a", encoding="utf-8") as fh:
        fh.write(f"import {imported}  # noqa\n")
    # The copy first on the path, ahead of the installed (editable) package.
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)

    result = lint_imports(tmp_path, env={**os.environ, "PYTHONPATH": path})

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{contract} BROKEN" in output
    # Only the copy has this import: naming it proves the copy was analysed.
    importer = "kg_pipeline." + module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {imported}" in output
